// The caller proves it is the account's owner with its password, before a
// change that could take the account away from them (deletion, a new e-mail
// address). Wrong guesses count on the login's per-account counter, so a
// stolen session cannot be used to try passwords at leisure.
import { sql } from 'kysely';
import { HttpError, rateLimited, validationFailed } from '../../common/errors.ts';
import { getDb } from '../../db/connection.ts';
import { countAnotherHit, retryAfterSeconds } from '../../rate-limit/counter.ts';
import { checks } from '../../rate-limit/limits.ts';
import { userFieldsOf, type UserFields } from '../../users/present.ts';
import type { Requester } from '../accounts/client.ts';
import { selectLiveSession, sessionClock } from '../sessions/sessions.ts';
import type { TokenClaims } from '../sessions/tokens.ts';
import { verifyPassword } from './hash.ts';
import { isOverlong } from './problems.ts';

/**
 * 1 statement: the caller's live session and user, with this attempt counted
 * on the per-account-and-address failure counter (as a login from `by.ip`
 * is). 401 when the session is not live; 429 when the counter is over its
 * limit, before any hashing; 400 with `details.password` when the password is
 * wrong (an overlong one without hashing). The attempt stays counted unless
 * the operation's next statement carries releaseProof.
 */
export async function proveOwnership(claims: TokenClaims, password: string, by: Requester): Promise<UserFields> {
  const clock = sessionClock();
  const at = clock.at;
  const check = checks.loginAccount(claims.userId, by.ip);
  const row = await getDb()
    .with('caller', (qb) => selectLiveSession(claims, qb, clock).select('u.password_hash'))
    .with('attempt', (qb) =>
      qb
        .insertInto('rate_limits')
        .columns(['bucket', 'window_start', 'hits'])
        .expression((eb) =>
          eb.selectFrom('caller').select([sql<string>`${check.bucket}::text`.as('bucket'), sql<Date>`${at}::timestamptz`.as('window_start'), sql<number>`1`.as('hits')]),
        )
        .onConflict(countAnotherHit(sql<Date>`${new Date(at.getTime() - check.limit.windowMs)}::timestamptz`))
        .returning(['hits', 'window_start']),
    )
    .selectFrom('caller')
    .innerJoin('attempt', (join) => join.onTrue())
    .selectAll('caller')
    .select(['attempt.hits', 'attempt.window_start'])
    .executeTakeFirst();
  if (row === undefined) throw new HttpError('unauthenticated');
  const wait = retryAfterSeconds({ hits: row.hits, windowStart: row.window_start }, check.limit, at);
  if (wait > 0) throw rateLimited(wait);
  const ok = !isOverlong(password) && (await verifyPassword(password, row.password_hash)).ok;
  if (!ok) throw validationFailed({ password: ['is not correct'] });
  return userFieldsOf(row);
}

/**
 * The first CTE of the statement that follows a correct proof: the
 * per-account-and-address counter it counted on is cleared, as a login's
 * correct password clears it, so an owner's own changes never lock them out.
 */
export function releaseProof(claims: TokenClaims, by: Requester) {
  return getDb().with('released', (qb) => qb.deleteFrom('rate_limits').where('bucket', '=', checks.loginAccount(claims.userId, by.ip).bucket));
}
