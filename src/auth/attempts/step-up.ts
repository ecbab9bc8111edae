// A step-up: the second proof a change that could take the account away asks
// for beside the password, when the account has a second factor. It rides in
// the two statements the change already runs (counted in the first, before
// anything is checked, as a password attempt is; taken by the second, the one
// that writes), so it adds none. The operations below src/auth/mfa take it as
// a parameter (the ranked folders: they cannot import it); mfa/step-up.ts
// makes it from the request's `code`, passkeys/step-up.ts from its `passkey`
// (an assertion on a step-up challenge).
import type { AliasedRawBuilder, QueryCreator, RawBuilder } from 'kysely';
import * as v from 'valibot';
import { validationFailed } from '../../common/errors.ts';
import { closedObject } from '../../common/field-rules.ts';
import type { Database } from '../../db/schema.ts';
import type { Requester } from '../base/requester.ts';
import { authenticationResponse } from './assertion-body.ts';

/** The body field: checked by the step-up (a malformed code is a wrong one), not by rules. */
export const stepUpCode = v.optional(
  v.pipe(
    v.string('must be a string'),
    v.maxLength(64, 'must be at most 64 characters'),
    v.description(
      'A current code from the authenticator app, or a recovery code: needed when the account has a second factor ' +
        '(403 `step_up_required` without it or `passkey`), whatever the session. Not checked for an account without one.',
    ),
  ),
);

/** The other proof: a passkey's answer to the options of POST /api/me/step-up/options. */
export const stepUpPasskey = v.optional(
  v.pipe(
    authenticationResponse,
    v.description(
      'PublicKeyCredential.toJSON() of navigator.credentials.get() with the options of POST /api/me/step-up/options: instead of `code`, and the ' +
        'only step-up an account with passkeys but no authenticator app has (403 `step_up_required` without it). Used once.',
    ),
  ),
);

/** A guarded change's body: its own fields and the step-up's, `code` or `passkey`, not both. */
export function guardedBody<const E extends v.ObjectEntries, C extends v.GenericSchema = typeof stepUpCode>(entries: E, code?: C) {
  const body = closedObject({ ...entries, code: code ?? stepUpCode, passkey: stepUpPasskey });
  return v.pipe(
    body,
    v.rawCheck<v.InferOutput<typeof body>>(({ dataset, addIssue }) => {
      if (dataset.typed && dataset.value.code !== undefined && dataset.value.passkey !== undefined) {
        addIssue({ message: 'must contain code or passkey, not both' });
      }
    }),
  );
}

/** Where statement 1 of the change runs: the caller's account, who asks, when. */
export interface StepUpContext {
  userId: number;
  by: Requester;
  at: Date;
}

export interface StepUp {
  /** Statement 1: the CTEs counting the code on the account's second-factor counter, over the CTE `from` (the caller's row). */
  count<DB extends Database>(db: QueryCreator<DB>, from: string, context: StepUpContext): QueryCreator<DB>;
  /** Statement 1: whether the password attempt counts (not when a factor asks for a code none came with: refused first). */
  passwordCounted(from: string): RawBuilder<boolean>;
  /** Statement 1's columns, over the CTE `from`, for `read`. */
  columns(from: string): AliasedRawBuilder<unknown, string>[];
  /**
   * After statement 1: 403 step_up_required when a factor wants a code none
   * came with; 429 when the code's counters or `otherWait` (the password's,
   * in seconds) refuse it, 429 mfa_locked when the factor is locked; else the
   * code checked.
   */
  read(row: Record<string, unknown>, context: StepUpContext, otherWait: number): Promise<SteppedUp>;
}

export interface TakeOptions {
  /** The code is taken only when this holds (the caller's session still live). */
  onlyIf: RawBuilder<boolean>;
  /**
   * What the change does beside: `removing-factor` takes the code by deleting
   * the factor (a row cannot be updated and deleted by one statement), its
   * refused-code row becoming `mfa_disabled`; `deleting-account` only takes
   * the code: the account row is locked FOR UPDATE before, so no counter row
   * may be locked after it (a login's order is the reverse), and its audit
   * rows go with it.
   */
  change?: 'other' | 'removing-factor' | 'deleting-account';
  /** The passkey the change deletes: a passkey step-up with it takes only its challenge (a row is not updated and deleted by one statement). */
  removingPasskey?: number;
}

/** A step-up as statement 1 found it. */
export interface SteppedUp {
  /** Whether the account has a TOTP factor. A step-up may be taken without one: on an account with passkeys only. */
  factor: boolean;
  /** The code was a recovery code (for the notice of the change). */
  usedRecoveryCode: boolean;
  /** The body field the proof came in, for `details`: `code` or `passkey`. */
  field: 'code' | 'passkey';
  /** For `details[field]`: empty when the proof is right or none was needed. */
  problems: string[];
  /**
   * Statement 2: `db` with the CTEs that take the code (a TOTP step by
   * compare-and-set, a recovery code deleted), clear the counter and settle
   * statement 1's audit row, when `onlyIf` holds. Unchanged without a factor.
   */
  take<DB extends Database>(db: QueryCreator<DB>, options: TakeOptions): Taken<DB>;
}

export interface Taken<DB> {
  db: QueryCreator<DB>;
  /** The code was taken (always true when none was needed): each write of the change depends on it. */
  taken: RawBuilder<boolean>;
  /** When a proof was needed, the CTE that holds the account's row (`user_id`) once it is taken (the factor's, when it is removed). */
  takenIn: string;
}

/** The 400 of a proof statement 1 found right that another request took first (the same code, the same challenge). */
export const takenMeanwhile = (steppedUp: SteppedUp) => validationFailed({ [steppedUp.field]: ['is not correct'] });
