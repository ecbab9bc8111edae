// Login: at most 2 SQL statements on every path, rate limits included.
//   1. the attempt is counted BEFORE any hash is computed: one statement finds
//      the user (by username or e-mail) and counts the attempt on the login
//      counters (src/auth/attempts/password-attempt.ts: per address, and for
//      an existing user per account and address and across addresses).
//      Concurrent guesses therefore cannot all read the counters before any
//      of them is counted: no more than the limits ever reach scrypt;
//   2. after the right password only: the attempt is released (this address's
//      counter for the account cleared, its other hits given back) with the
//      session INSERT, the address remembered and, when the stored hash uses
//      old parameters, its upgrade, all as one statement. An unconfirmed
//      account gets the release without the session.
// A wrong password and an unknown user stay counted: the same 401 after one
// statement and one scrypt each.
// The audit trail costs no statement: statement 1 records a failed login of
// an existing account (wrong_password, or rate_limited for the first attempt
// over a limit in a window: keptInTrail), and statement 2 turns that row into
// login_succeeded, or its reason into unconfirmed. A login that dies between
// the two (the database gone, say) stays a failed one, which it was.
// An account with a second factor gets, in statement 2, the release and a
// challenge instead of a session: 403 mfa_required with its mfaToken
// (src/auth/mfa/second-step.ts).
import { sql, type QueryCreator } from 'kysely';
import { HttpError, rateLimited } from '../../common/errors.ts';
import { now } from '../../config/clock.ts';
import { getDb } from '../../db/connection.ts';
import { foreignKeyViolation } from '../../db/errors.ts';
import type { Database, LoginFailure } from '../../db/schema.ts';
import { noteAccount } from '../../log/log.ts';
import { checks, limitFor } from '../../rate-limit/limits.ts';
import { userFieldsOf, type UserFields } from '../../users/present.ts';
import { rememberAddress } from '../attempts/known-addresses.ts';
import { passwordAttempt, releaseAttempt, type CountedAttempt, type PasswordAttempt } from '../attempts/password-attempt.ts';
import { anyPasskey } from '../base/enabled-factor.ts';
import { rowsIn } from '../base/rows-in.ts';
import { hasSecondFactor, openChallenge, recoveryCodesLeft, secondStepMethods } from '../mfa/second-step.ts';
import { hashPassword, verifyPassword } from '../passwords/hash.ts';
import { isOverlong } from '../passwords/problems.ts';
import { AccountGone, createSession, notBanned, type NewSession } from '../sessions/sessions.ts';
import { EVENT_COLUMNS, eventValues } from '../base/event-rows.ts';
import type { Requester } from '../base/requester.ts';

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
 * invalid_credentials, 403 account_banned or account_not_confirmed (only after a correct
 * password) or 429 rate_limited; a password over the maximum length is 401
 * without any hashing or statement.
 */
export async function checkLogin(credentials: Credentials, ip: string, userAgent: string | null = null): Promise<LoginResult> {
  if (isOverlong(credentials.password)) throw new HttpError('invalid_credentials');
  const at = now();
  const by: Requester = { ip, userAgent };
  const attempt = passwordAttempt(ip, at, { perAddress: true });
  const row = await findUserCountingAttempt(credentials, by, attempt, at).catch(accountGone);
  if (row.id !== null) noteAccount(row.id);
  const counted = attempt.read(row);
  if (counted.wait > 0) throw rateLimited(counted.wait);

  if (row.id === null || row.password_hash === null) {
    await spendOneVerification(credentials.password);
    throw new HttpError('invalid_credentials');
  }
  const { ok, needsRehash } = await verifyPassword(credentials.password, row.password_hash);
  if (!ok) throw new HttpError('invalid_credentials');

  const oldHash = row.password_hash;
  const release = (outcome: Outcome) => releasingAttempt(row.id!, oldHash, counted, row.event_id!, outcome);
  const refusal = async (outcome: 'banned' | 'unconfirmed', error: HttpError) => {
    const { kept } = await release(outcome).selectNoFrom(PASSWORD_KEPT.as('kept')).executeTakeFirstOrThrow().catch(accountGone);
    return kept ? error : new HttpError('invalid_credentials');
  };
  if (row.banned) throw await refusal('banned', new HttpError('account_banned'));
  if (row.confirmed_at === null) throw await refusal('unconfirmed', new HttpError('account_not_confirmed'));
  if (row.mfa) {
    const methods = secondStepMethods({ recoveryCodes: row.recovery_codes_left === true, passkeys: row.passkeys === true });
    throw await openChallenge(row.id, release('second_factor') as unknown as QueryCreator<Database>, {
      methods,
      onlyIf: PASSWORD_KEPT,
    }).catch(accountGone);
  }

  const userId = row.id;
  const upgraded = needsRehash ? await hashPassword(credentials.password) : undefined;
  const remembered = rememberAddress(release('succeeded') as unknown as QueryCreator<Database>, userId, ip, at, PASSWORD_KEPT);
  const statement =
    upgraded === undefined
      ? remembered
      : remembered.with('rehashed', (qb) =>
          // Only if unchanged meanwhile: never overwrite a concurrent password change.
          qb.updateTable('users').set({ password_hash: upgraded }).where('id', '=', userId).where('password_hash', '=', oldHash),
        );
  // The CTEs only add names the INSERT never reads; Kysely's types are invariant in them.
  const session = await createSession(userId, statement as unknown as QueryCreator<Database>, by, PASSWORD_KEPT).catch(accountGone);
  return {
    user: userFieldsOf(row),
    session,
  };
}

/**
 * The account was deleted while this login ran (its failed-login event then
 * names a user that no longer exists, or no session could be opened), or its
 * password changed since statement 1 read the hash: as if it had never
 * existed, or the password were wrong.
 */
function accountGone(error: unknown): never {
  if (error instanceof AccountGone || foreignKeyViolation(error) !== undefined) throw new HttpError('invalid_credentials');
  throw error;
}

/** How a right password ends: a session, an unconfirmed or banned account, or the second factor's challenge. */
type Outcome = 'succeeded' | 'unconfirmed' | 'banned' | 'second_factor';

/**
 * Statement 1: the user the credentials name (every user column null when
 * there is none), with this attempt counted (src/auth/attempts/password-attempt.ts:
 * on the address's counter, and for an existing user on the account's), the
 * counters returned with whether the account logged in from this address
 * lately, and the id of the failed login it records for an existing user.
 */
async function findUserCountingAttempt(credentials: Credentials, by: Requester, attempt: PasswordAttempt, at: Date) {
  const [column, value] =
    credentials.username !== undefined ? (['username', credentials.username] as const) : (['email', credentials.email ?? ''] as const);
  // Postgres text cannot hold NUL, so no account has such a name, and the
  // driver could not even send it: look up a name that cannot exist instead,
  // for the same unknown-user answer and work.
  const lookup = value.includes('\0') ? '' : value.toLowerCase();
  const db = getDb().with('account', (qb) =>
    qb
      .selectFrom('users')
      .select(['id', 'username', 'email', 'password_hash', 'confirmed_at', 'created_at', hasSecondFactor.as('mfa')])
      // What the second step may take, for mfa_required's methods (told only after the right password).
      .select([recoveryCodesLeft.as('recovery_codes_left'), anyPasskey(sql.ref('users.id')).as('passkeys')])
      .select(sql<boolean>`NOT ${notBanned('users', at)}`.as('banned'))
      .where(column, '=', lookup),
  );
  return (
    attempt
      .count(db, 'account')
      .with('recorded', (qb) =>
        qb
          .insertInto('security_events')
          .columns([...EVENT_COLUMNS])
          .expression((eb) =>
            eb
              .selectFrom('account')
              .select([
                'id',
                ...eventValues(
                  'login_failed',
                  by,
                  at,
                  // The counts just returned decide as checkLogin will: over a limit is a 429.
                  sql<LoginFailure>`CASE WHEN ${attempt.overLimit(sql`account.id`)} THEN 'rate_limited' ELSE 'wrong_password' END`,
                ),
              ])
              .where(keptInTrail(attempt, at)),
          )
          .returning('id'),
      )
      // One row whether or not an account was found: the address's counter always has one.
      .selectFrom('attempt as by_ip')
      .leftJoin('account as u', (join) => join.onTrue())
      .leftJoin('recorded as e', (join) => join.onTrue())
      .where('by_ip.bucket', '=', checks.loginIp(by.ip).bucket)
      .select([
        'u.id',
        'u.username',
        'u.email',
        'u.password_hash',
        'u.confirmed_at',
        'u.created_at',
        'u.mfa',
        'u.recovery_codes_left',
        'u.passkeys',
        'u.banned',
        ...attempt.columns(sql`u.id`),
        'e.id as event_id',
      ])
      .executeTakeFirstOrThrow()
  );
}

/**
 * The failed logins statement 1 records, so that strangers cannot fill an
 * account's trail: every attempt under the limits (its password is checked,
 * and the limits bound how many), and of those refused with 429 only the one
 * that took a counter over its limit, when the account has no rate_limited
 * row from the last window of RATE_LIMIT_LOGIN_ACCOUNT: one a window,
 * whatever the number of addresses.
 */
function keptInTrail(attempt: PasswordAttempt, at: Date) {
  const since = new Date(at.getTime() - limitFor('loginAccount').windowMs);
  return sql<boolean>`(NOT ${attempt.overLimit(sql`account.id`)} OR (${attempt.tookOverLimit(sql`account.id`)} AND NOT EXISTS (
    SELECT FROM security_events r WHERE r.user_id = account.id AND r.kind = 'login_failed' AND r.reason = 'rate_limited'
      AND r.created_at > ${since}::timestamptz)))`;
}

/** Statement 2's condition for every write: the account's password is still the one statement 1 checked. */
const PASSWORD_KEPT = rowsIn('password_kept');

/**
 * Statement 2's CTEs, after a correct password, which is no failed login:
 * `password_kept`, the account row read FOR KEY SHARE (before any other row,
 * the order a deletion takes them in) while its hash is the one checked, on
 * which every write depends (PASSWORD_KEPT); the attempt released (this
 * address's counter for the account cleared, the other hits given back) and
 * statement 1's event made a login_succeeded, or a failure as unconfirmed or
 * banned, or removed for the second step. The caller ends the statement: the
 * session INSERT, the challenge, or nothing more.
 *
 * A reset or a password change that committed after statement 1 read the hash
 * ended every session and challenge: the password checked is no longer the
 * account's, so nothing is written and the login is a wrong password (401),
 * statement 1's count and login_failed standing.
 */
function releasingAttempt(userId: number, checkedHash: string, counted: CountedAttempt, eventId: number, outcome: Outcome) {
  const kept = getDb().with('password_kept', (qb) =>
    qb.selectFrom('users').select('id').where('id', '=', userId).where('password_hash', '=', checkedHash).forKeyShare(),
  );
  return releaseAttempt(kept, userId, counted, { clearAccountCounter: true, onlyIf: PASSWORD_KEPT }).with('outcome', (qb) =>
    outcome === 'second_factor'
      ? // Neither failed nor done: the second step records how it ends (src/auth/mfa/events.ts).
        qb.deleteFrom('security_events').where('id', '=', eventId).where(PASSWORD_KEPT)
      : qb
          .updateTable('security_events')
          .set(outcome === 'succeeded' ? { kind: 'login_succeeded', reason: null } : { reason: outcome })
          .where('id', '=', eventId)
          .where(PASSWORD_KEPT),
  );
}
