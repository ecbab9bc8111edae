import { describe, expect, it, vi } from 'vitest';
import {
  currentParams,
  hashPassword,
  nativeScrypt,
  parseHash,
  portableScrypt,
  PRODUCTION_PARAMS,
  scrypt,
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
    expect(parseHash(`$scrypt$ln=40,r=8,p=1$c2FsdHNhbHRzYWx0c2FsdA$${'A'.repeat(43)}`)).toBeUndefined();
    expect(await verifyPassword('x', '$2b$10$notscrypt')).toEqual({ ok: false, needsRehash: false });
  });

  it('treats NFC and NFD spellings of a password alike', async () => {
    const hash = await hashPassword('Caf\u00e9-password-1');
    expect((await verifyPassword('Cafe\u0301-password-1', hash)).ok).toBe(true);
  });
});

// scrypt-js stands in where node:crypto has no scrypt: at the production
// parameters, its hashes and node:crypto's must be interchangeable.
describe('scrypt implementations', () => {
  const password = 'Caf\u00e9-Harbor-73!';

  it('uses node:crypto where it has scrypt', () => {
    expect(scrypt).toBe(nativeScrypt);
  });

  it('derive the same bytes at N=2^17, r=8, p=1', async () => {
    const salt = Buffer.from('0123456789abcdef0123456789abcdef', 'hex');
    const bytes = Buffer.from(password.normalize('NFC'));
    const native = await nativeScrypt(bytes, salt, PRODUCTION_PARAMS);
    expect(native).toHaveLength(32);
    expect((await portableScrypt(bytes, salt, PRODUCTION_PARAMS)).equals(native)).toBe(true);
  }, 120_000);

  it("verify each other's hashes at N=2^17, r=8, p=1", async () => {
    const byPortable = await hashPassword(password, PRODUCTION_PARAMS, portableScrypt);
    expect(parseHash(byPortable)?.params).toEqual(PRODUCTION_PARAMS);
    expect((await verifyPassword(password, byPortable, nativeScrypt)).ok).toBe(true);
    const byNative = await hashPassword(password, PRODUCTION_PARAMS, nativeScrypt);
    expect((await verifyPassword(password, byNative, portableScrypt)).ok).toBe(true);
    // The NFD spelling is the same password on both sides.
    expect((await verifyPassword('Cafe\u0301-Harbor-73!', byNative, portableScrypt)).ok).toBe(true);
  }, 120_000);

  it('refuse a wrong password either way', async () => {
    const params = { ln: 10, r: 8, p: 1 };
    expect((await verifyPassword('wrong', await hashPassword(password, params, nativeScrypt), portableScrypt)).ok).toBe(false);
    expect((await verifyPassword('wrong', await hashPassword(password, params, portableScrypt), nativeScrypt)).ok).toBe(false);
  });

  it('falls back to scrypt-js, chosen when the module loads, where node:crypto has no scrypt', async () => {
    vi.resetModules();
    vi.doMock('node:crypto', async (importOriginal) => {
      // As a runtime's partial node:crypto: the export is there, the function is not.
      return { ...(await importOriginal<typeof import('node:crypto')>()), scrypt: undefined };
    });
    try {
      const fallback = await import('../../src/auth/passwords/hash.ts');
      expect(fallback.scrypt).toBe(fallback.portableScrypt);
      const params = { ln: 10, r: 8, p: 1 };
      const hash = await fallback.hashPassword(password, params);
      expect((await verifyPassword(password, hash, nativeScrypt)).ok).toBe(true);
    } finally {
      vi.doUnmock('node:crypto');
      vi.resetModules();
    }
  });
});
