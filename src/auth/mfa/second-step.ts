// Login for an account with a second factor: after the right password, the
// password step opens a challenge instead of a session and answers 403
// mfa_required with its mfaToken (random, valid 5 minutes, 5 tries, only its
// SHA-256 stored); POST /api/login/mfa trades the token and a code for the
// session POST /api/login would have opened.
import { sql, type Expression, type QueryCreator, type SqlBool } from 'kysely';
import { randomBytes } from 'node:crypto';
import { HttpError } from '../../common/errors.ts';
import { now } from '../../config/clock.ts';
import { getDb } from '../../db/connection.ts';
import type { Database } from '../../db/schema.ts';
import { recoveryCodeUsed } from '../../mail/templates.ts';
import { limitFor } from '../../rate-limit/limits.ts';
import { userFieldsOf, type UserFields } from '../../users/present.ts';
import { hashSecret } from '../codes/tokens.ts';
import { rememberAddress } from '../attempts/known-addresses.ts';
import type { Client, Requester } from '../base/requester.ts';
import { notify } from '../codes/delivery.ts';
import { AccountGone, createSession, type NewSession } from '../sessions/sessions.ts';
import { acceptCode, checkCode, recoveryLookup } from './codes.ts';
import { enabledFactor } from '../base/enabled-factor.ts';
import { rowsIn } from '../base/rows-in.ts';
import { eventBecomes, eventFrom, keptInTrail, MFA_EVENT } from './events.ts';
import { codeCountColumns, countCode, refuseOverLimits, releaseCode } from './guesses.ts';
import { mfaKeys } from './sealed-secret.ts';

const CHALLENGE_TTL_MS = 5 * 60_000;

/** For the login's lookup: true for a row of `users` whose factor is confirmed. */
export const hasSecondFactor = enabledFactor(sql.ref('users.id'));
export const CHALLENGE_TRIES = 5;

/** For the login's lookup: the account of a row of `users` has recovery codes left. */
export const recoveryCodesLeft = sql<boolean>`EXISTS (SELECT FROM recovery_codes r WHERE r.user_id = users.id)`;

export type SecondStepMethod = 'totp' | 'recovery_code' | 'passkey';

/** What the second step of an account with a factor takes: the app's codes always; recovery codes while any is left; its passkeys. */
export const secondStepMethods = (has: { recoveryCodes: boolean; passkeys: boolean }): SecondStepMethod[] => [
  'totp',
  ...(has.recoveryCodes ? (['recovery_code'] as const) : []),
  ...(has.passkeys ? (['passkey'] as const) : []),
];

/**
 * The password step's second statement for such an account: the CTEs the
 * login runs after a right password (`db`), ending in the challenge's INSERT,
 * when `onlyIf` (a condition on `db`'s CTEs) holds. Returns the 403 to throw,
 * naming the `methods` the second step takes; throws AccountGone when
 * `onlyIf` did not hold.
 */
export async function openChallenge(
  userId: number,
  db: QueryCreator<Database>,
  { methods, amr = 'pwd', onlyIf = sql<boolean>`true` }: { methods: SecondStepMethod[]; amr?: 'pwd' | 'fed'; onlyIf?: Expression<SqlBool> },
): Promise<HttpError> {
  const mfaToken = randomBytes(32).toString('base64url');
  const opened = await db
    .insertInto('mfa_challenges')
    .columns(['user_id', 'token_hash', 'expires_at', 'tries_left', 'amr'])
    .expression(
      // A bare SELECT: `db` would repeat its CTEs inside the INSERT.
      getDb()
        .selectNoFrom([
          sql<number>`${userId}::bigint`.as('user_id'),
          sql<Buffer>`${hashSecret(mfaToken)}::bytea`.as('token_hash'),
          sql<Date>`${new Date(now().getTime() + CHALLENGE_TTL_MS)}::timestamptz`.as('expires_at'),
          sql<number>`${CHALLENGE_TRIES}::smallint`.as('tries_left'),
          sql<'pwd' | 'fed'>`${amr}::text`.as('amr'),
        ])
        .where(onlyIf),
    )
    .executeTakeFirst();
  if (opened.numInsertedOrUpdatedRows === 0n) throw new AccountGone(`no challenge opened for user ${userId}`);
  return new HttpError('mfa_required', undefined, { fields: { mfaToken, methods } });
}

/**
 * The first CTE of each statement of the second step (a code's or a
 * passkey's), `holder`: the ticket's account row read FOR KEY SHARE, the
 * ticket given by its token (statement 1) or its account (statement 2). The
 * CTE that takes the ticket's row reads it (HELD_TICKET), so the account row
 * is taken first. A deletion of the account takes it first too, then the
 * ticket by the foreign keys' cascade: in the other order the two closed a
 * cycle (a 503). Now the step waits for the deletion, then finds no account
 * and no ticket (401), or the deletion waits for the step and ends its session.
 */
export function lockTicketHolder(ticket: { tokenHash: Buffer } | { userId: number }) {
  return getDb().with('holder', (qb) =>
    qb
      .selectFrom('users')
      .select('id')
      .where(
        'id',
        '=',
        'userId' in ticket
          ? ticket.userId
          : (eb) => eb.selectFrom('mfa_challenges').select('user_id').where('token_hash', '=', ticket.tokenHash),
      )
      .forKeyShare(),
  );
}

/** For the CTE that takes the ticket's row after lockTicketHolder: the row is that account's. */
export const HELD_TICKET = sql<boolean>`user_id IN (SELECT id FROM holder)`;

/**
 * Statement 1 of either way through the second step (a code, a passkey): the
 * ticket's account row, then one try of the ticket spent, as the CTE
 * `challenge`, BEFORE its answer is checked.
 */
export function spendTicketTry(tokenHash: Buffer, at: Date) {
  return lockTicketHolder({ tokenHash }).with('challenge', (qb) =>
    qb
      .updateTable('mfa_challenges')
      .set({ tries_left: sql`tries_left - 1` })
      .where('token_hash', '=', tokenHash)
      .where('expires_at', '>', at)
      .where('tries_left', '>', 0)
      .where(HELD_TICKET)
      .returning(['id', 'user_id', 'amr']),
  );
}

/**
 * POST /api/login/mfa — 2 statements on success, 1 for a refusal (each takes
 * the account row before the ticket's: lockTicketHolder):
 *   1. one try of the challenge spent (so 5 concurrent guesses are all that
 *      one token ever gets) and one hit counted on the account's
 *      second-factor counters (guesses.ts), BEFORE the code is checked,
 *      returning the user, the sealed secret, the last accepted step, the
 *      factor's lock and whether the code is one of the recovery codes;
 *   2. after a right code: the code accepted by compare-and-set, the
 *      challenge deleted (its row locked before the code is taken, so one token opens one
 *      session), the counters released (guesses.ts), the address remembered as the login's
 *      (src/auth/attempts/known-addresses.ts), and the session INSERT, which
 *      happens only if the code was accepted.
 * 401 mfa_token_invalid for a token that is unknown, used, expired or out of
 * tries; 401 invalid_mfa_code for a wrong or replayed code; 429 over the
 * account's limit (RATE_LIMIT_MFA), 429 mfa_locked once the factor is locked
 * (RATE_LIMIT_MFA_DAY). A recovery code used e-mails the account, after the answer.
 */
export async function completeSecondStep(
  input: { mfaToken: string; code: string },
  by: Requester | Client,
): Promise<{ user: UserFields; session: NewSession }> {
  const ip = by.ip;
  mfaKeys();
  const at = now();
  const tokenHash = hashSecret(input.mfaToken);
  const counted = spendTicketTry(tokenHash, at);
  const row = await countCode(counted as unknown as QueryCreator<Database>, 'challenge', at)
    // A refused code until statement 2 says otherwise.
    .with('recorded', eventFrom('challenge', MFA_EVENT.failed, by, at, keptInTrail('code_hits', limitFor('mfa'))))
    .selectFrom(sql<{ id: number; user_id: number; amr: 'pwd' | 'fed' }>`challenge`.as('c'))
    // No event once over the limit: the attempt is refused all the same.
    .leftJoin(sql<{ id: number }>`recorded`.as('e'), (join) => join.onTrue())
    .innerJoin('users as u', 'u.id', 'c.user_id')
    .innerJoin('totp_factors as f', 'f.user_id', 'c.user_id')
    .where('f.confirmed_at', 'is not', null)
    .select([
      'c.id as challenge_id',
      'c.amr',
      'u.id',
      'u.username',
      'u.email',
      'u.confirmed_at',
      'u.created_at',
      'f.secret_sealed',
      'f.last_used_step',
      'f.locked_at',
      ...codeCountColumns,
      'e.id as event_id',
      sql<number>`(SELECT count(*)::int FROM recovery_codes r WHERE r.user_id = c.user_id)`.as('recovery_codes'),
      sql<boolean>`EXISTS (SELECT FROM recovery_codes r WHERE r.user_id = c.user_id AND r.code_hash = ${recoveryLookup(input.code)})`.as(
        'recovery_code_found',
      ),
    ])
    .executeTakeFirst();
  if (row === undefined) throw new HttpError('mfa_token_invalid');
  await refuseOverLimits(row, row, by, at);
  const userId = row.id;
  const accepted = checkCode(
    input.code,
    { userId, sealed: row.secret_sealed, lastUsedStep: row.last_used_step, recoveryCodeFound: row.recovery_code_found },
    at,
  );
  if (accepted === undefined) throw new HttpError('invalid_mfa_code');

  // The challenge is locked, after its account row, before the code is taken: a concurrent use of the same token waits
  // here, then finds it gone and accepts (spends) no code.
  const locked = lockTicketHolder({ userId }).with('locked', (qb) =>
    qb.selectFrom('mfa_challenges').select('id').where('id', '=', row.challenge_id).where(HELD_TICKET).forUpdate(),
  );
  const taking = acceptCode(locked as unknown as QueryCreator<Database>, userId, accepted, rowsIn('locked'))
    .with('consumed', (qb) =>
      qb
        .deleteFrom('mfa_challenges')
        .where('id', '=', row.challenge_id)
        .where(rowsIn('locked'))
        .where(rowsIn('accepted'))
        .returning(['id', 'user_id']),
    )
    .with('consumed_user', (qb) => qb.selectFrom('consumed').select('user_id'))
    .with('logged_in', eventBecomes(row.event_id!, MFA_EVENT.loggedIn, rowsIn('consumed')))
    .with(
      'recovery_used',
      eventFrom('consumed_user', MFA_EVENT.recoveryCodeUsed, by, at, sql<boolean>`${accepted.kind === 'recovery'}::boolean`),
    );
  const statement = releaseCode(taking as unknown as QueryCreator<Database>, userId, row, rowsIn('consumed'));
  // A login completed from this address: it is known to the account from now on, as after a password-only login.
  const remembered = rememberAddress(statement as unknown as QueryCreator<Database>, userId, ip, at, rowsIn('consumed'));
  try {
    // The CTEs only add names the INSERT never reads; Kysely's types are invariant in them.
    // A recovery code is a one-time password too (RFC 8176 has no value of its own for it): `otp` either way,
    // after the first step's method (the password, or another identity provider).
    const session = await createSession(userId, remembered as unknown as QueryCreator<Database>, by, rowsIn('consumed'), [row.amr, 'otp']);
    if (accepted.kind === 'recovery') {
      await notify(
        by,
        { purpose: 'recovery_code_used', accountId: userId },
        (origin, appUrl) => recoveryCodeUsed(row, row.recovery_codes - 1, origin, appUrl),
        at,
      );
    }
    return { user: userFieldsOf(row), session };
  } catch (error) {
    // The same code or token was used by a concurrent request first (or the account is gone).
    if (error instanceof AccountGone) throw new HttpError('invalid_mfa_code');
    throw error;
  }
}
