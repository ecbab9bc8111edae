// The step-up by passkey (src/auth/attempts/step-up.ts's second
// implementation): instead of a TOTP code, the answer of one of the account's
// passkeys to a step-up challenge, which POST /api/me/step-up/options issued
// to a signed-in session of the account. It rides in the guarded change's own
// statements as the code does: statement 1 reads the passkey and whether the
// challenge is open, the assertion is verified between the two, and the
// statement that writes takes the challenge (a DELETE: single use, even by two
// requests at once) and moves the sign counter, every write depending on it.
// Nothing is counted on the second factor's counters: an ES256 signature is
// not guessed as six digits are, and the password beside it is counted.
import type { AuthenticationResponseJSON } from '@simplewebauthn/server';
import { sql, type QueryCreator } from 'kysely';
import type { Database } from '../../db/schema.ts';
import type { StepUp, StepUpContext, Taken, TakeOptions } from '../attempts/step-up.ts';
import { rowsIn } from '../base/rows-in.ts';
import { eventFrom, MFA_EVENT } from '../mfa/events.ts';
import { guardColumns, guarded, stepUp, UNGUARDED } from '../mfa/step-up.ts';
import { verifiedCounter, type StoredKey } from './assertion.ts';
import { challengeOf } from './passkeys.ts';
import { relyingParty, type RelyingParty } from './relying-party.ts';

/** The step-up a guarded change's body asks for: `passkey` when it came, else `code` (mfa/step-up.ts). */
export const stepUpFrom = (body: { code?: string | undefined; passkey?: AuthenticationResponseJSON | undefined }, url: URL): StepUp =>
  body.passkey === undefined ? stepUp(body.code) : passkeyStepUp(body.passkey, relyingParty(url));

/** The step-up for a request carrying `passkey`. */
export function passkeyStepUp(response: AuthenticationResponseJSON, rp: RelyingParty): StepUp {
  // An answer without a challenge a browser would write meets no open challenge: refused as a wrong one.
  const challenge = challengeOf(response.response.clientDataJSON) ?? '';
  const credentialId = Buffer.from(response.rawId, 'base64url');
  const key = (from: string, column: 'id' | 'public_key' | 'sign_count' | 'transports') =>
    sql`(SELECT k.${sql.ref(column)} FROM passkeys k WHERE k.user_id = ${sql.ref(`${from}.id`)} AND k.credential_id = ${credentialId})`;
  return {
    count: (db) => db,
    passwordCounted: () => sql<boolean>`true`,
    columns: (from) => [
      ...guardColumns(from),
      key(from, 'id').as('step_up_key_id'),
      key(from, 'public_key').as('step_up_public_key'),
      key(from, 'sign_count').as('step_up_sign_count'),
      key(from, 'transports').as('step_up_transports'),
      // Its expiry is the taking DELETE's to check, at the time of the statement that writes.
      sql<boolean>`EXISTS (SELECT FROM webauthn_challenges w WHERE w.challenge = ${challenge} AND w.purpose = 'step_up'
        AND w.user_id = ${sql.ref(`${from}.id`)})`.as('step_up_challenge_open'),
    ],
    async read(row, context) {
      if (!guarded(row)) return UNGUARDED;
      const keyId = row.step_up_key_id === null ? undefined : Number(row.step_up_key_id);
      const stored: StoredKey = {
        public_key: row.step_up_public_key as Buffer,
        sign_count: Number(row.step_up_sign_count),
        transports: row.step_up_transports as string[],
      };
      const newCounter =
        keyId === undefined || row.step_up_challenge_open !== true
          ? undefined
          : await verifiedCounter(response, challenge, stored, context.userId, rp);
      return {
        factor: row.step_up_factor === true,
        usedRecoveryCode: false,
        field: 'passkey',
        problems: newCounter === undefined ? ['is not correct'] : [],
        take: (db, options) =>
          takeAssertion(db, { challenge, keyId: keyId!, signCount: stored.sign_count, newCounter: newCounter! }, context, options),
      };
    },
  };
}

interface Assertion {
  challenge: string;
  keyId: number;
  signCount: number;
  newCounter: number;
}

/**
 * Statement 2's CTEs of a verified assertion: its challenge deleted (the one
 * use; expired ones are not), then the passkey's counter moved by
 * compare-and-set with its last use, unless the change deletes that passkey or
 * the account (they go anyway). The TOTP factor's removal deletes the factor
 * here as the code's does, recording mfa_disabled.
 */
function takeAssertion<DB extends Database>(
  db: QueryCreator<DB>,
  assertion: Assertion,
  { userId, by, at }: StepUpContext,
  { onlyIf, change = 'other', removingPasskey }: TakeOptions,
): Taken<DB> {
  let statement = (db as unknown as QueryCreator<Database>).with('step_up_used', (qb) =>
    qb
      .deleteFrom('webauthn_challenges')
      .where('challenge', '=', assertion.challenge)
      .where('purpose', '=', 'step_up')
      .where('user_id', '=', userId)
      .where('expires_at', '>', at)
      .where(onlyIf)
      .returning('user_id'),
  );
  let cte = 'step_up_used';
  if (change !== 'deleting-account' && removingPasskey !== assertion.keyId) {
    statement = statement.with('step_up_moved', (qb) =>
      qb
        .updateTable('passkeys')
        .set({ sign_count: assertion.newCounter, last_used_at: at })
        .where('id', '=', assertion.keyId)
        .where('sign_count', '=', assertion.signCount)
        .where(rowsIn('step_up_used'))
        .returning('user_id'),
    ) as unknown as typeof statement;
    cte = 'step_up_moved';
  }
  if (change === 'removing-factor') {
    statement = statement
      .with('factor_removed', (qb) =>
        qb
          .deleteFrom('totp_factors')
          .where('user_id', '=', userId)
          .where('confirmed_at', 'is not', null)
          .where(rowsIn(cte))
          .returning('user_id'),
      )
      .with('factor_removed_event', eventFrom('factor_removed', MFA_EVENT.disabled, by, at)) as unknown as typeof statement;
    cte = 'factor_removed';
  }
  return { db: statement as unknown as QueryCreator<DB>, taken: rowsIn(cte), takenIn: cte };
}
