// The caller proves it is the account's owner with its password, before a
// change that could take the account away from them (a password change,
// deletion, a new e-mail address). A stolen session must not make these a
// password oracle: each attempt is counted on the account's login counters
// (per address; across addresses) before the password is checked, as a login is.
import { sql } from 'kysely';
import { HttpError, rateLimited, validationFailed } from '../../common/errors.ts';
import { getDb } from '../../db/connection.ts';
import { countHitFor, giveBackHits, retryAfterSeconds } from '../../rate-limit/counter.ts';
import { checks, type Check } from '../../rate-limit/limits.ts';
import { userFieldsOf, type UserFields } from '../../users/present.ts';
import type { Requester } from '../shared/requester.ts';
import { isKnownAddress } from '../attempts/known-addresses.ts';
import { selectLiveSession, sessionClock } from '../sessions/sessions.ts';
import type { TokenClaims } from '../sessions/tokens.ts';
import { verifyPassword } from './hash.ts';
import { isOverlong } from './problems.ts';

export interface ProofAttempt {
  user: UserFields;
  passwordHash: string;
  /** The two counters, in the order they are locked. */
  counters: [account: Check, total: Check];
  /** The hits this attempt added, with the window each was counted in. */
  hits: [string, Date][];
}

/**
 * 1 statement: the caller's live session and user with the hash, and this
 * attempt counted on the per-account-and-address login counter and, when that
 * one lets it through, the account's counter across addresses (which a
 * recently used login address does not answer to). 401 when the session is
 * not live; 429 over a limit, before any hash. The attempt stays counted
 * unless the operation's next statement carries releaseProof.
 */
export async function countProofAttempt(claims: TokenClaims, by: Requester): Promise<ProofAttempt> {
  const clock = sessionClock();
  const at = clock.at;
  const db = getDb();
  const account = checks.loginAccount(claims.userId, by.ip);
  const total = checks.loginAccountTotal(claims.userId);
  const row = await db
    .with('caller', () => selectLiveSession(claims, db, clock).select('u.password_hash'))
    .with('attempt', countHitFor(account, at, 'caller'))
    // As at login: counted across addresses only when this address's counter
    // lets the attempt through, its row locked after that one.
    .with(
      'attempt_total',
      countHitFor(total, at, 'caller', sql<boolean>`NOT EXISTS (SELECT 1 FROM attempt WHERE hits > ${account.limit.count}::int)`),
    )
    .selectFrom('caller')
    .leftJoin('attempt as a', (join) => join.onTrue())
    .leftJoin('attempt_total as t', (join) => join.onTrue())
    .selectAll('caller')
    .select([
      'a.hits as account_hits',
      'a.window_start as account_window_start',
      't.hits as total_hits',
      't.window_start as total_window_start',
      isKnownAddress(sql`caller.id`, by.ip, at).as('known_address'),
    ])
    .executeTakeFirst();
  if (row === undefined) throw new HttpError('unauthenticated');
  const wait = Math.max(
    row.account_window_start === null
      ? 0
      : retryAfterSeconds({ hits: row.account_hits!, windowStart: row.account_window_start }, account.limit, at),
    row.total_window_start === null || row.known_address
      ? 0
      : retryAfterSeconds({ hits: row.total_hits!, windowStart: row.total_window_start }, total.limit, at),
  );
  if (wait > 0) throw rateLimited(wait);
  const hits: [string, Date][] = [[account.bucket, row.account_window_start!]];
  if (row.total_window_start !== null) hits.push([total.bucket, row.total_window_start]);
  return { user: userFieldsOf(row), passwordHash: row.password_hash, counters: [account, total], hits };
}

/**
 * countProofAttempt, then the password checked: 400 with `details.password`
 * when it is wrong (an overlong one without hashing), the attempt counted.
 */
export async function proveOwnership(claims: TokenClaims, password: string, by: Requester): Promise<ProofAttempt> {
  const attempt = await countProofAttempt(claims, by);
  const ok = !isOverlong(password) && (await verifyPassword(password, attempt.passwordHash)).ok;
  if (!ok) throw validationFailed({ password: ['is not correct'] });
  return attempt;
}

/**
 * The first CTEs of the statement that follows a correct password, which is
 * no failed attempt: its hits given back. The rows are locked in the counting
 * order (this address's, then the one across addresses), so a concurrent
 * login and this statement never wait on each other in a cycle.
 */
export function releaseProof(attempt: ProofAttempt) {
  const [account, total] = attempt.counters;
  return getDb()
    .with('locked', (qb) =>
      qb
        .selectFrom('rate_limits')
        .select('bucket')
        .where('bucket', 'in', [account.bucket, total.bucket])
        .orderBy(sql`bucket = ${total.bucket}`)
        .forUpdate(),
    )
    .with('given_back', giveBackHits(attempt.hits));
}
