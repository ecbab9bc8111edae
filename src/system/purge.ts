// Deletes what nothing needs any more: expired sessions, spent one-time codes,
// expired second-factor login challenges and passkey challenges, ended rate-limit windows, addresses
// not logged in from for 30 days, accounts never confirmed (whose usernames and
// addresses would otherwise stay taken), security events and admin actions past retention. Run hourly by netlify/functions/purge.ts
// and by `npm run db:purge`.
//
// Every batch is ONE statement that deletes at most `batch` rows, picked with
// FOR UPDATE SKIP LOCKED: no statement holds its locks for more than a moment,
// and two purges running at once take different rows instead of waiting on
// each other. Retention: PURGE_UNCONFIRMED_AFTER (7d), PURGE_EXPIRED_AFTER (1d),
// AUDIT_EVENTS_RETENTION (90d), ADMIN_ACTIONS_RETENTION (365d), read through src/config/settings.ts.
import { sql, type Kysely, type RawBuilder } from 'kysely';
import { now } from '../config/clock.ts';
import { setting } from '../config/settings.ts';
import { getDb } from '../db/connection.ts';
import type { Database } from '../db/schema.ts';
import { log } from '../log/log.ts';
import { KNOWN_ADDRESS_MS, longestWindowMs } from '../rate-limit/limits.ts';

export interface PurgeStep {
  /** What the step deletes, for the log line and the report. */
  name: string;
  /** Rows per statement: fewer where a row cascades to other tables. */
  batch: number;
  /** Delete up to `limit` rows that were already purgeable at `at`; returns how many went. 1 statement. */
  deleteBatch(db: Kysely<Database>, limit: number, at: Date): Promise<number>;
}

const ago = (at: Date, ms: number) => new Date(at.getTime() - ms);

/**
 * A step's batch: up to `limit` rows of `table` (by its key columns) for which
 * `where` holds at `at`, locked without waiting for rows another purge holds, then deleted.
 */
function batchOf(
  table:
    | 'users'
    | 'sessions'
    | 'one_time_tokens'
    | 'mfa_challenges'
    | 'federated_sign_ins'
    | 'webauthn_challenges'
    | 'rate_limits'
    | 'known_addresses'
    | 'security_events'
    | 'admin_actions',
  key: readonly string[],
  where: (at: Date) => RawBuilder<unknown>,
) {
  const columns = sql.join(key.map((column) => sql.ref(column)));
  return async (db: Kysely<Database>, limit: number, at: Date): Promise<number> => {
    const { numAffectedRows } = await sql`DELETE FROM ${sql.table(table)} WHERE (${columns}) IN (
      SELECT ${columns} FROM ${sql.table(table)} WHERE ${where(at)} LIMIT ${limit} FOR UPDATE SKIP LOCKED)`.execute(db);
    return Number(numAffectedRows ?? 0);
  };
}

/** In order: accounts first, so their sessions and codes go with them in the same batch. */
export const PURGE_STEPS: readonly PurgeStep[] = [
  {
    name: 'unconfirmed accounts',
    batch: 500,
    // Kept while a code sent to them still works: someone who asked for one
    // just before the deadline can still confirm.
    deleteBatch: batchOf(
      'users',
      ['id'],
      (at) => sql`confirmed_at IS NULL AND created_at < ${ago(at, setting('purgeUnconfirmedAfterMs'))}
        AND NOT EXISTS (SELECT FROM one_time_tokens t WHERE t.user_id = users.id AND t.used_at IS NULL AND t.expires_at > ${at})`,
    ),
  },
  {
    name: 'expired sessions',
    batch: 5000,
    deleteBatch: batchOf('sessions', ['id'], (at) => sql`expires_at < ${ago(at, setting('purgeExpiredAfterMs'))}`),
  },
  {
    name: 'idle sessions',
    batch: 5000,
    // Ended by SESSION_IDLE_TTL before their absolute end. No index on
    // last_seen_at on purpose: one would make every hourly touch of a session
    // a non-HOT update; an hourly scan of sessions is the cheaper side.
    deleteBatch: batchOf(
      'sessions',
      ['id'],
      (at) => sql`last_seen_at < ${ago(at, setting('sessionIdleTtlMs') + setting('purgeExpiredAfterMs'))}`,
    ),
  },
  {
    name: 'used or expired codes',
    batch: 5000,
    deleteBatch: batchOf('one_time_tokens', ['id'], (at) => sql`least(used_at, expires_at) < ${ago(at, setting('purgeExpiredAfterMs'))}`),
  },
  {
    name: 'expired login challenges',
    batch: 5000,
    // The second factor's login step (src/auth/mfa): a used one is already deleted.
    deleteBatch: batchOf('mfa_challenges', ['id'], (at) => sql`expires_at < ${ago(at, setting('purgeExpiredAfterMs'))}`),
  },
  {
    name: 'expired passkey challenges',
    batch: 5000,
    // A WebAuthn ceremony's (src/auth/passkeys): a used one is already deleted; it lives minutes, so expiry alone decides.
    deleteBatch: batchOf('webauthn_challenges', ['id'], (at) => sql`expires_at < ${at}`),
  },
  {
    name: 'expired sign-ins at providers',
    batch: 5000,
    // A sign-in at another identity provider (src/auth/providers) never called back: a used one is already deleted.
    deleteBatch: batchOf('federated_sign_ins', ['id'], (at) => sql`expires_at < ${at}`),
  },
  {
    name: 'ended rate-limit windows',
    batch: 5000,
    // A window older than the longest limit's counts as empty whichever limit
    // the bucket belongs to, so deleting it changes no answer.
    deleteBatch: batchOf('rate_limits', ['bucket'], (at) => sql`window_start < ${ago(at, longestWindowMs())}`),
  },
  {
    name: 'known addresses unused for 30 days',
    batch: 5000,
    // Past that, an address no longer exempts its account from the login
    // limit across addresses (src/auth/attempts/known-addresses.ts).
    deleteBatch: batchOf('known_addresses', ['user_id', 'address'], (at) => sql`last_login_at < ${ago(at, KNOWN_ADDRESS_MS)}`),
  },
  {
    name: 'security events past retention',
    batch: 5000,
    // The audit trail (GET /api/me/events), by its index on created_at.
    deleteBatch: batchOf('security_events', ['id'], (at) => sql`created_at < ${ago(at, setting('auditRetentionMs'))}`),
  },
  {
    name: 'admin actions past retention',
    batch: 5000,
    // The admin trail (src/auth/admin), by its index on created_at (migration 0020).
    deleteBatch: batchOf('admin_actions', ['id'], (at) => sql`created_at < ${ago(at, setting('adminTrailRetentionMs'))}`),
  },
];

export interface PurgeReport {
  /** Rows deleted per step name, in step order. */
  deleted: Record<string, number>;
  /** False when the time budget ran out first; the next run carries on. */
  complete: boolean;
  ms: number;
}

export interface PurgeOptions {
  /** Start no new batch after this long (a scheduled function has 30 s). */
  budgetMs?: number;
  steps?: readonly PurgeStep[];
  db?: Kysely<Database>;
}

/** Run every step until it runs out of rows or the budget runs out. */
export async function purge({ budgetMs = Infinity, steps = PURGE_STEPS, db = getDb() }: PurgeOptions = {}): Promise<PurgeReport> {
  const started = performance.now();
  const at = now();
  const report: PurgeReport = { deleted: {}, complete: true, ms: 0 };
  for (const step of steps) {
    report.deleted[step.name] = 0;
    for (;;) {
      if (performance.now() - started >= budgetMs) {
        report.complete = false;
        break;
      }
      const count = await step.deleteBatch(db, step.batch, at);
      report.deleted[step.name]! += count;
      // A short batch means no more rows, or the rest are locked by a purge running beside this one.
      if (count < step.batch) break;
    }
    if (!report.complete) break;
  }
  report.ms = performance.now() - started;
  return report;
}

/** A line for a person (npm run db:purge): `purged 3 expired sessions, 0 … in 12 ms`. */
export function describePurge(report: PurgeReport): string {
  const counts = Object.entries(report.deleted).map(([name, count]) => `${count} ${name}`);
  const tail = report.complete ? '' : ' (time budget spent: the next run continues)';
  return `purged ${counts.join(', ')} in ${Math.round(report.ms)} ms${tail}`;
}

/** The scheduled run's log: one `purge_step` line per step that ran, and a warning when the budget ran out first. */
export function logPurge(report: PurgeReport): void {
  for (const [step, deleted] of Object.entries(report.deleted)) log('info', 'purge_step', { step, deleted });
  if (!report.complete) log('warn', 'purge_budget_spent', { message: 'the next run continues' });
}
