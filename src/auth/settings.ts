// Auth settings from the environment, read once per process.
import * as v from 'valibot';
import { ConfigError, envValue, parseEnv } from '../config/env.ts';
import { durationSchema } from '../config/duration.ts';

let key: Promise<CryptoKey> | undefined;
let sessionTtl: number | undefined;

/**
 * The HS256 key, imported once per process (given raw bytes, jose would import
 * them again on every sign and verify). A missing or short JWT_SECRET stops
 * every authenticated request, in every environment: shipped code holds no
 * secret to fall back on (the test setup and `npm run dev` supply their own).
 */
export function jwtKey(): Promise<CryptoKey> {
  if (key === undefined) {
    const secret = envValue('JWT_SECRET');
    if (secret === undefined) throw new ConfigError('JWT_SECRET is not set (at least 32 bytes)');
    const bytes = new TextEncoder().encode(secret);
    if (bytes.length < 32) throw new ConfigError('JWT_SECRET must be at least 32 bytes long');
    key = crypto.subtle.importKey('raw', bytes, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
  }
  return key;
}

/** SESSION_TTL, e.g. `7d` (the default) or `12h`. */
export function sessionTtlMs(): number {
  sessionTtl ??= parseEnv('SESSION_TTL', v.optional(durationSchema, '7d'));
  return sessionTtl;
}

/** Tests only: forget cached settings after changing the environment. */
export function resetAuthSettings(): void {
  key = undefined;
  sessionTtl = undefined;
}
