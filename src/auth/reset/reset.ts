// Password reset with an e-mailed token (30 minutes, single use; issued by
// request.ts). Success revokes every session of the account.
import { sql } from 'kysely';
import type * as v from 'valibot';
import { validationFailed } from '../../common/errors.ts';
import { now } from '../../config/clock.ts';
import { getDb } from '../../db/connection.ts';
import { noteAccount } from '../../log/log.ts';
import { passwordChanged } from '../../mail/templates.ts';
import type { UserFields } from '../../users/present.ts';
import { NO_REQUESTER, type Client, type Requester } from '../base/requester.ts';
import { notify } from '../codes/delivery.ts';
import { retireIssued } from '../codes/retired.ts';
import { hashSecret, tokenExpired, unknownToken } from '../codes/tokens.ts';
import { EVENT_COLUMNS, eventValues } from '../base/event-rows.ts';
import { unlockAfterReset } from '../mfa/guesses.ts';
import { hashPassword } from '../passwords/hash.ts';
import { accountContext, passwordProblems, passwordRules } from '../passwords/policy.ts';
import type { emailResetFields, resetFields } from './bodies.ts';

export interface PasswordReset {
  token: string;
  password: string;
  /** The classic route names the account too: a token of another account is then "unknown". */
  email?: string | undefined;
}

/**
 * The password policy of a body of resetFields: every rule that needs no
 * account. The breached-password check waits for the token to be found
 * (updatePasswordWithResetToken), so the third party is asked once.
 */
export const resetPolicy = passwordRules<v.InferOutput<typeof resetFields>>('password', undefined, { breachCheck: false });

/**
 * The policy of the classic form `{email, reset_token, new_password}`
 * (emailResetFields): every rule that needs no username (the breach check
 * waits, as above).
 */
export const emailResetPolicy = passwordRules<v.InferOutput<typeof emailResetFields>>('new_password', accountContext, {
  breachCheck: false,
});

/**
 * Set a new password with a reset token: 1 statement finds the token (404
 * unknown or used, 410 expired), the password is checked against every rule,
 * the breached-password check included (400, and the token stays usable), then
 * 1 statement consumes the token,
 * sets the password, confirms the address (the token proved the mailbox),
 * revokes every session, retires what the old password let someone open
 * (other reset codes, a pending e-mail change, login challenges:
 * codes/retired.ts), unlocks a second factor locked by wrong codes, and
 * records password_reset by `by`; then a notice to the account's address,
 * after the answer. The token proves the mailbox (email_verified_at); when it
 * had never been proven, the second factor, recovery codes and identities
 * at other providers attached meanwhile go too, recorded as
 * mfa_removed_by_reset and identity_unlinked: whoever reads the mailbox ends
 * up with the account.
 */
export async function updatePasswordWithResetToken(
  input: PasswordReset,
  by: Requester | Client = NO_REQUESTER,
): Promise<{ user: UserFields; revokedSessions: number }> {
  const hash = hashSecret(input.token);
  const db = getDb();
  const found = await db
    .selectFrom('one_time_tokens as t')
    .innerJoin('users as u', 'u.id', 't.user_id')
    .select(['t.id as token_id', 't.expires_at', 'u.id', 'u.username', 'u.email'])
    .where('t.token_hash', '=', hash)
    .where('t.purpose', '=', 'reset_password')
    .where('t.used_at', 'is', null)
    .$if(input.email !== undefined, (qb) => qb.where('u.email', '=', input.email!.toLowerCase()))
    .executeTakeFirst();
  if (found === undefined) throw unknownToken();
  noteAccount(found.id);
  if (found.expires_at <= now()) throw tokenExpired();
  const problems = await passwordProblems(input.password, found);
  if (problems.length > 0) throw validationFailed({ password: problems });

  const passwordHash = await hashPassword(input.password);
  const at = now();
  const userId = found.id;
  // The account row is locked first, the order an e-mail change's confirmation,
  // a password change and a deletion take it in (sessions/sessions.ts, lockLiveCaller).
  const locked = db
    .with('owner', (qb) => qb.selectFrom('users').select(['id', 'email_verified_at']).where('id', '=', userId).forNoKeyUpdate())
    .with('consumed', (qb) =>
      qb
        .updateTable('one_time_tokens')
        .set({ used_at: at })
        .where('id', '=', found.token_id)
        .where('user_id', 'in', (eb) => eb.selectFrom('owner').select('id'))
        .where('used_at', 'is', null)
        .where('expires_at', '>', at)
        .returning('user_id'),
    );
  // The reset proves the mailbox: a second factor locked by wrong codes works again (mfa/guesses.ts).
  const unlocked = unlockAfterReset(
    retireIssued(locked, { account: { cte: 'consumed', column: 'user_id' }, except: found.token_id }),
    'consumed',
  );
  const row = await unlocked
    .with('revoked', (qb) =>
      qb
        .deleteFrom('sessions')
        .where('user_id', 'in', (eb) => eb.selectFrom('consumed').select('user_id'))
        .returning('id'),
    )
    .with('recorded', (qb) =>
      qb
        .insertInto('security_events')
        .columns([...EVENT_COLUMNS])
        .expression((eb) => eb.selectFrom('consumed').select(['user_id', ...eventValues('password_reset', by, at)])),
    )
    // A mailbox never proven until this token: the factor may be a squatter's (a classic sign-up with someone else's address).
    .with('unproven', (qb) =>
      qb
        .selectFrom('owner')
        .select('id')
        .where('email_verified_at', 'is', null)
        .where('id', 'in', (eb) => eb.selectFrom('consumed').select('user_id')),
    )
    .with('factor_removed', (qb) =>
      qb
        .deleteFrom('totp_factors')
        .where('user_id', 'in', (eb) => eb.selectFrom('unproven').select('id'))
        .returning('user_id'),
    )
    .with('recovery_removed', (qb) =>
      qb.deleteFrom('recovery_codes').where('user_id', 'in', (eb) => eb.selectFrom('unproven').select('id')),
    )
    .with('factor_recorded', (qb) =>
      qb
        .insertInto('security_events')
        .columns([...EVENT_COLUMNS])
        .expression((eb) => eb.selectFrom('factor_removed').select(['user_id', ...eventValues('mfa_removed_by_reset', by, at)])),
    )
    // An identity too: one a provider that did not verify the address made the account with.
    .with('identities_removed', (qb) =>
      qb
        .deleteFrom('federated_identities')
        .where('user_id', 'in', (eb) => eb.selectFrom('unproven').select('id'))
        .returning('user_id'),
    )
    .with('identities_recorded', (qb) =>
      qb
        .insertInto('security_events')
        .columns([...EVENT_COLUMNS])
        .expression((eb) => eb.selectFrom('identities_removed').select(['user_id', ...eventValues('identity_unlinked', by, at)])),
    )
    .updateTable('users')
    .set((eb) => ({
      password_hash: passwordHash,
      confirmed_at: eb.fn.coalesce('confirmed_at', sql<Date>`${at}::timestamptz`),
      email_verified_at: at,
      updated_at: at,
    }))
    .where('id', '=', userId)
    .where('id', 'in', (eb) => eb.selectFrom('consumed').select('user_id'))
    .returning((eb) => [
      'id',
      'username',
      'email',
      'confirmed_at',
      'created_at',
      eb
        .selectFrom('revoked')
        .select((r) => r.fn.countAll<number>().as('n'))
        .as('revoked_sessions'),
    ])
    .executeTakeFirst();
  // Found a moment ago but not consumed now: a concurrent reset used it first.
  if (row === undefined) throw unknownToken();
  const { revoked_sessions, ...user } = row;
  // The mailbox's owner did this, or someone who reads it: either way the owner should hear of it.
  await notify(
    by,
    { purpose: 'password_reset', accountId: userId },
    (origin, appUrl) => passwordChanged(user, 'reset', origin, appUrl),
    at,
  );
  return { user, revokedSessions: revoked_sessions ?? 0 };
}
