// Checking a second-factor code, and the compare-and-set that accepts it.
// A code is checked in Node (the secret is sealed with a key the database
// never sees) against what statement 1 read; the statement that acts on it
// accepts it again by a compare-and-set, so of two requests carrying one
// code at once only one gets through, and a code is never accepted twice.
import { sql, type Expression, type QueryCreator, type SqlBool } from 'kysely';
import type { Database } from '../../db/schema.ts';
import { hashRecoveryCode, isRecoveryCode } from './recovery-codes.ts';
import { openSecret } from './sealed-secret.ts';
import { matchingStep } from './totp.ts';

/** What statement 1 read of the account's factor. */
export interface FactorState {
  userId: number;
  sealed: Buffer;
  lastUsedStep: number | null;
  /** Whether the code given, read as a recovery code, is one of the account's. */
  recoveryCodeFound: boolean;
}

/**
 * A code that checked out: a TOTP code of this time step (with the secret
 * sealed again when an older key opened it), or a recovery code.
 */
export type AcceptedCode = { kind: 'totp'; step: number; reseal?: Reseal } | { kind: 'recovery'; hash: Buffer };

/** The stored sealed secret and what replaces it. */
interface Reseal {
  from: Buffer;
  to: Buffer;
}

/** The SHA-256 statement 1 looks for among the recovery codes (none matches when `code` is not one). */
export const recoveryLookup = (code: string) => (isRecoveryCode(code) ? hashRecoveryCode(code) : Buffer.alloc(32));

/** The code checked against the factor at `at`: a TOTP code only for a step after the last accepted one. */
export function checkCode(code: string, factor: FactorState, at: Date): AcceptedCode | undefined {
  if (isRecoveryCode(code)) return factor.recoveryCodeFound ? { kind: 'recovery', hash: hashRecoveryCode(code) } : undefined;
  const { secret, resealed } = openSecret(factor.sealed, factor.userId);
  const step = matchingStep(secret, code, at);
  if (step === undefined || (factor.lastUsedStep !== null && step <= factor.lastUsedStep)) return undefined;
  return resealed === undefined ? { kind: 'totp', step } : { kind: 'totp', step, reseal: { from: factor.sealed, to: resealed } };
}

/**
 * The CTE `accepted` (one row, the user id, when the code is taken now): the
 * TOTP step recorded only if it is later than the one recorded, or the
 * recovery code deleted only if it is still there. Rows locked by a
 * concurrent use are waited for and read again, so that use wins. A secret
 * opened with an older key is sealed again under the first one here, if the
 * row still holds what was read (a re-enrolment meanwhile keeps its own).
 */
export function acceptCode(
  db: QueryCreator<Database>,
  userId: number,
  code: AcceptedCode,
  onlyIf: Expression<SqlBool> = sql<boolean>`true`,
) {
  return db.with('accepted', (qb) =>
    code.kind === 'totp'
      ? qb
          .updateTable('totp_factors')
          .set(
            code.reseal === undefined
              ? { last_used_step: code.step }
              : {
                  last_used_step: code.step,
                  secret_sealed: sql<Buffer>`CASE WHEN secret_sealed = ${code.reseal.from} THEN ${code.reseal.to} ELSE secret_sealed END`,
                },
          )
          .where('user_id', '=', userId)
          .where('confirmed_at', 'is not', null)
          .where(laterThanLastUsed(code.step))
          .where(onlyIf)
          .returning('user_id')
      : qb.deleteFrom('recovery_codes').where('user_id', '=', userId).where('code_hash', '=', code.hash).where(onlyIf).returning('user_id'),
  );
}

/** For a statement on `totp_factors`: `step` comes after the last accepted one. */
export const laterThanLastUsed = (step: number) => sql<boolean>`(last_used_step IS NULL OR last_used_step < ${step})`;
