// A link from the account page (README.md beside this file): the start of a
// sign-in that joins the identity to the signed-in account, a step-up operation.
import { sql, type QueryCreator } from 'kysely';
import { HttpError } from '../../common/errors.ts';
import type { IdentityProviderSetting } from '../../config/settings.ts';
import type { Database } from '../../db/schema.ts';
import { releaseAttempt } from '../attempts/password-attempt.ts';
import type { StepUp } from '../attempts/step-up.ts';
import type { Requester } from '../base/requester.ts';
import { checkProof, countProofAttempt, PROVEN_ADDRESS } from '../passwords/proof.ts';
import { CALLER_LIVE, lockLiveCaller } from '../sessions/sessions.ts';
import type { TokenClaims } from '../sessions/tokens.ts';
import { pendingSignIn, type Started } from './providers.ts';

/**
 * POST /api/me/identities — a link from the account page, a step-up
 * operation: 2 statements, the proof of ownership (the password, and the
 * code on an account with TOTP), then the pending sign-in, naming the
 * account, with the code taken while the session is live.
 */
export async function startLink(
  caller: Requester & { claims: TokenClaims },
  provider: IdentityProviderSetting,
  origin: string,
  returnTo: string,
  password: string,
  stepUp: StepUp,
): Promise<Started> {
  const { claims } = caller;
  const proof = await checkProof(await countProofAttempt(claims, caller, stepUp, PROVEN_ADDRESS), password);
  const { location, state, row } = await pendingSignIn(provider, origin, returnTo, claims.userId);
  const locked = lockLiveCaller(claims) as unknown as QueryCreator<Database>;
  const released = releaseAttempt(locked, claims.userId, proof.counted, { onlyIf: CALLER_LIVE });
  const { db, taken } = proof.stepUp.take(released, { onlyIf: CALLER_LIVE });
  const result = await (db as unknown as QueryCreator<Database>)
    .with('pending', (qb) =>
      qb
        .insertInto('federated_sign_ins')
        .columns(['state_hash', 'provider', 'code_verifier', 'nonce', 'return_to', 'link_user_id', 'expires_at'])
        .expression(
          sql`SELECT ${row.state_hash}::bytea, ${row.provider}::text, ${row.code_verifier}::text, ${row.nonce}::text,
            ${row.return_to}::text, ${row.link_user_id}::bigint, ${row.expires_at}::timestamptz WHERE ${CALLER_LIVE} AND ${taken}`,
        )
        .returning('id'),
    )
    .selectNoFrom([CALLER_LIVE.as('live'), sql<boolean>`EXISTS (SELECT FROM pending)`.as('started')])
    .executeTakeFirstOrThrow();
  if (!result.live) throw new HttpError('unauthenticated');
  if (!result.started) throw new HttpError('validation_failed', undefined, { details: { code: ['is not correct'] } });
  return { location, state };
}
