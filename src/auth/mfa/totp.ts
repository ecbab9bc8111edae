// RFC 6238 time-based one-time passwords over node:crypto's HMAC (RFC 4226's
// dynamic truncation), as authenticator apps compute them: SHA-1, 6 digits,
// 30-second steps. Pure functions: the database and the clock stay with the callers.
import { createHmac, timingSafeEqual } from 'node:crypto';

export type TotpAlgorithm = 'sha1' | 'sha256' | 'sha512';

export interface TotpOptions {
  algorithm?: TotpAlgorithm;
  digits?: number;
  stepSeconds?: number;
}

/** What the service issues; an authenticator app assumes these when the URI names none. */
export const TOTP = { algorithm: 'sha1', digits: 6, stepSeconds: 30 } as const;
/** Codes of the step before and after the current one are accepted too (clock drift, typing time). */
export const STEP_WINDOW = 1;
/** 20 bytes: RFC 4226's recommended secret length for HMAC-SHA-1. */
export const SECRET_BYTES = 20;

/** The time step (counter) a moment falls in. */
export const timeStep = (at: Date, stepSeconds: number = TOTP.stepSeconds) => Math.floor(at.getTime() / 1000 / stepSeconds);

/** The code for one time step (RFC 4226 §5.3: HMAC of the 8-byte counter, dynamic truncation). */
export function totpCode(secret: Buffer, step: number, { algorithm = TOTP.algorithm, digits = TOTP.digits }: TotpOptions = {}): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac(algorithm, secret).update(counter).digest();
  const offset = mac[mac.length - 1]! & 0x0f;
  const binary = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(binary % 10 ** digits).padStart(digits, '0');
}

/**
 * The step within ±STEP_WINDOW of `at` whose code is `code`, if any. Every
 * candidate is computed and compared in constant time, so the answer's timing
 * does not tell which step (or how many digits) matched.
 */
export function matchingStep(secret: Buffer, code: string, at: Date): number | undefined {
  if (!/^\d+$/.test(code) || code.length !== TOTP.digits) return undefined;
  const given = Buffer.from(code);
  const current = timeStep(at);
  let found: number | undefined;
  for (let step = current - STEP_WINDOW; step <= current + STEP_WINDOW; step++) {
    if (timingSafeEqual(Buffer.from(totpCode(secret, step)), given)) found ??= step;
  }
  return found;
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 base32 without padding, as otpauth URIs and authenticator apps take a secret. */
export function base32(bytes: Buffer): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}

/** The Key URI an authenticator app reads from a QR code: `otpauth://totp/Issuer:account?secret=…&issuer=…`. */
export function otpauthUri(secret: Buffer, issuer: string, account: string): string {
  const label = `${encodeURIComponent(issuer)}:${encodeURIComponent(account)}`;
  const query = new URLSearchParams({
    secret: base32(secret),
    issuer,
    algorithm: TOTP.algorithm.toUpperCase(),
    digits: String(TOTP.digits),
    period: String(TOTP.stepSeconds),
  });
  return `otpauth://totp/${label}?${query.toString().replace(/\+/g, '%20')}`;
}
