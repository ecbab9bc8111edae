// The options of the two ceremonies that ask a known account for one of its
// passkeys: the login's second step (bound to the ticket of mfa_required) and
// the step-up (bound to the signed-in account). Apart from the second factor's
// code (mfa/), so the functions that only hand out options do not carry it.
import type { PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server';
import { sql, type QueryCreator } from 'kysely';
import { HttpError } from '../../common/errors.ts';
import { now } from '../../config/clock.ts';
import { getDb } from '../../db/connection.ts';
import type { Database } from '../../db/schema.ts';
import { rowsIn } from '../base/rows-in.ts';
import { hashSecret } from '../codes/tokens.ts';
import { selectLiveSession } from '../sessions/sessions.ts';
import type { TokenClaims } from '../sessions/tokens.ts';
import { assertionOptions } from './assertion.ts';
import { CHALLENGE_TTL_MS, newChallenge } from './passkeys.ts';
import type { RelyingParty } from './relying-party.ts';

/** The CTE `owned`: the passkeys of the account the CTE `from` found (its `column`). */
const owned =
  (from: 'ticket' | 'caller', column: 'user_id' | 'id') =>
  <DB extends Database>(qb: QueryCreator<DB>) =>
    (qb as unknown as QueryCreator<Database>)
      .selectFrom('passkeys')
      .select(['credential_id', 'transports'])
      .where(sql<boolean>`user_id IN (SELECT ${sql.ref(column)} FROM ${sql.table(from)})`);

/** The column listing `owned`, for allowCredentials. */
const ownedColumn = sql<
  { id: string; transports: string[] }[]
>`COALESCE((SELECT json_agg(json_build_object('id', encode(credential_id, 'hex'), 'transports', transports)) FROM owned), '[]')`.as(
  'owned',
);

/** The answer: a 404 for an account without a passkey, else its passkeys allowed. */
function optionsOf(row: { owned: { id: string; transports: string[] }[] }, rp: RelyingParty, challenge: Buffer) {
  if (row.owned.length === 0) throw new HttpError('not_found', 'This account has no passkey.');
  return assertionOptions(rp, challenge, row.owned);
}

/**
 * POST /api/login/mfa/passkey/options — 1 statement: the ticket found (not
 * used, expired or out of tries), the account's passkeys, and the ticket's
 * earlier passkey challenge replaced by one that expires with the ticket. 401
 * mfa_token_invalid for a ticket that is unknown, used, expired or out of
 * tries; 404 when the account has no passkey. No try is spent: options check nothing.
 */
export async function secondStepOptions(mfaToken: string, rp: RelyingParty): Promise<PublicKeyCredentialRequestOptionsJSON> {
  const at = now();
  const challenge = newChallenge();
  const row = await getDb()
    .with('ticket', (qb) =>
      qb
        .selectFrom('mfa_challenges')
        .select(['id', 'user_id', 'expires_at'])
        .where('token_hash', '=', hashSecret(mfaToken))
        .where('expires_at', '>', at)
        .where('tries_left', '>', 0),
    )
    .with('owned', owned('ticket', 'user_id'))
    .with('replaced', (qb) =>
      qb.deleteFrom('webauthn_challenges').where('mfa_challenge_id', 'in', (eb) => eb.selectFrom('ticket').select('id')),
    )
    .with('issued', (qb) =>
      qb
        .insertInto('webauthn_challenges')
        .columns(['challenge', 'purpose', 'user_id', 'mfa_challenge_id', 'expires_at'])
        .expression(sql`SELECT ${challenge.text}::text, 'second_step', user_id, id, expires_at FROM ticket WHERE ${rowsIn('owned')}`),
    )
    .selectFrom('ticket')
    .select(ownedColumn)
    .executeTakeFirst();
  if (row === undefined) throw new HttpError('mfa_token_invalid');
  return optionsOf(row, rp, challenge.bytes);
}

/**
 * POST /api/me/step-up/options — 1 statement: the caller's live session and
 * passkeys, the account's earlier step-up challenge replaced by a new one
 * (one open per account, 5 minutes). 404 for an account without a passkey.
 */
export async function stepUpOptions(claims: TokenClaims, rp: RelyingParty): Promise<PublicKeyCredentialRequestOptionsJSON> {
  const at = now();
  const challenge = newChallenge();
  const row = await getDb()
    .with('caller', (qb) => selectLiveSession(claims, qb))
    .with('owned', owned('caller', 'id'))
    .with('open', (qb) => qb.selectFrom('caller').select('id').where(rowsIn('owned')))
    .with('replaced', (qb) =>
      qb
        .deleteFrom('webauthn_challenges')
        .where('purpose', '=', 'step_up')
        .where('user_id', 'in', (eb) => eb.selectFrom('open').select('id')),
    )
    .with('issued', (qb) =>
      qb
        .insertInto('webauthn_challenges')
        .columns(['challenge', 'purpose', 'user_id', 'expires_at'])
        .expression(
          sql`SELECT ${challenge.text}::text, 'step_up', id, ${new Date(at.getTime() + CHALLENGE_TTL_MS)}::timestamptz FROM open`,
        ),
    )
    .selectFrom('caller')
    .select(ownedColumn)
    .executeTakeFirst();
  if (row === undefined) throw new HttpError('unauthenticated');
  return optionsOf(row, rp, challenge.bytes);
}
