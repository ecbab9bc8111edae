// TOTP secrets at rest: AES-256-GCM under MFA_ENCRYPTION_KEY, so a copy of the
// database alone yields no secret. Layout: 12-byte nonce, ciphertext, 16-byte
// tag; the user id is the associated data, so a sealed secret moved to
// another account's row fails to open instead of working there.
// The variable is a list of keys: the first seals, every one opens, so a new
// key can be put first while the secrets sealed under the old one still work;
// they are sealed again under the first when used (`resealed`) or by
// `npm run mfa:reseal`, after which the old key can be dropped.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { HttpError } from '../../common/errors.ts';
import { setting } from '../../config/settings.ts';
import { log } from '../../log/log.ts';

const NONCE_BYTES = 12;
const TAG_BYTES = 16;

/**
 * The keys, the sealing one first, or 503 mfa_unavailable with a log line
 * naming the variable: a deploy without it serves everything but the second
 * factor. Checked before any statement.
 */
export function mfaKeys(): Buffer[] {
  const keys = setting('mfaEncryptionKeys');
  if (keys === undefined) {
    log('error', 'mfa_unavailable', { variable: 'MFA_ENCRYPTION_KEY', hint: 'openssl rand -base64 32' });
    throw new HttpError('mfa_unavailable');
  }
  return keys;
}

const associatedData = (userId: number) => Buffer.from(`totp:${userId}`);

export function sealSecret(secret: Buffer, userId: number, key: Buffer = mfaKeys()[0]!): Buffer {
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, nonce).setAAD(associatedData(userId));
  const sealed = Buffer.concat([cipher.update(secret), cipher.final()]);
  return Buffer.concat([nonce, sealed, cipher.getAuthTag()]);
}

function openWith(sealed: Buffer, userId: number, key: Buffer): Buffer {
  const nonce = sealed.subarray(0, NONCE_BYTES);
  const tag = sealed.subarray(sealed.length - TAG_BYTES);
  const decipher = createDecipheriv('aes-256-gcm', key, nonce).setAAD(associatedData(userId)).setAuthTag(tag);
  return Buffer.concat([decipher.update(sealed.subarray(NONCE_BYTES, sealed.length - TAG_BYTES)), decipher.final()]);
}

export interface Opened {
  secret: Buffer;
  /** The secret sealed again under the first key, when an older key opened it: what the row should hold from now on. */
  resealed: Buffer | undefined;
}

/**
 * The secret, tried with each key in turn (a wrong key fails GCM's tag check),
 * or an error when none of them, the row or the owner is the one it was sealed
 * with (a 500: nothing a client can fix).
 */
export function openSecret(sealed: Buffer, userId: number, keys: Buffer[] = mfaKeys()): Opened {
  for (const [index, key] of keys.entries()) {
    let secret: Buffer;
    try {
      secret = openWith(sealed, userId, key);
    } catch {
      continue;
    }
    return { secret, resealed: index === 0 ? undefined : sealSecret(secret, userId, keys[0]) };
  }
  throw new Error(`The TOTP secret of account ${userId} opens with none of the keys in MFA_ENCRYPTION_KEY`);
}
