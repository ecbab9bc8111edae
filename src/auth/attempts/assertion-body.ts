// The JSON of a WebAuthn answer (PublicKeyCredential.toJSON()), every
// base64url field bounded so an oversized one is a 400 before any CBOR is
// decoded. Here, below mfa/ and passkeys/, because an assertion is also a
// step-up's proof (step-up.ts), which the bodies of every guarded change carry.
import * as v from 'valibot';

export const base64url = (max: number) =>
  v.pipe(
    v.string('must be a string'),
    v.maxLength(max, `must be at most ${max} characters`),
    v.regex(/^[A-Za-z0-9_-]*$/, 'must be base64url'),
  );

/** A credential id: at most 1,023 bytes (WebAuthn Level 3), 1,364 base64url characters. */
export const credentialId = v.pipe(base64url(1364), v.minLength(1, 'must not be empty'));
export const clientDataJSON = v.pipe(base64url(4096), v.minLength(1, 'must not be empty'));

export const authenticatorAttachment = v.optional(v.picklist(['platform', 'cross-platform'], 'must be platform or cross-platform'));
export const clientExtensionResults = v.optional(v.record(v.string(), v.unknown()), {});

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
  authenticatorAttachment,
  clientExtensionResults,
});
