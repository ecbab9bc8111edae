import { afterEach, describe, expect, it } from 'vitest';
import { setClock } from '../../src/config/clock.ts';
import { checkLogin } from '../../src/auth/login/login.ts';
import { hashPassword, parseHash } from '../../src/auth/passwords/hash.ts';
import { findSessionUser } from '../../src/auth/sessions/sessions.ts';
import { findUserBy, updateUser } from '../../src/auth/accounts/users.ts';
import { envForFile } from '../support/env.ts';
import { createUser, uniqueIp } from '../support/users.ts';
import { countStatements } from '../support/statements.ts';

envForFile({ RATE_LIMIT_LOGIN_ACCOUNT: '3/15m', RATE_LIMIT_LOGIN_IP: '6/15m' });
afterEach(() => setClock());

async function counted<T>(work: () => Promise<T>): Promise<{ statements: number; outcome: T | unknown }> {
  const { result: outcome, statements } = await countStatements(() => work().catch((error: unknown) => error));
  return { statements, outcome };
}

const INVALID = { status: 401, code: 'invalid_credentials' };

describe('checkLogin', () => {
  it('opens a session for the right password, by username or e-mail, in 2 statements', async () => {
    const { user, password } = await createUser();
    const { result, statements } = await countStatements(() => checkLogin({ username: user.username.toUpperCase(), password }, uniqueIp()));
    expect(statements).toBe(2);
    expect(result.user).toMatchObject({ id: user.id, username: user.username, email: user.email });
    expect((await findSessionUser(result.session.token))?.user.id).toBe(user.id);
    expect((await checkLogin({ email: user.email.toUpperCase(), password }, uniqueIp())).user.id).toBe(user.id);
  });

  it('answers the same 401 for a wrong password and an unknown user, in 1 statement each', async () => {
    const { user } = await createUser();
    const wrong = await counted(() => checkLogin({ username: user.username, password: 'Wrong-password-1' }, uniqueIp()));
    const unknown = await counted(() => checkLogin({ username: 'nobody_here', password: 'Wrong-password-1' }, uniqueIp()));
    expect(wrong.outcome).toMatchObject(INVALID);
    expect(unknown.outcome).toMatchObject(INVALID);
    expect((wrong.outcome as Error).message).toBe((unknown.outcome as Error).message);
    expect([wrong.statements, unknown.statements]).toEqual([1, 1]);
  });

  it('answers a name Postgres cannot store (NUL) as an unknown user, not a 500', async () => {
    const { user, password } = await createUser();
    for (const name of [`${user.username}\0`, 'a\0b']) {
      const { statements, outcome } = await counted(() => checkLogin({ username: name, password }, uniqueIp()));
      expect(outcome).toMatchObject(INVALID);
      expect(statements).toBe(1);
    }
    await expect(checkLogin({ email: `\0${user.email}`, password }, uniqueIp())).rejects.toMatchObject(INVALID);
  });

  it('refuses a password over 128 characters without a statement', async () => {
    const { user } = await createUser();
    const { statements, outcome } = await counted(() => checkLogin({ username: user.username, password: 'A1!'.repeat(43) }, uniqueIp()));
    expect(outcome).toMatchObject(INVALID);
    expect(statements).toBe(0);
  });

  it('says account_not_confirmed only after the right password', async () => {
    const { user, password } = await createUser({ confirmed: false });
    await expect(checkLogin({ username: user.username, password: 'Wrong-password-1' }, uniqueIp())).rejects.toMatchObject(INVALID);
    await expect(checkLogin({ username: user.username, password }, uniqueIp())).rejects.toMatchObject({
      status: 403,
      code: 'account_not_confirmed',
    });
  });

  it('upgrades a hash made with other parameters, within the same 2 statements', async () => {
    const { user, password } = await createUser();
    await updateUser(user.id, { password_hash: await hashPassword(password, { ln: 11, r: 8, p: 1 }) });
    const { statements, outcome } = await counted(() => checkLogin({ username: user.username, password }, uniqueIp()));
    expect(outcome).toHaveProperty('session');
    expect(statements).toBe(2);
    const stored = await findUserBy({ id: user.id });
    expect(parseHash(stored.password_hash)?.params).toEqual({ ln: 10, r: 8, p: 1 });
    await expect(checkLogin({ username: user.username, password }, uniqueIp())).resolves.toHaveProperty('session');
  });
});

describe('checkLogin rate limits', () => {
  it('locks an account for one address after too many failures, not for the owner elsewhere', async () => {
    const { user, password } = await createUser();
    const attacker = uniqueIp();
    for (let i = 0; i < 3; i++) {
      await expect(checkLogin({ username: user.username, password: `Guess-number-${i}` }, attacker)).rejects.toMatchObject(INVALID);
    }
    const blocked = await counted(() => checkLogin({ username: user.username, password }, attacker));
    expect(blocked.outcome).toMatchObject({ status: 429, code: 'rate_limited' });
    expect(blocked.statements).toBe(1);
    // The owner, from their own address, is not affected…
    await expect(checkLogin({ username: user.username, password }, uniqueIp())).resolves.toHaveProperty('session');
    // …and their success does not reset the attacker's counter.
    await expect(checkLogin({ username: user.username, password }, attacker)).rejects.toMatchObject({ status: 429 });
  });

  it('counts failures per address across accounts and unknown names', async () => {
    const ip = uniqueIp();
    const { user, password } = await createUser();
    for (let i = 0; i < 6; i++) {
      await expect(checkLogin({ username: `ghost_${i}`, password: 'Guess-number-1' }, ip)).rejects.toMatchObject(INVALID);
    }
    await expect(checkLogin({ username: user.username, password }, ip)).rejects.toMatchObject({ status: 429 });
  });

  it('gives a Retry-After that runs out with the window', async () => {
    const t0 = new Date('2031-02-02T10:00:00Z');
    setClock(() => t0);
    const { user, password } = await createUser();
    const ip = uniqueIp();
    for (let i = 0; i < 3; i++) await checkLogin({ username: user.username, password: 'Guess-number-1' }, ip).catch(() => undefined);
    setClock(() => new Date(t0.getTime() + 5 * 60_000));
    await expect(checkLogin({ username: user.username, password }, ip)).rejects.toMatchObject({
      headers: { 'Retry-After': String(10 * 60) },
    });
    setClock(() => new Date(t0.getTime() + 15 * 60_000));
    await expect(checkLogin({ username: user.username, password }, ip)).resolves.toHaveProperty('session');
  });

  it('never counts a right password: not for an unconfirmed account, not against the address', async () => {
    const unconfirmed = await createUser({ confirmed: false });
    const { user, password } = await createUser();
    const ip = uniqueIp();
    for (let i = 0; i < 5; i++) {
      await expect(checkLogin({ username: unconfirmed.user.username, password: unconfirmed.password }, ip)).rejects.toMatchObject({
        status: 403,
      });
    }
    for (let i = 0; i < 10; i++) await expect(checkLogin({ username: user.username, password }, ip)).resolves.toHaveProperty('session');
    // …nor does a success wipe the failures the address made: 6 allowed, the 7th attempt refused.
    for (let i = 0; i < 6; i++)
      await expect(checkLogin({ username: `ghost_${i}`, password: 'Guess-number-1' }, ip)).rejects.toMatchObject(INVALID);
    await expect(checkLogin({ username: user.username, password }, ip)).rejects.toMatchObject({ status: 429 });
  });

  it('clears the account counter of the address that succeeds', async () => {
    const { user, password } = await createUser();
    const ip = uniqueIp();
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 2; i++) await checkLogin({ username: user.username, password: 'Guess-number-1' }, ip).catch(() => undefined);
      await expect(checkLogin({ username: user.username, password }, ip)).resolves.toHaveProperty('session');
    }
  });
});
