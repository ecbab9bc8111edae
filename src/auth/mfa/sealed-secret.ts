// TOTP secrets at rest: AES-256-GCM under MFA_ENCRYPTION_KEY, so a copy of the
// database alone yields no secret. Layout: 12-byte nonce, ciphertext, 16-byte
// tag; the user id is the associated data, so a sealed secret moved to
// another account's row fails to open instead of working there.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { HttpError } from '../../common/errors.ts';
import { setting } from '../../config/settings.ts';
import { log } from '../../log/log.ts';

const NONCE_BYTES = 12;
const TAG_BYTES = 16;

/**
 * The key, or 503 mfa_unavailable with a log line naming the variable: a
 * deploy without it serves everything but the second factor. Checked before
 * any statement.
 */
export function mfaKey(): Buffer {
  const key = setting('mfaEncryptionKey');
  if (key === undefined) {
    log('error', 'mfa_unavailable', { variable: 'MFA_ENCRYPTION_KEY', hint: 'openssl rand -base64 32' });
    throw new HttpError('mfa_unavailable');
  }
  return key;
}

const associatedData = (userId: number) => Buffer.from(`totp:${userId}`);

export function sealSecret(secret: Buffer, userId: number, key: Buffer = mfaKey()): Buffer {
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, nonce).setAAD(associatedData(userId));
  const sealed = Buffer.concat([cipher.update(secret), cipher.final()]);
  return Buffer.concat([nonce, sealed, cipher.getAuthTag()]);
}

/** The secret, or an error when the key, the row or the owner is not the one it was sealed with (a 500: nothing a client can fix). */
export function openSecret(sealed: Buffer, userId: number, key: Buffer = mfaKey()): Buffer {
  const nonce = sealed.subarray(0, NONCE_BYTES);
  const tag = sealed.subarray(sealed.length - TAG_BYTES);
  const decipher = createDecipheriv('aes-256-gcm', key, nonce).setAAD(associatedData(userId)).setAuthTag(tag);
  return Buffer.concat([decipher.update(sealed.subarray(NONCE_BYTES, sealed.length - TAG_BYTES)), decipher.final()]);
}
