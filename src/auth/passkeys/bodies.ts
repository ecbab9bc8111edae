// The passkeys' request bodies, free of database code (the OpenAPI document
// carries them without the operations). The authenticator's answer is the
// JSON of PublicKeyCredential.toJSON(): base64url fields, each bounded here so
// an oversized one is a 400 before any CBOR is decoded.
import * as v from 'valibot';
import { closedObject, trimmedText } from '../../common/field-rules.ts';
import { stepUpCode } from '../attempts/step-up.ts';
import { PASSKEY_NAME_MAX } from './name.ts';

const base64url = (max: number) =>
  v.pipe(
    v.string('must be a string'),
    v.maxLength(max, `must be at most ${max} characters`),
    v.regex(/^[A-Za-z0-9_-]*$/, 'must be base64url'),
  );

/** A credential id: at most 1,023 bytes (WebAuthn Level 3), 1,364 base64url characters. */
const credentialId = v.pipe(base64url(1364), v.minLength(1, 'must not be empty'));
const clientDataJSON = v.pipe(base64url(4096), v.minLength(1, 'must not be empty'));

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
  authenticatorAttachment: v.optional(v.picklist(['platform', 'cross-platform'], 'must be platform or cross-platform')),
  clientExtensionResults: v.optional(v.record(v.string(), v.unknown()), {}),
});

/** PublicKeyCredential.toJSON() of navigator.credentials.get(). */
export const authenticationResponse = v.object({
  id: credentialId,
  rawId: credentialId,
  type: v.literal('public-key', 'must be public-key'),
  response: v.object({
    clientDataJSON,
    authenticatorData: v.pipe(base64url(2048), v.minLength(1, 'must not be empty')),
    signature: v.pipe(base64url(2048), v.minLength(1, 'must not be empty')),
    userHandle: v.optional(base64url(128)),
  }),
  authenticatorAttachment: v.optional(v.picklist(['platform', 'cross-platform'], 'must be platform or cross-platform')),
  clientExtensionResults: v.optional(v.record(v.string(), v.unknown()), {}),
});

export const passkeyName = v.pipe(trimmedText(PASSKEY_NAME_MAX), v.description('A name the owner recognises the passkey by.'));

export const addPasskeySchema = closedObject({ response: registrationResponse, name: v.optional(passkeyName) });

export const renamePasskeySchema = closedObject({ name: passkeyName });

/** Re-authentication: checked against the stored hash, not against rules. */
const password = v.pipe(v.string('must be a string'), v.minLength(1, 'must not be empty'));

export const removePasskeySchema = closedObject({ password, code: stepUpCode });

export const passkeySignInSchema = closedObject({ response: authenticationResponse });
