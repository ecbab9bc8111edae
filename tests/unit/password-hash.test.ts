import { describe, expect, it } from 'vitest';
import {
  currentParams,
  hashPassword,
  parseHash,
  PRODUCTION_PARAMS,
  verifyPassword,
} from '../../src/auth/passwords/hash.ts';

describe('password hashing', () => {
  it('uses the lowered test cost from PASSWORD_SCRYPT_N', () => {
    expect(process.env.PASSWORD_SCRYPT_N).toBe('1024');
    expect(currentParams()).toEqual({ ln: 10, r: 8, p: 1 });
  });

  it('hashes with the production default N=2^17, r=8, p=1 and verifies', async () => {
    expect(PRODUCTION_PARAMS).toEqual({ ln: 17, r: 8, p: 1 });
    const hash = await hashPassword('Production-Strength-1!', PRODUCTION_PARAMS);
    expect(hash).toMatch(/^\$scrypt\$ln=17,r=8,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    const result = await verifyPassword('Production-Strength-1!', hash);
    // Verified, and flagged for rehash because this process hashes at the test cost.
    expect(result).toEqual({ ok: true, needsRehash: true });
  });

  it('salts every hash and refuses a wrong password', async () => {
    const a = await hashPassword('same password here');
    const b = await hashPassword('same password here');
    expect(a).not.toBe(b);
    expect(await verifyPassword('same password here', a)).toEqual({ ok: true, needsRehash: false });
    expect(await verifyPassword('same password herE', a)).toEqual({ ok: false, needsRehash: false });
  });

  it('never verifies against an unreadable or absurd stored hash', async () => {
    expect(parseHash('plaintext')).toBeUndefined();
    expect(parseHash('$scrypt$ln=40,r=8,p=1$c2FsdHNhbHRzYWx0c2FsdA$' + 'A'.repeat(43))).toBeUndefined();
    expect(await verifyPassword('x', '$2b$10$notscrypt')).toEqual({ ok: false, needsRehash: false });
  });

  it('treats NFC and NFD spellings of a password alike', async () => {
    const hash = await hashPassword('Caf\u00e9-password-1');
    expect((await verifyPassword('Cafe\u0301-password-1', hash)).ok).toBe(true);
  });
});
