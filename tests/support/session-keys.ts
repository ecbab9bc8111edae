// Session tokens' keys as src/signing/keys.ts derives them (HKDF-SHA256 of a
// signing key's `d` or of JWT_SECRET, a fixed label per source), written out
// here rather than imported: a changed derivation would end every session in
// circulation, so it must fail the tests that sign tokens by hand.
import { hkdfSync } from 'node:crypto';
import { SignJWT, type JWTPayload } from 'jose';

/** The HMAC key of session tokens derived from a configured key (its `d`) or from a JWT_SECRET. */
export function derivedSessionKey(source: { d: string } | string): Uint8Array {
  const [secret, info] =
    typeof source === 'string'
      ? [Buffer.from(source), 'netlify-auth-service session tokens HS256 v1, from JWT_SECRET']
      : [Buffer.from(source.d, 'base64url'), 'netlify-auth-service session tokens HS256 v1, from an ES256 key'];
  return new Uint8Array(hkdfSync('sha256', secret, new Uint8Array(0), info, 32));
}

/** The `kid` the service gives that key: `session:<kid>` for a configured key, `session` for the secret. */
export const derivedSessionKid = (source: { kid: string } | string): string =>
  typeof source === 'string' ? 'session' : `session:${source.kid}`;

/** A session token in the form the service issues: HS256, `typ: JWT`, the derived key and its kid. */
export function sessionToken(source: { d: string; kid: string } | string, payload: JWTPayload): Promise<string> {
  return new SignJWT(payload)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT', kid: derivedSessionKid(source) })
    .sign(derivedSessionKey(source));
}
