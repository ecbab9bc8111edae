import { afterEach, describe, expect, it } from 'vitest';
import { setClock } from '../../src/config/clock.ts';
import { getDb } from '../../src/db/connection.ts';
import { verifyPassword } from '../../src/auth/passwords/hash.ts';
import { PASSWORD_MESSAGES } from '../../src/auth/passwords/problems.ts';
import { confirmEmail, resendConfirmation } from '../../src/auth/signup/confirmation.ts';
import { registerUser } from '../../src/auth/signup/registration.ts';
import { findUserBy } from '../../src/auth/accounts/users.ts';
import { skipAhead } from '../support/clock.ts';
import { countStatements } from '../support/statements.ts';
import { createUser, STRONG_PASSWORD, uniqueIp, uniqueName } from '../support/users.ts';

afterEach(() => setClock());

const client = () => ({ ip: uniqueIp(), appUrl: 'http://localhost:8888/app' });

function input(overrides: Partial<{ username: string; email: string; password: string }> = {}) {
  const username = uniqueName('reg');
  return { username, email: `${username}@example.com`, password: STRONG_PASSWORD, ...overrides };
}

describe('registerUser', () => {
  it('stores a hashed password and an unconfirmed user with a confirmation code, in one statement', async () => {
    const data = input();
    const {
      result: { user, token },
      statements,
    } = await countStatements(() => registerUser(data));
    expect(statements).toBe(1);
    expect(user).toMatchObject({ username: data.username, email: data.email, confirmed_at: null });
    expect(user.password_hash).not.toContain(STRONG_PASSWORD);
    expect((await verifyPassword(STRONG_PASSWORD, user.password_hash)).ok).toBe(true);
    expect(token?.purpose).toBe('confirm_email');
  });

  it('registers a confirmed user without a code when asked (classic route)', async () => {
    const { user, token } = await registerUser(input(), { confirmed: true });
    expect(user.confirmed_at).toBeInstanceOf(Date);
    expect(token).toBeUndefined();
  });

  it('refuses a duplicate username, or the e-mail of a confirmed account', async () => {
    const data = input();
    await registerUser(data, { confirmed: true });
    await expect(registerUser({ ...input(), username: data.username.toUpperCase() })).rejects.toMatchObject({
      status: 409,
      code: 'username_taken',
    });
    await expect(registerUser({ ...input(), email: data.email })).rejects.toMatchObject({ status: 409, code: 'email_taken' });
  });

  it('replaces an account that never confirmed the address, in the same one statement; its code dies', async () => {
    const first = await registerUser(input());
    const again = input({ email: first.user.email });
    const { result, statements } = await countStatements(() => registerUser(again));
    expect(statements).toBe(1);
    expect(result.user).toMatchObject({ username: again.username, email: first.user.email, confirmed_at: null });
    await expect(findUserBy({ username: first.user.username })).rejects.toMatchObject({ status: 404 });
    await expect(confirmEmail(first.token!.secret)).rejects.toMatchObject({ status: 404 });
    await expect(confirmEmail(result.token!.secret)).resolves.toMatchObject({ id: result.user.id });
  });

  it('reports every broken rule of every field and stores nothing', async () => {
    const error = await registerUser({ username: 'admin', email: 'not-an-email', password: 'admin' }).catch((e: unknown) => e);
    expect(error).toMatchObject({
      status: 400,
      code: 'validation_failed',
      details: {
        username: ['is reserved'],
        email: ['must be a valid e-mail address'],
        password: [PASSWORD_MESSAGES.tooShort, PASSWORD_MESSAGES.common, PASSWORD_MESSAGES.username, PASSWORD_MESSAGES.classes],
      },
    });
    await expect(findUserBy({ username: 'admin' })).rejects.toMatchObject({ status: 404 });
  });
});

describe('confirmEmail', () => {
  it('confirms the account and uses up the code', async () => {
    const { user, token } = await registerUser(input());
    const confirmed = await confirmEmail(token!.secret);
    expect(confirmed).toMatchObject({ id: user.id, username: user.username });
    expect(confirmed.confirmed_at).toBeInstanceOf(Date);
    await expect(confirmEmail(token!.secret)).rejects.toMatchObject({ status: 404, code: 'not_found' });
  });

  it('answers 404 for an unknown code', async () => {
    await expect(confirmEmail('A'.repeat(43))).rejects.toMatchObject({ status: 404 });
  });

  it('accepts a code until 10 minutes have passed, then answers 410', async () => {
    const t0 = new Date('2031-06-01T08:00:00Z');
    setClock(() => t0);
    const early = await registerUser(input());
    const late = await registerUser(input());
    setClock(() => new Date(t0.getTime() + 10 * 60_000 - 1_000));
    await expect(confirmEmail(early.token!.secret)).resolves.toMatchObject({ id: early.user.id });
    setClock(() => new Date(t0.getTime() + 10 * 60_000));
    await expect(confirmEmail(late.token!.secret)).rejects.toMatchObject({ status: 410, code: 'code_expired' });
    expect((await findUserBy({ id: late.user.id })).confirmed_at).toBeNull();
  });

  it('lets exactly one of two concurrent uses succeed', async () => {
    const { token } = await registerUser(input());
    const results = await Promise.allSettled([confirmEmail(token!.secret), confirmEmail(token!.secret)]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(rejected.reason).toMatchObject({ status: 404 });
  });
});

describe('resendConfirmation', () => {
  it('replaces the code of an unconfirmed account', async () => {
    const { token, user } = await registerUser(input());
    // A live code is kept for its first minute, so a stranger asking again cannot replace the one the owner is about to use.
    skipAhead();
    const { confirmation } = await resendConfirmation(user.email, client());
    expect(confirmation?.code).toMatch(/^[A-Za-z0-9_-]{43}$/);
    await expect(confirmEmail(token!.secret)).rejects.toMatchObject({ status: 404 });
    await expect(confirmEmail(confirmation!.code)).resolves.toMatchObject({ id: user.id });
  });

  it('issues nothing for an unknown or already proven address', async () => {
    const { user } = await createUser();
    expect(await resendConfirmation(user.email, client())).toEqual({});
    expect(await resendConfirmation('nobody@example.com', client())).toEqual({});
  });

  it('sends a code to a classic account (confirmed, address unproven), whose use proves the address as email_verified', async () => {
    const { user } = await registerUser(input(), { confirmed: true });
    const { confirmation } = await resendConfirmation(user.email, client());
    await expect(confirmEmail(confirmation!.code)).resolves.toMatchObject({ id: user.id, confirmed_at: user.confirmed_at });
    expect((await findUserBy({ id: user.id })).email_verified_at).toBeInstanceOf(Date);
    const kinds = await getDb().selectFrom('security_events').select('kind').where('user_id', '=', user.id).execute();
    expect(kinds.map((row) => row.kind)).toEqual(['email_verified']);
  });
});
