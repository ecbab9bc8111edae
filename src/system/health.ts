// Liveness with a real database round trip.
import { sql } from 'kysely';
import { serviceUnavailable } from '../common/errors.ts';
import { getDb } from '../db/connection.ts';
import { log } from '../log/log.ts';

/** One `SELECT 1`; any failure (unreachable, misconfigured) is reported as 503. */
export async function checkHealth(): Promise<{ status: 'ok' }> {
  try {
    await sql`SELECT 1`.execute(getDb());
    return { status: 'ok' };
  } catch (error) {
    log('error', 'health_check_failed', {}, error);
    throw serviceUnavailable(5, 'The database is not reachable.');
  }
}
