// Password change by a logged-in user: the current password proves it is
// them; every other session is revoked, the one making the change is kept.
// A stolen session must not make it a password oracle: each attempt is
// counted on the account's login counters (per address; across addresses)
// before the current password is checked, as a login is.
import { sql, type QueryCreator, type RawBuilder } from 'kysely';
import { HttpError, rateLimited, validationFailed, type ErrorDetails } from '../../common/errors.ts';
import { now } from '../../config/clock.ts';
import { getDb } from '../../db/connection.ts';
import type { Database } from '../../db/schema.ts';
import { countAnotherHit, giveBackHits, retryAfterSeconds } from '../../rate-limit/counter.ts';
import { checks } from '../../rate-limit/limits.ts';
import { isKnownAddress } from '../login/known-addresses.ts';
import { selectLiveSession } from '../sessions/sessions.ts';
import type { TokenClaims } from '../sessions/tokens.ts';
import { hashPassword, verifyPassword } from './hash.ts';
import { passwordProblems } from './policy.ts';
import { isOverlong } from './problems.ts';

export interface PasswordChange {
  currentPassword: string;
  newPassword: string;
}

/**
 * 1 statement reads the caller's live session with the user's hash (401 if
 * gone) and counts the attempt on the account's login counters (429 when over
 * a limit, before any hash); a wrong current password (`details.currentPassword`)
 * and every rule the new one breaks, the breached-password check included
 * (`details.newPassword`), are reported together as 400, change nothing and
 * stay counted; otherwise 1 statement sets the hash, retires unused reset
 * tokens, deletes the user's other sessions and gives the attempt's hits back.
 */
export async function changePassword(claims: TokenClaims, input: PasswordChange, ip: string): Promise<{ revokedSessions: number }> {
  const db = getDb();
  const at = now();
  const account = checks.loginAccount(claims.userId, ip);
  const total = checks.loginAccountTotal(claims.userId);
  const ended = (windowMs: number) => sql<Date>`${new Date(at.getTime() - windowMs)}::timestamptz`;
  /** A CTE counting one hit on `check` for the caller found, when `condition` holds. */
  const counted = (check: typeof account, condition: RawBuilder<boolean> = sql<boolean>`true`) => <DB extends Database>(qb: QueryCreator<DB>) =>
    (qb as unknown as QueryCreator<Database>)
      .insertInto('rate_limits')
      .columns(['bucket', 'window_start', 'hits'])
      .expression(sql`SELECT ${check.bucket}::text, ${at}::timestamptz, 1 FROM caller WHERE ${condition}`)
      .onConflict(countAnotherHit(ended(check.limit.windowMs)))
      .returning(['bucket', 'hits', 'window_start']);
  const caller = await db
    .with('caller', () => selectLiveSession(claims, db).select('u.password_hash'))
    .with('attempt', counted(account))
    // As at login: counted across addresses only when this address's counter
    // lets the attempt through, its row locked after that one.
    .with('attempt_total', counted(total, sql<boolean>`NOT EXISTS (SELECT 1 FROM attempt WHERE hits > ${account.limit.count}::int)`))
    .selectFrom('caller')
    .leftJoin('attempt as a', (join) => join.onTrue())
    .leftJoin('attempt_total as t', (join) => join.onTrue())
    .select([
      'caller.password_hash',
      'caller.username',
      'caller.email',
      'a.hits as account_hits',
      'a.window_start as account_window_start',
      't.hits as total_hits',
      't.window_start as total_window_start',
      isKnownAddress(sql`caller.id`, ip, at).as('known_address'),
    ])
    .executeTakeFirst();
  if (caller === undefined) throw new HttpError('unauthenticated');
  const wait = Math.max(
    caller.account_window_start === null ? 0 : retryAfterSeconds({ hits: caller.account_hits!, windowStart: caller.account_window_start }, account.limit, at),
    caller.total_window_start === null || caller.known_address
      ? 0
      : retryAfterSeconds({ hits: caller.total_hits!, windowStart: caller.total_window_start }, total.limit, at),
  );
  if (wait > 0) throw rateLimited(wait);

  const details: ErrorDetails = {};
  // An overlong input is wrong without spending a hash on it. The hash and the
  // new password's checks (the breached-password one waits on the network) overlap.
  const [current, problems] = await Promise.all([
    isOverlong(input.currentPassword) ? { ok: false } : verifyPassword(input.currentPassword, caller.password_hash),
    passwordProblems(input.newPassword, caller),
  ]);
  if (!current.ok) details.currentPassword = ['is not correct'];
  if (problems.length > 0) details.newPassword = problems;
  if (Object.keys(details).length > 0) throw validationFailed(details);

  const passwordHash = await hashPassword(input.newPassword);
  const givenBack: [string, Date][] = [[account.bucket, caller.account_window_start!]];
  if (caller.total_window_start !== null) givenBack.push([total.bucket, caller.total_window_start]);
  const result = await db
    .with('changed', (qb) => qb.updateTable('users').set({ password_hash: passwordHash, updated_at: now() }).where('id', '=', claims.userId))
    .with('retired', (qb) =>
      qb
        .deleteFrom('one_time_tokens')
        .where('user_id', '=', claims.userId)
        .where('purpose', '=', 'reset_password')
        .where('used_at', 'is', null),
    )
    // The right current password is no failed attempt. Rows locked in the
    // counting order (this address's, then the one across addresses), so a
    // concurrent login and this statement never wait on each other in a cycle.
    .with('locked', (qb) =>
      qb
        .selectFrom('rate_limits')
        .select('bucket')
        .where('bucket', 'in', [account.bucket, total.bucket])
        .orderBy(sql`bucket = ${total.bucket}`)
        .forUpdate(),
    )
    .with('given_back', giveBackHits(givenBack))
    .deleteFrom('sessions')
    .where('user_id', '=', claims.userId)
    .where('id', '<>', claims.sessionId)
    .executeTakeFirst();
  return { revokedSessions: Number(result.numDeletedRows) };
}
