// Recovery codes: ten per enabled factor, shown once, stored as SHA-256 (each
// has 80 random bits, so a leaked hash cannot be searched back to its code).
// Written `xxxx-xxxx-xxxx-xxxx` in base32; read ignoring case, spaces and dashes.
import { randomBytes } from 'node:crypto';
import { hashSecret } from '../codes/tokens.ts';
import { base32 } from './totp.ts';

export const RECOVERY_CODE_COUNT = 10;
const CODE_BYTES = 10;

/** The form a code is hashed in: upper case, without separators. */
export const normalRecoveryCode = (code: string) => code.replace(/[\s-]/g, '').toUpperCase();

/** A recovery code as typed, once normalised: 16 base32 characters. */
export const isRecoveryCode = (code: string) => /^[A-Z2-7]{16}$/.test(normalRecoveryCode(code));

export const hashRecoveryCode = (code: string) => hashSecret(normalRecoveryCode(code));

export function newRecoveryCodes(): { codes: string[]; hashes: Buffer[] } {
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, () =>
    base32(randomBytes(CODE_BYTES))
      .toLowerCase()
      .replace(/(.{4})(?!$)/g, '$1-'),
  );
  return { codes, hashes: codes.map(hashRecoveryCode) };
}
