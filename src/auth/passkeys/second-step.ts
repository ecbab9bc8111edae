// A passkey as the login's second step, beside the app's codes and the
// recovery codes (mfa/second-step.ts): after the right password, the holder of
// the mfaToken asks for options bound to it (the challenge names the ticket,
// so it serves that ticket's account and dies with it), and POST /api/login/mfa
// takes `passkey` instead of `code`. Its answers are the code step's: 401
// mfa_token_invalid for the ticket, 401 invalid_mfa_code for an assertion that
// does not verify, whatever the reason (a used challenge, another account's
// passkey, a signature, origin, RP ID, user verification or counter).
//
// Limits: each answer spends one of the ticket's 5 tries, as a code does. The
// account's code counters (mfa:<id>, its long cap and the lock) are left
// alone: they bound guessing six digits, and a signature is not guessed; the
// lock, set by wrong codes, does not refuse the owner's passkey.
import type { AuthenticationResponseJSON } from '@simplewebauthn/server';
import { sql, type QueryCreator } from 'kysely';
import { HttpError } from '../../common/errors.ts';
import { now } from '../../config/clock.ts';
import type { Database } from '../../db/schema.ts';
import { userFieldsOf, type UserFields } from '../../users/present.ts';
import { rememberAddress } from '../attempts/known-addresses.ts';
import { enabledFactor } from '../base/enabled-factor.ts';
import type { Client, Requester } from '../base/requester.ts';
import { rowsIn } from '../base/rows-in.ts';
import { hashSecret } from '../codes/tokens.ts';
import { eventBecomes, eventFrom, MFA_EVENT } from '../mfa/events.ts';
import { HELD_TICKET, lockTicketHolder, spendTicketTry } from '../mfa/second-step.ts';
import { AccountGone, createSession, type NewSession } from '../sessions/sessions.ts';
import { amrOf, verifiedCounter } from './assertion.ts';
import { challengeOf } from './passkeys.ts';
import type { RelyingParty } from './relying-party.ts';

/**
 * POST /api/login/mfa with `passkey` — 2 statements on success, 1 for a refusal
 * (each takes the account row before the ticket's, as the code's step does:
 * lockTicketHolder):
 *   1. one try of the ticket spent, the passkey challenge the answer echoes
 *      taken (deleted, only if it is this ticket's: one use, even by two
 *      requests at once), the passkey found by its credential id among the
 *      ticket's account's, and mfa_failed recorded until statement 2 says otherwise;
 *   2. after the assertion verified: the ticket locked and deleted, the
 *      passkey's counter moved by compare-and-set with its last use, the event
 *      made login_succeeded, the address remembered and the session INSERT
 *      (amr pwd and hwk or swk), which depends on all of it.
 */
export async function completePasskeyStep(
  input: { mfaToken: string; passkey: AuthenticationResponseJSON },
  by: Requester | Client,
  rp: RelyingParty,
): Promise<{ user: UserFields; session: NewSession }> {
  const at = now();
  const response = input.passkey;
  const challenge = challengeOf(response.response.clientDataJSON) ?? '';
  const tokenHash = hashSecret(input.mfaToken);
  const row = await spendTicketTry(tokenHash, at)
    .with('used', (qb) =>
      qb
        .deleteFrom('webauthn_challenges')
        .where('challenge', '=', challenge)
        .where('purpose', '=', 'second_step')
        .where('expires_at', '>', at)
        .where('mfa_challenge_id', 'in', (eb) => eb.selectFrom('challenge').select('id'))
        .returning('id'),
    )
    .with('key', (qb) =>
      qb
        .selectFrom('passkeys')
        .select(['id', 'public_key', 'sign_count', 'transports', 'backup_eligible'])
        .where('credential_id', '=', Buffer.from(response.rawId, 'base64url'))
        .where('user_id', 'in', (eb) => eb.selectFrom('challenge').select('user_id'))
        .where(rowsIn('used')),
    )
    // A refused second step until statement 2 says otherwise, as the code step records it.
    .with('recorded', eventFrom('challenge', MFA_EVENT.failed, by, at))
    .selectFrom(sql<{ id: number; user_id: number }>`challenge`.as('c'))
    .innerJoin('users as u', 'u.id', 'c.user_id')
    .leftJoin('key as k', (join) => join.onTrue())
    .leftJoin(sql<{ id: number }>`recorded`.as('e'), (join) => join.onTrue())
    // A factor removed since the password step ends its ticket, as for a code.
    .where(enabledFactor(sql.ref('c.user_id')))
    .select([
      'c.id as challenge_id',
      'u.id',
      'u.username',
      'u.email',
      'u.confirmed_at',
      'u.created_at',
      'k.id as passkey_id',
      'k.public_key',
      'k.sign_count',
      'k.transports',
      'k.backup_eligible',
      'e.id as event_id',
    ])
    .executeTakeFirst();
  if (row === undefined) throw new HttpError('mfa_token_invalid');
  const userId = row.id;
  const passkeyId = row.passkey_id;
  const newCounter =
    passkeyId === null
      ? undefined
      : await verifiedCounter(
          response,
          challenge,
          { public_key: row.public_key!, sign_count: row.sign_count!, transports: row.transports! },
          userId,
          rp,
        );
  if (passkeyId === null || newCounter === undefined) throw new HttpError('invalid_mfa_code');

  // The ticket is locked, after its account row, before the counter moves: a concurrent use of it waits here, then finds it gone.
  const statement = lockTicketHolder({ userId })
    .with('locked', (qb) => qb.selectFrom('mfa_challenges').select('id').where('id', '=', row.challenge_id).where(HELD_TICKET).forUpdate())
    .with('moved', (qb) =>
      qb
        .updateTable('passkeys')
        .set({ sign_count: newCounter, last_used_at: at })
        .where('id', '=', passkeyId)
        .where('sign_count', '=', row.sign_count!)
        .where(rowsIn('locked'))
        .returning('user_id'),
    )
    .with('consumed', (qb) =>
      qb.deleteFrom('mfa_challenges').where('id', '=', row.challenge_id).where(rowsIn('moved')).returning(['id', 'user_id']),
    )
    .with('logged_in', eventBecomes(row.event_id!, MFA_EVENT.loggedIn, rowsIn('consumed')));
  const remembered = rememberAddress(statement as unknown as QueryCreator<Database>, userId, by.ip, at, rowsIn('consumed'));
  try {
    const session = await createSession(userId, remembered as unknown as QueryCreator<Database>, by, rowsIn('consumed'), [
      'pwd',
      amrOf(row.backup_eligible!),
    ]);
    return { user: userFieldsOf(row), session };
  } catch (error) {
    // The ticket was used by a concurrent request first, the counter moved meanwhile, or the account is gone.
    if (error instanceof AccountGone) throw new HttpError('invalid_mfa_code');
    throw error;
  }
}
