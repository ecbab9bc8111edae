// Login: at most 2 SQL statements on every path, rate limits included.
//   1. the attempt is counted BEFORE any hash is computed: one statement finds
//      the user (by username or e-mail) and UPSERTs the failure counters (per
//      address; per account and address; then, if those let it through, per
//      account across addresses), returning them with whether the account
//      logged in from this address in the last 30 days (then the limit across
//      addresses does not apply). Concurrent guesses therefore cannot all read
//      the counters before any of them is counted: no more than the limits
//      ever reach scrypt;
//   2. after the right password only: the attempt is released (this address's
//      counter for the account cleared, its hits on the per-address and
//      across-addresses counters given back) with the session INSERT, the
//      address remembered and, when the stored hash uses old parameters, its
//      upgrade, all as one statement. An unconfirmed account gets the release
//      without the session.
// A wrong password and an unknown user stay counted: the same 401 after one
// statement and one scrypt each.
// The audit trail costs no statement: statement 1 records a failed login of
// an existing account (rate_limited when a counter is over its limit, else
// wrong_password), and statement 2 turns that row into login_succeeded, or
// its reason into unconfirmed. A login that dies between the two (the
// database gone, say) stays a failed one, which it was.
// An account with a second factor gets, in statement 2, the release and a
// challenge instead of a session: 403 mfa_required with its mfaToken
// (src/auth/mfa/second-step.ts).
import { sql, type QueryCreator } from 'kysely';
import { HttpError, rateLimited } from '../../common/errors.ts';
import { now } from '../../config/clock.ts';
import type { Limit } from '../../config/settings.ts';
import { getDb } from '../../db/connection.ts';
import { foreignKeyViolation } from '../../db/errors.ts';
import type { Database, LoginFailure } from '../../db/schema.ts';
import { noteAccount } from '../../log/log.ts';
import { countAnotherHit, giveBackHits, retryAfterSeconds } from '../../rate-limit/counter.ts';
import { checks, limitFor, loginAccountKey, loginAccountTotalKey } from '../../rate-limit/limits.ts';
import { userFieldsOf, type UserFields } from '../../users/present.ts';
import type { Requester } from '../shared/requester.ts';
import { EVENT_COLUMNS, eventValues } from '../shared/event-rows.ts';
import { hashPassword, verifyPassword } from '../passwords/hash.ts';
import { isOverlong } from '../passwords/problems.ts';
import { hasSecondFactor, openChallenge } from '../mfa/second-step.ts';
import { AccountGone, createSession, type NewSession } from '../sessions/sessions.ts';
import { isKnownAddress, rememberAddress } from '../attempts/known-addresses.ts';

export interface Credentials {
  username?: string | undefined;
  email?: string | undefined;
  password: string;
}

let dummyHash: Promise<string> | undefined;

/**
 * One scrypt at the current parameters for a user that does not exist, so
 * the 401 takes as long as for a wrong password. The first call per process
 * makes the dummy hash, which is itself one scrypt.
 */
async function spendOneVerification(password: string): Promise<void> {
  if (dummyHash === undefined) {
    dummyHash = hashPassword('no user has this password: it only spends time');
    await dummyHash;
    return;
  }
  await verifyPassword(password, await dummyHash);
}

export interface LoginResult {
  user: UserFields;
  session: NewSession;
}

/**
 * Check a login attempt from `ip` (with `userAgent`, for the session and the
 * audit trail) and open a session. Throws 401
 * invalid_credentials, 403 account_not_confirmed (only after a correct
 * password) or 429 rate_limited; a password over the maximum length is 401
 * without any hashing or statement.
 */
export async function checkLogin(credentials: Credentials, ip: string, userAgent: string | null = null): Promise<LoginResult> {
  if (isOverlong(credentials.password)) throw new HttpError('invalid_credentials');
  const at = now();
  const by: Requester = { ip, userAgent };
  const ipLimit = limitFor('loginIp');
  const accountLimit = limitFor('loginAccount');
  const totalLimit = limitFor('loginAccountTotal');
  const row = await findUserCountingAttempt(credentials, by, at).catch(accountGone);
  if (row.id !== null) noteAccount(row.id);

  const wait = Math.max(
    retryAfterSeconds({ hits: row.ip_hits, windowStart: row.ip_window_start }, ipLimit, at),
    row.account_window_start === null
      ? 0
      : retryAfterSeconds({ hits: row.account_hits!, windowStart: row.account_window_start }, accountLimit, at),
    row.total_window_start === null || row.known_address
      ? 0
      : retryAfterSeconds({ hits: row.total_hits!, windowStart: row.total_window_start }, totalLimit, at),
  );
  if (wait > 0) throw rateLimited(wait);

  if (row.id === null || row.password_hash === null) {
    await spendOneVerification(credentials.password);
    throw new HttpError('invalid_credentials');
  }
  const { ok, needsRehash } = await verifyPassword(credentials.password, row.password_hash);
  if (!ok) throw new HttpError('invalid_credentials');

  const release = (outcome: Outcome) => releaseAttempt(row.id!, ip, row.ip_window_start, row.total_window_start, row.event_id!, outcome);
  if (row.confirmed_at === null) {
    await release('unconfirmed').selectNoFrom(sql<number>`1`.as('released')).execute().catch(accountGone);
    throw new HttpError('account_not_confirmed');
  }
  if (row.mfa) throw await openChallenge(row.id, release('second_factor') as unknown as QueryCreator<Database>);

  const userId = row.id;
  const oldHash = row.password_hash;
  const upgraded = needsRehash ? await hashPassword(credentials.password) : undefined;
  const remembered = rememberAddress(release('succeeded') as unknown as QueryCreator<Database>, userId, ip, at);
  const statement =
    upgraded === undefined
      ? remembered
      : remembered.with('rehashed', (qb) =>
          // Only if unchanged meanwhile: never overwrite a concurrent password change.
          qb.updateTable('users').set({ password_hash: upgraded }).where('id', '=', userId).where('password_hash', '=', oldHash),
        );
  // The CTEs only add names the INSERT never reads; Kysely's types are invariant in them.
  const session = await createSession(userId, statement as unknown as QueryCreator<Database>, by).catch(accountGone);
  return {
    user: userFieldsOf(row),
    session,
  };
}

/**
 * The account was deleted while this login ran (its failed-login event then
 * names a user that no longer exists, or no session could be opened): as if
 * it had never existed.
 */
function accountGone(error: unknown): never {
  if (error instanceof AccountGone || foreignKeyViolation(error) !== undefined) throw new HttpError('invalid_credentials');
  throw error;
}

/**
 * Statement 1: the user the credentials name (every user column null when
 * there is none), with this attempt counted on the per-address counter and,
 * for an existing user, on the per-account-and-address one and, when those
 * let it through, the one across addresses; the counters returned, with
 * whether the account logged in from this address lately and the id of the
 * failed login it records for an existing user.
 */
async function findUserCountingAttempt(credentials: Credentials, by: Requester, at: Date) {
  const ip = by.ip;
  const ipCheck = checks.loginIp(ip);
  const accountLimit = limitFor('loginAccount');
  const totalLimit = limitFor('loginAccountTotal');
  const { prefix, suffix } = loginAccountKey(ip);
  const total = loginAccountTotalKey;
  const [column, value] =
    credentials.username !== undefined ? (['username', credentials.username] as const) : (['email', credentials.email ?? ''] as const);
  // Postgres text cannot hold NUL, so no account has such a name, and the
  // driver could not even send it: look up a name that cannot exist instead,
  // for the same unknown-user answer and work.
  const lookup = value.includes('\0') ? '' : value.toLowerCase();
  const windowEndedBefore = (limit: Limit) => sql<Date>`${new Date(at.getTime() - limit.windowMs)}::timestamptz`;

  return (
    getDb()
      .with('account', (qb) =>
        qb
          .selectFrom('users')
          .select(['id', 'username', 'email', 'password_hash', 'confirmed_at', 'created_at', hasSecondFactor.as('mfa')])
          .where(column, '=', lookup),
      )
      .with('attempt', (qb) =>
        qb
          .insertInto('rate_limits')
          .columns(['bucket', 'window_start', 'hits'])
          .expression((eb) =>
            eb
              .selectFrom(
                sql<{
                  bucket: string;
                }>`(SELECT ${ipCheck.bucket}::text AS bucket UNION ALL SELECT ${prefix} || id::text || ${suffix} FROM account)`.as('b'),
              )
              .select(['b.bucket', sql<Date>`${at}::timestamptz`.as('window_start'), sql<number>`1`.as('hits')])
              // Rows are locked in bucket order, as countHits does: concurrent counting never deadlocks.
              .orderBy('b.bucket'),
          )
          .onConflict(
            countAnotherHit(
              sql<Date>`CASE WHEN rate_limits.bucket = ${ipCheck.bucket} THEN ${windowEndedBefore(ipCheck.limit)} ELSE ${windowEndedBefore(accountLimit)} END`,
            ),
          )
          .returning(['bucket', 'hits', 'window_start']),
      )
      // Counted across addresses only when the two counters above let the attempt
      // through: guesses one address can no longer make do not use up the owner's
      // budget elsewhere. Its row is always locked after theirs.
      .with('attempt_total', (qb) =>
        qb
          .insertInto('rate_limits')
          .columns(['bucket', 'window_start', 'hits'])
          .expression((eb) =>
            eb
              .selectFrom('account')
              .select([
                sql<string>`${total.prefix} || account.id::text || ${total.suffix}`.as('bucket'),
                sql<Date>`${at}::timestamptz`.as('window_start'),
                sql<number>`1`.as('hits'),
              ])
              .where(
                sql<boolean>`NOT EXISTS (SELECT 1 FROM attempt a
                WHERE a.hits > CASE WHEN a.bucket = ${ipCheck.bucket} THEN ${ipCheck.limit.count}::int ELSE ${accountLimit.count}::int END)`,
              ),
          )
          .onConflict(countAnotherHit(windowEndedBefore(totalLimit)))
          .returning(['bucket', 'hits', 'window_start']),
      )
      .with('recorded', (qb) =>
        qb
          .insertInto('security_events')
          .columns([...EVENT_COLUMNS])
          .expression((eb) =>
            eb.selectFrom('account').select([
              'id',
              ...eventValues(
                'login_failed',
                by,
                at,
                // The counts just returned decide as checkLogin will: over a limit is a 429.
                sql<LoginFailure>`CASE WHEN EXISTS (SELECT FROM attempt WHERE hits > CASE WHEN bucket = ${ipCheck.bucket}
                  THEN ${ipCheck.limit.count}::int ELSE ${accountLimit.count}::int END)
                OR (EXISTS (SELECT FROM attempt_total WHERE hits > ${totalLimit.count}::int) AND NOT ${isKnownAddress(sql`account.id`, ip, at)})
                THEN 'rate_limited' ELSE 'wrong_password' END`,
              ),
            ]),
          )
          .returning('id'),
      )
      .selectFrom('attempt as by_ip')
      .leftJoin('account as u', (join) => join.onTrue())
      .leftJoin('attempt as by_account', (join) => join.onRef('by_account.bucket', '<>', 'by_ip.bucket'))
      .leftJoin('attempt_total as by_total', (join) => join.onTrue())
      .leftJoin('recorded as e', (join) => join.onTrue())
      .where('by_ip.bucket', '=', ipCheck.bucket)
      .select([
        'u.id',
        'u.username',
        'u.email',
        'u.password_hash',
        'u.confirmed_at',
        'u.created_at',
        'u.mfa',
        'by_ip.hits as ip_hits',
        'by_ip.window_start as ip_window_start',
        'by_account.hits as account_hits',
        'by_account.window_start as account_window_start',
        'by_total.hits as total_hits',
        'by_total.window_start as total_window_start',
        isKnownAddress(sql`u.id`, ip, at).as('known_address'),
        'e.id as event_id',
      ])
      .executeTakeFirstOrThrow()
  );
}

/**
 * Statement 2's CTEs, after a correct password, which is no failed login:
 * statement 1's event becomes a login_succeeded, or a failure as unconfirmed.
 * Only this address's counter for the account is cleared, and only this
 * attempt's hits given back on the per-address counter and the account's
 * counter across addresses (each in the window it was counted in): clearing
 * more would let a guesser reset the per-address counter by logging into an
 * account of their own, or the owner reopen their account to guesses spread
 * over other addresses. The caller ends the statement: the session INSERT, or
 * nothing more for an unconfirmed account.
 */
/** How a right password ends: a session, an unconfirmed account, or the second factor's challenge. */
type Outcome = 'succeeded' | 'unconfirmed' | 'second_factor';

function releaseAttempt(userId: number, ip: string, ipWindowStart: Date, totalWindowStart: Date | null, eventId: number, outcome: Outcome) {
  const accountBucket = checks.loginAccount(userId, ip).bucket;
  const ipBucket = checks.loginIp(ip).bucket;
  const totalBucket = checks.loginAccountTotal(userId).bucket;
  const givenBack: [string, Date][] = [[ipBucket, ipWindowStart]];
  if (totalWindowStart !== null) givenBack.push([totalBucket, totalWindowStart]);
  return (
    getDb()
      // The rows locked first, in the order the counting statement locks them
      // (the per-address and per-account rows by bucket, then the one across
      // addresses), so a concurrent attempt and this release never wait on
      // each other in a cycle.
      .with('locked', (qb) =>
        qb
          .selectFrom('rate_limits')
          .select('bucket')
          .where('bucket', 'in', [accountBucket, ipBucket, totalBucket])
          .orderBy(sql`bucket = ${totalBucket}`)
          .orderBy('bucket')
          .forUpdate(),
      )
      .with('cleared', (qb) =>
        qb
          .deleteFrom('rate_limits')
          .where('bucket', '=', accountBucket)
          .where('bucket', 'in', (eb) => eb.selectFrom('locked').select('bucket')),
      )
      .with('given_back', giveBackHits(givenBack))
      .with('outcome', (qb) =>
        outcome === 'second_factor'
          ? // Neither failed nor done: the second step records how it ends (src/auth/mfa/events.ts).
            qb.deleteFrom('security_events').where('id', '=', eventId)
          : qb
              .updateTable('security_events')
              .set(outcome === 'succeeded' ? { kind: 'login_succeeded', reason: null } : { reason: 'unconfirmed' })
              .where('id', '=', eventId),
      )
  );
}
