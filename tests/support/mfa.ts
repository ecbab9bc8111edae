// A second factor for tests, computed here and not by the service's module:
// the secret read back from the base32 the API answers, codes by HMAC-SHA-1
// written out from RFC 4226, so the service is checked against another
// implementation rather than against itself.
import { createHmac } from 'node:crypto';
import confirm from '../../netlify/functions/me-mfa-totp-confirm.ts';
import enrol from '../../netlify/functions/me-mfa-totp.ts';
import { call } from './call.ts';
import { heldBy, stepUpFor } from './passkeys.ts';
import { STRONG_PASSWORD } from './users.ts';

export function fromBase32(text: string): Buffer {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const bits = [...text.replace(/=+$/, '')].map((c) => alphabet.indexOf(c).toString(2).padStart(5, '0')).join('');
  const bytes: number[] = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) bytes.push(parseInt(bits.slice(i, i + 8), 2));
  return Buffer.from(bytes);
}

/** The 6-digit code of `secretBase32` at `at`, `offset` steps away. */
export function codeAt(secretBase32: string, at: number = Date.now(), offset = 0): string {
  const counter = Math.floor(at / 30_000) + offset;
  const message = Buffer.alloc(8);
  message.writeUInt32BE(Math.floor(counter / 2 ** 32), 0);
  message.writeUInt32BE(counter % 2 ** 32, 4);
  const hmac = createHmac('sha1', fromBase32(secretBase32)).update(message).digest();
  const start = hmac[19]! & 0xf;
  const value = ((hmac[start]! & 0x7f) << 24) | (hmac[start + 1]! << 16) | (hmac[start + 2]! << 8) | hmac[start + 3]!;
  return (value % 1_000_000).toString().padStart(6, '0');
}

export interface Enrolled {
  secret: string;
  recoveryCodes: string[];
}

const STEP_MS = 30_000;

/**
 * The previous step's code, taken at least `marginMs` before the step ends:
 * the service accepts it until then, and this step's code stays unused. On
 * busy cores a request made in the last moments of a step can reach the
 * service in the next one, where that code is two steps old.
 */
export async function previousStepCode(secretBase32: string, marginMs = 5_000): Promise<string> {
  const left = STEP_MS - (Date.now() % STEP_MS);
  if (left < marginMs) await new Promise((resolve) => setTimeout(resolve, left + 50));
  return codeAt(secretBase32, Date.now(), -1);
}

/**
 * Enrols and confirms a factor for the holder of `token` (with the step-up of
 * the passkeys the helpers gave it); the confirming code is the previous
 * step's, so the current one is still unused.
 */
export async function enableMfa(token: string, password = STRONG_PASSWORD): Promise<Enrolled> {
  const record = await heldBy(token, password);
  const { passkey } = record.passkeys.length > 0 ? await stepUpFor(token) : {};
  const started = await call(enrol, 'POST', '/api/me/mfa/totp', { token, json: { password, ...(passkey && { passkey }) } });
  if (started.status !== 200) throw new Error(`enrolment answered ${started.status}: ${started.text}`);
  const secret: string = started.body.secret;
  const confirmed = await call(confirm, 'POST', '/api/me/mfa/totp/confirm', {
    token,
    json: { code: await previousStepCode(secret, 3_000), revokeOtherSessions: false },
  });
  if (confirmed.status !== 200) throw new Error(`confirmation answered ${confirmed.status}: ${confirmed.text}`);
  record.recoveryCodes = confirmed.body.recoveryCodes;
  return { secret, recoveryCodes: confirmed.body.recoveryCodes };
}
