import { afterEach, describe, expect, it } from 'vitest';
import { setClock } from '../../src/config/clock.ts';
import { checkLogin } from '../../src/auth/login/login.ts';
import { verifyPassword } from '../../src/auth/passwords/hash.ts';
import { PASSWORD_MESSAGES } from '../../src/auth/passwords/problems.ts';
import { issueResetToken, requestPasswordReset } from '../../src/auth/reset/request.ts';
import { updatePasswordWithResetToken } from '../../src/auth/reset/reset.ts';
import { createSession, findSessionUser } from '../../src/auth/sessions/sessions.ts';
import { findUserBy } from '../../src/auth/accounts/users.ts';
import { createUser, uniqueIp } from '../support/users.ts';
import { countStatements } from '../support/statements.ts';

afterEach(() => setClock());

const NEW_PASSWORD = 'Granite-Meadow-58?';

describe('issueResetToken', () => {
  it('issues a token for a known e-mail, in any case', async () => {
    const { user } = await createUser();
    const { user: holder, token } = await issueResetToken(user.email.toUpperCase());
    expect(holder.id).toBe(user.id);
    expect(token.purpose).toBe('reset_password');
  });

  it('throws 404 for an unknown e-mail', async () => {
    await expect(issueResetToken('nobody@example.com')).rejects.toMatchObject({ status: 404, code: 'not_found' });
  });
});

describe('requestPasswordReset', () => {
  const client = () => ({ ip: uniqueIp(), appUrl: 'http://localhost:8888/app' });

  it('hides whether the account exists, unless the caller requires it', async () => {
    expect(await requestPasswordReset('nobody@example.com', client())).toEqual({});
    await expect(requestPasswordReset('nobody@example.com', client(), { requireAccount: true })).rejects.toMatchObject({ status: 404 });
    const { user } = await createUser();
    expect((await requestPasswordReset(user.email, client())).reset?.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });
});

describe('updatePasswordWithResetToken', () => {
  it('sets the password, uses up the token and revokes every session, in 2 statements', async () => {
    const { user, token: sessionToken } = await createUser();
    await createSession(user.id);
    const { token } = await issueResetToken(user.email);
    const { result, statements } = await countStatements(() =>
      updatePasswordWithResetToken({ token: token.secret, password: NEW_PASSWORD }),
    );
    expect(statements).toBe(2);
    expect(result).toMatchObject({ user: { id: user.id, email: user.email }, revokedSessions: 2 });
    expect(await findSessionUser(sessionToken)).toBeUndefined();
    expect((await verifyPassword(NEW_PASSWORD, (await findUserBy({ id: user.id })).password_hash)).ok).toBe(true);
    await expect(updatePasswordWithResetToken({ token: token.secret, password: NEW_PASSWORD })).rejects.toMatchObject({ status: 404 });
  });

  it('throws 404 for a bad token and for a token of another account than the e-mail named', async () => {
    const { user } = await createUser();
    const other = await createUser();
    const { token } = await issueResetToken(user.email);
    await expect(updatePasswordWithResetToken({ token: 'B'.repeat(43), password: NEW_PASSWORD })).rejects.toMatchObject({ status: 404 });
    await expect(updatePasswordWithResetToken({ token: 'short', password: NEW_PASSWORD })).rejects.toMatchObject({ status: 404 });
    await expect(
      updatePasswordWithResetToken({ token: token.secret, password: NEW_PASSWORD, email: other.user.email }),
    ).rejects.toMatchObject({ status: 404 });
    await expect(updatePasswordWithResetToken({ token: token.secret, password: NEW_PASSWORD, email: user.email })).resolves.toBeDefined();
  });

  it('throws 410 after 30 minutes', async () => {
    const t0 = new Date('2031-04-04T04:00:00Z');
    setClock(() => t0);
    const { user } = await createUser();
    const { token } = await issueResetToken(user.email);
    setClock(() => new Date(t0.getTime() + 30 * 60_000));
    await expect(updatePasswordWithResetToken({ token: token.secret, password: NEW_PASSWORD })).rejects.toMatchObject({
      status: 410,
      code: 'code_expired',
    });
  });

  it('refuses a password against every rule, the account included, and keeps the token usable', async () => {
    const { user, token: sessionToken } = await createUser();
    const { token } = await issueResetToken(user.email);
    await expect(updatePasswordWithResetToken({ token: token.secret, password: `${user.username}-X9` })).rejects.toMatchObject({
      status: 400,
      // The fixture's e-mail local part is the username, so both rules apply.
      details: { password: [PASSWORD_MESSAGES.username, PASSWORD_MESSAGES.emailLocalPart] },
    });
    expect(await findSessionUser(sessionToken)).toBeDefined();
    await expect(updatePasswordWithResetToken({ token: token.secret, password: NEW_PASSWORD })).resolves.toBeDefined();
  });

  it('confirms an unconfirmed account: the token proved the mailbox', async () => {
    const { user } = await createUser({ confirmed: false });
    const { token } = await issueResetToken(user.email);
    const { user: updated } = await updatePasswordWithResetToken({ token: token.secret, password: NEW_PASSWORD });
    expect(updated.confirmed_at).toBeInstanceOf(Date);
    await expect(checkLogin({ email: user.email, password: NEW_PASSWORD }, uniqueIp())).resolves.toHaveProperty('session');
  });
});
