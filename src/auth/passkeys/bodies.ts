// The passkeys' request bodies, free of database code (the OpenAPI document
// carries them without the operations). The authenticator's answer is the
// JSON of PublicKeyCredential.toJSON(): base64url fields, each bounded here so
// an oversized one is a 400 before any CBOR is decoded (attempts/assertion-body.ts).
import * as v from 'valibot';
import { closedObject, trimmedText } from '../../common/field-rules.ts';
import {
  authenticationResponse,
  authenticatorAttachment,
  base64url,
  clientDataJSON,
  clientExtensionResults,
  credentialId,
} from '../attempts/assertion-body.ts';
import { guardedBody } from '../attempts/step-up.ts';
import { secretSchema } from '../codes/tokens.ts';
import { PASSKEY_NAME_MAX } from './name.ts';

const transports = v.optional(
  v.pipe(
    v.array(v.pipe(v.string('must be a string'), v.maxLength(32, 'must be at most 32 characters'))),
    v.maxLength(8, 'must have at most 8 items'),
  ),
);

/** PublicKeyCredential.toJSON() of navigator.credentials.create(). */
export const registrationResponse = v.object({
  id: credentialId,
  rawId: credentialId,
  type: v.literal('public-key', 'must be public-key'),
  response: v.object({
    clientDataJSON,
    attestationObject: v.pipe(base64url(16_384), v.minLength(1, 'must not be empty')),
    transports,
  }),
  authenticatorAttachment,
  clientExtensionResults,
});

export const passkeyName = v.pipe(trimmedText(PASSKEY_NAME_MAX), v.description('A name the owner recognises the passkey by.'));

export const addPasskeySchema = closedObject({ response: registrationResponse, name: v.optional(passkeyName) });

export const renamePasskeySchema = closedObject({ name: passkeyName });

/** Re-authentication: checked against the stored hash, not against rules. */
const password = v.pipe(v.string('must be a string'), v.minLength(1, 'must not be empty'));

export const removePasskeySchema = guardedBody({ password });

/** Starting an enrolment: a new passkey signs in alone and steps up, so it is proved as a removal is. */
export const passkeyOptionsSchema = guardedBody({ password });

export const passkeySignInSchema = closedObject({ response: authenticationResponse });

/** The login's second step by passkey: the ticket of mfa_required. */
export const secondStepOptionsSchema = closedObject({ mfaToken: secretSchema });
