// Liveness with a real database round trip.
import { sql } from 'kysely';
import { serviceUnavailable } from '../common/errors.ts';
import { getDb } from '../db/connection.ts';

/** One `SELECT 1`; any failure (unreachable, misconfigured) is reported as 503. */
export async function checkHealth(): Promise<{ status: 'ok' }> {
  try {
    await sql`SELECT 1`.execute(getDb());
    return { status: 'ok' };
  } catch (error) {
    console.error('[health] database check failed:', (error as Error).message);
    throw serviceUnavailable(5, 'The database is not reachable.');
  }
}
