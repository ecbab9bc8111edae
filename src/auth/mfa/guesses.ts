// Second-factor codes checked for an account, counted before they are
// checked, on two counters: RATE_LIMIT_MFA (10 per 15 minutes; a right code
// clears it) and RATE_LIMIT_MFA_DAY (30 per 24 hours; a right code does not
// clear it). Past the long one the factor is locked (totp_factors.locked_at,
// migration 0015) until a password reset proves the mailbox: the code is then
// refused, right or not. The attempt that takes a counter over its limit
// e-mails the owner (once a window; once a lock).
import { sql, type QueryCreator, type RawBuilder } from 'kysely';
import { HttpError, rateLimited } from '../../common/errors.ts';
import type { Limit } from '../../config/settings.ts';
import type { Database } from '../../db/schema.ts';
import { secondFactorLimitReached, secondFactorLocked, type Recipient } from '../../mail/templates.ts';
import { countAnotherHit, retryAfterSeconds } from '../../rate-limit/counter.ts';
import { checks, limitFor, MFA_BUCKET_PREFIX, MFA_DAY_BUCKET_PREFIX } from '../../rate-limit/limits.ts';
import type { Client, Requester } from '../base/requester.ts';
import { notify } from '../codes/delivery.ts';

const limits = () => ({ short: limitFor('mfa'), long: limitFor('mfaDay') });

/** A CTE: one hit on `<prefix><user_id>` for each row of `from`, a window of `limit` long. */
function hitEach(prefix: string, limit: Limit, at: Date, from: RawBuilder<unknown>) {
  return <DB extends Database>(qb: QueryCreator<DB>) =>
    (qb as unknown as QueryCreator<Database>)
      .insertInto('rate_limits')
      .columns(['bucket', 'window_start', 'hits'])
      .expression(sql`SELECT ${prefix}::text || user_id::text, ${at}::timestamptz, 1 FROM ${from}`)
      .onConflict(countAnotherHit(sql<Date>`${new Date(at.getTime() - limit.windowMs)}::timestamptz`))
      .returning(['hits', 'window_start']);
}

/**
 * The CTEs that count one code for each row of the CTE `from` (its
 * `user_id`): `code_hits` (the short counter), then `code_hits_day` (the long
 * one), then `code_lock`, which locks the factor when the long count has
 * passed its cap. Each reads the one before, so they run, and lock their rows,
 * in that order in every statement. A factor row another statement holds (a
 * second step accepting a code, a removal) is skipped, not waited for: that
 * statement locks the counter after the factor, so waiting could close a
 * cycle; the next code over the cap locks it.
 */
export function countCode(db: QueryCreator<Database>, from: string, at: Date) {
  const { short, long } = limits();
  return db
    .with('code_hits', hitEach(MFA_BUCKET_PREFIX, short, at, sql`${sql.table(from)}`))
    .with('code_hits_day', hitEach(MFA_DAY_BUCKET_PREFIX, long, at, sql`${sql.table(from)} WHERE EXISTS (SELECT FROM code_hits)`))
    .with('code_lock', (qb) =>
      qb
        .updateTable('totp_factors')
        .set({ locked_at: at })
        .where(
          'user_id',
          'in',
          sql<number>`(SELECT user_id FROM totp_factors WHERE user_id IN (SELECT user_id FROM ${sql.table(from)}) AND locked_at IS NULL
            AND EXISTS (SELECT FROM code_hits_day WHERE hits > ${long.count}::int) FOR UPDATE SKIP LOCKED)`,
        )
        .returning('user_id'),
    );
}

/** The columns of countCode's counts, for the statement's final SELECT (null when no code was counted). */
export const codeCountColumns = [
  sql<number | null>`(SELECT hits FROM code_hits)`.as('code_hits'),
  sql<Date | null>`(SELECT window_start FROM code_hits)`.as('code_window_start'),
  sql<number | null>`(SELECT hits FROM code_hits_day)`.as('code_hits_day'),
  sql<Date | null>`(SELECT window_start FROM code_hits_day)`.as('code_day_window_start'),
  sql<boolean>`EXISTS (SELECT FROM code_lock)`.as('code_locked_now'),
] as const;

/** What the statement read: countCode's columns, and the factor's `locked_at` as it was before. */
export interface CodeCount {
  code_hits: number | null;
  code_window_start: Date | null;
  code_hits_day: number | null;
  code_day_window_start: Date | null;
  code_locked_now: boolean;
  locked_at: Date | null;
}

/**
 * Refuse the code when the factor is locked (429 mfa_locked, which no wait
 * lifts) or the short counter is over its limit (429 rate_limited with
 * Retry-After). The attempt that locked the factor, or that took the short
 * counter over its limit, e-mails the account first.
 */
export async function refuseOverLimits(
  count: CodeCount,
  account: Recipient & { id: number },
  by: Requester | Client,
  at: Date,
  /** Seconds another counter of the statement asks to wait (0: none). */
  otherWait = 0,
) {
  const { short, long } = limits();
  const state = count.code_window_start === null ? undefined : { hits: count.code_hits!, windowStart: count.code_window_start };
  // Only a code the statement counted meets the lock: a password alone (an enrolment) does not.
  const locked = count.code_hits !== null && (count.locked_at !== null || (count.code_hits_day ?? 0) > long.count);
  const tookOver = !locked && count.code_hits === short.count + 1;
  if (count.code_locked_now || tookOver) {
    const lock = count.code_locked_now;
    await notify(
      by,
      { purpose: lock ? 'mfa_locked' : 'mfa_limit_reached', accountId: account.id },
      (origin, appUrl) => (lock ? secondFactorLocked : secondFactorLimitReached)(account, origin, appUrl),
      at,
    );
  }
  if (locked) throw new HttpError('mfa_locked');
  const wait = Math.max(otherWait, retryAfterSeconds(state, short, at));
  if (wait > 0) throw rateLimited(wait);
}

/**
 * For the statement that acts on a right code, when `onlyIf` holds: the short
 * counter cleared, and this code's hit on the long one given back in the
 * window it was counted in. The wrong codes before it stay on the long one,
 * so the owner's logins do not forgive a guesser's codes, and the owner's own
 * right codes never add up to a lock.
 */
export function releaseCode<DB extends Database>(
  db: QueryCreator<DB>,
  userId: number,
  count: CodeCount,
  onlyIf: RawBuilder<boolean>,
): QueryCreator<DB> {
  return (db as unknown as QueryCreator<Database>)
    .with('code_released', (qb) =>
      qb.deleteFrom('rate_limits').where('bucket', '=', checks.mfa(userId).bucket).where(onlyIf).returning('bucket'),
    )
    .with('code_given_back', (qb) =>
      qb
        .updateTable('rate_limits')
        .set({ hits: sql`hits - 1` })
        .where('bucket', '=', checks.mfaDay(userId).bucket)
        .where('window_start', '=', count.code_day_window_start ?? new Date(0))
        .where('hits', '>', 0)
        .where(onlyIf)
        // Reads the CTE before it, so runs after it: the rows in countCode's order.
        .where(sql<boolean>`(SELECT count(*) FROM code_released) >= 0`),
    ) as unknown as QueryCreator<DB>;
}

/**
 * For a password reset's statement: the CTEs that end the lock of the account
 * in the CTE `from` (its `user_id`), the long counter deleted first, then the
 * factor's lock, the order countCode takes them in.
 */
export function unlockAfterReset<DB extends Database>(db: QueryCreator<DB>, from: string): QueryCreator<DB> {
  // Kysely's types are invariant in the CTEs' names; nothing after these names them.
  return (db as unknown as QueryCreator<Database>)
    .with('code_day_cleared', (qb) =>
      qb
        .deleteFrom('rate_limits')
        .where('bucket', 'in', sql<string>`(SELECT ${MFA_DAY_BUCKET_PREFIX}::text || user_id::text FROM ${sql.table(from)})`)
        .returning('bucket'),
    )
    .with('code_unlocked', (qb) =>
      qb
        .updateTable('totp_factors')
        .set({ locked_at: null })
        .where('user_id', 'in', sql<number>`(SELECT user_id FROM ${sql.table(from)})`)
        .where('locked_at', 'is not', null)
        // Reads the CTE before it, so runs after it.
        .where(sql<boolean>`(SELECT count(*) FROM code_day_cleared) >= 0`),
    ) as unknown as QueryCreator<DB>;
}
