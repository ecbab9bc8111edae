// The second factor's request bodies, free of database code (the OpenAPI
// document carries them without the operations).
import * as v from 'valibot';
import { closedObject, exactlyOneOf } from '../../common/field-rules.ts';
import { authenticationResponse } from '../attempts/assertion-body.ts';
import { guardedBody, stepUpPasskey } from '../attempts/step-up.ts';
import { secretSchema } from '../codes/tokens.ts';
import { isRecoveryCode } from './recovery-codes.ts';
import { TOTP } from './totp.ts';

/** Re-authentication: checked against the stored hash, not against rules. */
const password = v.pipe(v.string('must be a string'), v.minLength(1, 'must not be empty'));

const appCode = v.pipe(
  v.string('must be a string'),
  v.regex(/^\d{6}$/, `must be the ${TOTP.digits}-digit code from the authenticator app`),
);

/** A code from the app, or one of the recovery codes (`xxxx-xxxx-xxxx-xxxx`, any case). */
const appOrRecoveryCode = v.pipe(
  v.string('must be a string'),
  v.maxLength(64, 'must be at most 64 characters'),
  v.check((code) => /^\d{6}$/.test(code) || isRecoveryCode(code), 'must be the 6-digit code from the authenticator app or a recovery code'),
);

/** true or false; forms send the words. */
const flag = v.pipe(
  v.union([v.boolean(), v.picklist(['true', 'false'])], 'must be true or false'),
  v.transform((value) => value === true || value === 'true'),
  v.boolean(),
);

/** Enrolment's start: the password and, on an account with passkeys, their step-up (a code cannot apply: no factor is on yet). */
export const enrolSchema = closedObject({ password, passkey: stepUpPasskey });

export const confirmSchema = closedObject({
  code: appCode,
  revokeOtherSessions: v.optional(
    v.pipe(flag, v.description('End every other session of the account once the second factor is on (default true).')),
    true,
  ),
});

/** The factor's removal and new recovery codes: the password and a code (none: 403 step_up_required). */
export const disableSchema = guardedBody({ password }, v.optional(appOrRecoveryCode));

export const recoveryCodesSchema = guardedBody({ password }, v.optional(appOrRecoveryCode));

/** The login's second step: the ticket and a code, or a passkey's answer to the options of POST /api/login/mfa/passkey/options. */
export const secondStepSchema = v.pipe(
  closedObject({
    mfaToken: secretSchema,
    code: v.optional(appOrRecoveryCode),
    passkey: v.optional(
      v.pipe(
        authenticationResponse,
        v.description(
          'PublicKeyCredential.toJSON() of navigator.credentials.get() with the options of POST /api/login/mfa/passkey/options',
        ),
      ),
    ),
  }),
  exactlyOneOf('code', 'passkey'),
);
