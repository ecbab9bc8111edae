// How many scrypt computations each login path spends: the same one for an
// unknown user as for a wrong password, none for an overlong password.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { checkLogin } from '../../src/auth/login/login.ts';
import { hashPassword, parseHash, verifyPassword } from '../../src/auth/passwords/hash.ts';
import { createUser, uniqueIp } from '../support/users.ts';

vi.mock('../../src/auth/passwords/hash.ts', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/auth/passwords/hash.ts')>();
  return { ...original, hashPassword: vi.fn(original.hashPassword), verifyPassword: vi.fn(original.verifyPassword) };
});

const hashes = () => vi.mocked(hashPassword).mock.calls.length + vi.mocked(verifyPassword).mock.calls.length;

describe('login hashing', () => {
  beforeEach(() => vi.clearAllMocks());

  it('spends exactly one scrypt on an unknown user, first and later times, at the current parameters', async () => {
    for (let attempt = 0; attempt < 3; attempt++) {
      vi.clearAllMocks();
      await expect(checkLogin({ username: `nobody_${attempt}`, password: 'Some-password-1' }, uniqueIp())).rejects.toMatchObject({
        status: 401,
      });
      expect(hashes()).toBe(1);
    }
    const dummy = vi.mocked(verifyPassword).mock.calls[0]![1];
    expect(parseHash(dummy)?.params).toEqual({ ln: 10, r: 8, p: 1 });
  });

  it('spends exactly one scrypt on a wrong password', async () => {
    const { user } = await createUser();
    vi.clearAllMocks();
    await expect(checkLogin({ username: user.username, password: 'Wrong-password-1' }, uniqueIp())).rejects.toMatchObject({ status: 401 });
    expect(hashes()).toBe(1);
  });

  it('spends none on a password over the maximum length', async () => {
    const { user } = await createUser();
    vi.clearAllMocks();
    await expect(checkLogin({ username: user.username, password: 'x'.repeat(129) }, uniqueIp())).rejects.toMatchObject({ status: 401 });
    expect(hashes()).toBe(0);
  });
});
