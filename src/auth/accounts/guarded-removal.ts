// Removing one of the account's ways in (a passkey, a linked identity): a
// step-up operation, as every change that could take the account away.
import { sql, type QueryCreator } from 'kysely';
import { HttpError } from '../../common/errors.ts';
import { now } from '../../config/clock.ts';
import type { Database, SecurityEventKind } from '../../db/schema.ts';
import { releaseAttempt } from '../attempts/password-attempt.ts';
import { takenMeanwhile, type StepUp } from '../attempts/step-up.ts';
import { EVENT_COLUMNS, eventValues } from '../base/event-rows.ts';
import type { Requester } from '../base/requester.ts';
import { checkProof, countProofAttempt, type ProofAttempt } from '../passwords/proof.ts';
import { CALLER_LIVE, lockLiveCaller } from '../sessions/sessions.ts';
import type { UserFields } from '../../users/present.ts';
import type { TokenClaims } from '../sessions/tokens.ts';

export interface Removal {
  table: 'passkeys' | 'federated_identities';
  event: SecurityEventKind;
  /** The 404's message: another account's row is no more found than a missing one. */
  notFound: string;
  /** Checked after the attempt is counted and before the password is: a refusal of its own (the last way in). */
  refuse?: (proof: ProofAttempt) => void;
}

/**
 * 2 statements: the proof of ownership of every guarded change (the password
 * on the login's counters and, on an account with a TOTP factor, its code:
 * 403 step_up_required without one), then the DELETE with the code taken and
 * the password's hits given back, while the session is live, and the
 * removal's event. A row of another account, or none, is a 404 that takes no code.
 * Answers the account, for the removal's notice.
 */
export async function removeGuarded(
  caller: Requester & { claims: TokenClaims },
  id: number,
  password: string,
  stepUp: StepUp,
  removal: Removal,
): Promise<UserFields> {
  const { claims } = caller;
  const userId = claims.userId;
  const at = now();
  const proof = await countProofAttempt(claims, caller, stepUp);
  removal.refuse?.(proof);
  await checkProof(proof, password);
  const exists = sql<boolean>`EXISTS (SELECT FROM ${sql.table(removal.table)} WHERE id = ${id} AND user_id = ${userId})`;
  // The code is taken only for a row there is to remove: a wrong id spends nothing.
  const onlyIf = sql<boolean>`(${CALLER_LIVE} AND ${exists})`;
  const locked = lockLiveCaller(claims) as unknown as QueryCreator<Database>;
  const released = releaseAttempt(locked, userId, proof.counted, { onlyIf: CALLER_LIVE });
  // A passkey removed by its own step-up: its challenge is taken, the row only deleted (passkeys/step-up.ts).
  const removingPasskey = removal.table === 'passkeys' ? id : undefined;
  const { db, taken } = proof.stepUp.take(released, { onlyIf, removingPasskey });
  const result = await (db as unknown as QueryCreator<Database>)
    .with('removed', (qb) =>
      qb.deleteFrom(removal.table).where('id', '=', id).where('user_id', '=', userId).where(CALLER_LIVE).where(taken).returning('user_id'),
    )
    .with('recorded', (qb) =>
      qb
        .insertInto('security_events')
        .columns([...EVENT_COLUMNS])
        .expression((eb) => eb.selectFrom('removed').select(['user_id', ...eventValues(removal.event, caller, at)])),
    )
    .selectNoFrom([
      CALLER_LIVE.as('live'),
      sql<boolean>`${exists}`.as('found'),
      taken.as('taken'),
      sql<boolean>`EXISTS (SELECT FROM removed)`.as('removed'),
    ])
    .executeTakeFirstOrThrow();
  if (!result.live) throw new HttpError('unauthenticated');
  if (!result.found) throw new HttpError('not_found', removal.notFound);
  // Another request used the same code first.
  if (!result.taken) throw takenMeanwhile(proof.stepUp);
  if (!result.removed) throw new HttpError('not_found', removal.notFound);
  return proof.user;
}
