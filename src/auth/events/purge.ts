// The audit trail's retention: events older than AUDIT_EVENTS_RETENTION (90
// days by default) are deleted by the scheduled purge, in the shape of its
// other steps (bounded batches picked FOR UPDATE SKIP LOCKED, so two purges
// take different rows and no statement holds its locks for long).
import { sql, type Kysely } from 'kysely';
import { setting } from '../../config/settings.ts';
import type { Database } from '../../db/schema.ts';

export const auditEventsPurgeStep = {
  name: 'security events past retention',
  batch: 5000,
  /** Delete up to `limit` events older than the retention at `at`; returns how many went. 1 statement. */
  async deleteBatch(db: Kysely<Database>, limit: number, at: Date): Promise<number> {
    const before = new Date(at.getTime() - setting('auditRetentionMs'));
    const result = await sql`DELETE FROM security_events WHERE id IN (
        SELECT id FROM security_events WHERE created_at < ${before}
        LIMIT ${limit} FOR UPDATE SKIP LOCKED)`.execute(db);
    return Number(result.numAffectedRows ?? 0);
  },
};
