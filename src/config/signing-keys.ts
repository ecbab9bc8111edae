// JWT_SIGNING_KEYS, checked: a JSON array of private ES256 JWKs, each with a
// kid (src/signing/README.md). Read by settings.ts, imported by src/signing.
import * as v from 'valibot';

export const SIGNING_ALG = 'ES256';

/**
 * The `kid` of session tokens' keys (src/signing/keys.ts): `session` for the
 * one derived from JWT_SECRET, `session:<kid>` for the one derived from a
 * configured key. Reserved here, so no published kid can name a session key.
 */
export const SESSION_KID = 'session';

const coordinate = v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{43}$/, 'must be 32 bytes in base64url'));

const privateJwk = v.looseObject({
  kty: v.literal('EC', 'kty must be "EC" (only ES256 keys are accepted)'),
  crv: v.literal('P-256', 'crv must be "P-256"'),
  x: coordinate,
  y: coordinate,
  d: v.pipe(v.string('d (the private part) is missing'), v.regex(/^[A-Za-z0-9_-]{43}$/, 'd must be 32 bytes in base64url')),
  kid: v.pipe(v.string('kid is missing'), v.regex(/^[\x21-\x7e]{1,64}$/, 'kid must be 1-64 visible ASCII characters')),
  alg: v.optional(v.literal(SIGNING_ALG, `alg must be "${SIGNING_ALG}" when given`)),
  use: v.optional(v.literal('sig', 'use must be "sig" when given')),
});

export type PrivateSigningJwk = v.InferOutput<typeof privateJwk>;

/**
 * The JSON text of JWT_SIGNING_KEYS: an array of private JWKs, the first the
 * signing one. Throws an Error whose message names what is wrong (the key's
 * position, never its private part).
 */
export function parseSigningKeys(text: string): PrivateSigningJwk[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error('must be a JSON array of private JWKs (npm run keys prints one)');
  }
  if (!Array.isArray(value) || value.length === 0) throw new Error('must be a non-empty JSON array of private JWKs');
  const keys = value.map((item, index) => {
    const result = v.safeParse(privateJwk, item);
    if (!result.success) throw new Error(`key ${index + 1}: ${result.issues[0]!.message}`);
    return result.output;
  });
  const seen = new Set<string>();
  for (const { kid } of keys) {
    if (kid === SESSION_KID || kid.startsWith(`${SESSION_KID}:`)) throw new Error(`kid "${kid}" is reserved for session tokens' keys`);
    if (seen.has(kid)) throw new Error(`kid "${kid}" is used twice`);
    seen.add(kid);
  }
  return keys;
}
