// SQL statements per request: on the success path as each declaration states
// them (src/endpoints), and on the other paths each function's header comment
// describes (the budgets of the README, "Performance": an authenticated read is 1; login at most 2).
import { describe, expect, it } from 'vitest';
import login from '../../netlify/functions/login.ts';
import logout from '../../netlify/functions/logout.ts';
import me from '../../netlify/functions/me.ts';
import meEmail from '../../netlify/functions/me-email.ts';
import recoveryCodes from '../../netlify/functions/me-mfa-recovery-codes.ts';
import mfaTotp from '../../netlify/functions/me-mfa-totp.ts';
import mePassword from '../../netlify/functions/me-password.ts';
import meSession from '../../netlify/functions/me-session.ts';
import meSessions from '../../netlify/functions/me-sessions.ts';
import forgot from '../../netlify/functions/password-forgot.ts';
import reset from '../../netlify/functions/password-reset.ts';
import confirm from '../../netlify/functions/register-confirm.ts';
import resend from '../../netlify/functions/register-resend.ts';
import register from '../../netlify/functions/register.ts';
import { hashPassword } from '../../src/auth/passwords/hash.ts';
import { createSession } from '../../src/auth/sessions/sessions.ts';
import { updateUser } from '../../src/auth/accounts/users.ts';
import { call } from '../support/call.ts';
import { registerAccount, useMailProvider } from '../support/accounts.ts';
import { codeAt, enableMfa } from '../support/mfa.ts';
import { measured, stated } from '../support/statements.ts';
import { createUser, STRONG_PASSWORD, uniqueIp, uniqueName } from '../support/users.ts';

describe('statements per request', () => {
  it('POST /api/register: 2; 4 with a mail provider (the INSERT between BEGIN and COMMIT, or ROLLBACK when the e-mail fails)', async () => {
    const body = () => {
      const username = uniqueName();
      return { json: { username, email: `${username}@example.com`, password: STRONG_PASSWORD }, ip: uniqueIp() };
    };
    expect(await measured(() => call(register, 'POST', '/api/register', body()))).toEqual([201, stated('register', 'POST')]);
    for (const [status, answer] of [
      [202, 201],
      [503, 503],
    ] as const) {
      const mail = useMailProvider(status);
      try {
        expect(await measured(() => call(register, 'POST', '/api/register', body()))).toEqual([answer, 4]);
      } finally {
        mail.restore();
      }
    }
  });

  it('GET /api/register/confirm/{code}: 1, also when refused', async () => {
    const acct = await registerAccount();
    expect(await measured(() => call(confirm, 'GET', `/api/register/confirm/${acct.code}`))).toEqual([
      200,
      stated('register-confirm', 'GET'),
    ]);
    expect(await measured(() => call(confirm, 'GET', `/api/register/confirm/${acct.code}`))).toEqual([404, 1]);
  });

  it('POST /api/register/resend and /api/password/forgot: 2, account or not', async () => {
    const acct = await registerAccount();
    for (const email of [acct.email, 'nobody@example.com']) {
      expect(await measured(() => call(resend, 'POST', '/api/register/resend', { json: { email }, ip: uniqueIp() }))).toEqual([
        202,
        stated('register-resend', 'POST'),
      ]);
      expect(await measured(() => call(forgot, 'POST', '/api/password/forgot', { json: { email }, ip: uniqueIp() }))).toEqual([
        202,
        stated('password-forgot', 'POST'),
      ]);
    }
  });

  it('POST /api/login: at most 2 on every path', async () => {
    const { user, password } = await createUser();
    const unconfirmed = await createUser({ confirmed: false });
    const login_ = (json: object, ip = uniqueIp()) => measured(() => call(login, 'POST', '/api/login', { json, ip }));
    expect(await login_({ username: user.username, password })).toEqual([200, stated('login', 'POST')]);
    expect(await login_({ username: user.username, password: 'Wrong-Password-1' })).toEqual([401, 1]);
    expect(await login_({ username: 'nobody_there', password: 'Wrong-Password-1' })).toEqual([401, 1]);
    expect(await login_({ username: unconfirmed.user.username, password })).toEqual([403, 2]);
    expect(await login_({ username: user.username, password: 'x'.repeat(129) })).toEqual([401, 0]);
    await updateUser(user.id, { password_hash: await hashPassword(password, { ln: 11, r: 8, p: 1 }) });
    expect(await login_({ username: user.username, password })).toEqual([200, stated('login', 'POST')]);
    const ip = uniqueIp();
    for (let i = 0; i < 10; i++) await login_({ username: user.username, password: 'Wrong-Password-1' }, ip);
    expect(await login_({ username: user.username, password }, ip)).toEqual([429, 1]);
  });

  it('POST /api/logout, GET /api/me and GET /api/me/sessions: 1', async () => {
    const a = await createUser();
    await createSession(a.user.id);
    expect(await measured(() => call(me, 'GET', '/api/me', { token: a.token }))).toEqual([200, stated('me', 'GET')]);
    expect(await measured(() => call(meSessions, 'GET', '/api/me/sessions', { token: a.token }))).toEqual([
      200,
      stated('me-sessions', 'GET'),
    ]);
    expect(await measured(() => call(logout, 'POST', '/api/logout', { token: a.token }))).toEqual([204, stated('logout', 'POST')]);
    expect(await measured(() => call(me, 'GET', '/api/me', { token: a.token }))).toEqual([401, 1]);
  });

  it('PUT /api/me/password: 2, 1 when refused', async () => {
    const { user, password, token } = await createUser();
    await createSession(user.id);
    const put = (json: object) => measured(() => call(mePassword, 'PUT', '/api/me/password', { token, json }));
    expect(await put({ currentPassword: 'Wrong-Password-1', newPassword: 'Granite-Meadow-58?' })).toEqual([400, 1]);
    expect(await put({ currentPassword: password, newPassword: 'Granite-Meadow-58?' })).toEqual([200, stated('me-password', 'PUT')]);
  });

  it('the step-up adds none: with a second factor, the guarded changes run their stated count with a code, 1 without (2 for the e-mail change, its limits first), and 1 with a wrong one', async () => {
    const guarded = [
      ['me-password', 'PUT', mePassword, '/api/me/password', { currentPassword: STRONG_PASSWORD, newPassword: 'Granite-Meadow-58?' }, 200],
      ['me-email', 'POST', meEmail, '/api/me/email', { email: `${uniqueName('moved')}@example.org`, password: STRONG_PASSWORD }, 202],
      ['me-mfa-totp', 'DELETE', mfaTotp, '/api/me/mfa/totp', { password: STRONG_PASSWORD }, 204],
      ['me-mfa-recovery-codes', 'POST', recoveryCodes, '/api/me/mfa/recovery-codes', { password: STRONG_PASSWORD }, 200],
      ['me', 'DELETE', me, '/api/me', { password: STRONG_PASSWORD }, 204],
    ] as const;
    for (const [name, method, handler, path, body, success] of guarded) {
      const { token } = await createUser();
      const { secret } = await enableMfa(token);
      const send = (code?: string) =>
        measured(() => call(handler, method, path, { token, json: { ...body, ...(code && { code }) }, ip: uniqueIp() }));
      const before = name === 'me-email' ? 1 : 0;
      expect(await send()).toEqual([403, before + 1]);
      const right = codeAt(secret);
      expect(await send(right === '000000' ? '000001' : '000000')).toEqual([400, before + 1]);
      expect(await send(right)).toEqual([success, stated(name, method)]);
    }
  });

  it('DELETE /api/me/sessions/{id}: 2', async () => {
    const { user, token } = await createUser();
    const other = await createSession(user.id);
    expect(await measured(() => call(meSession, 'DELETE', `/api/me/sessions/${other.sessionId}`, { token }))).toEqual([
      204,
      stated('me-session', 'DELETE'),
    ]);
    expect(await measured(() => call(meSession, 'DELETE', `/api/me/sessions/${other.sessionId}`, { token }))).toEqual([404, 2]);
  });

  it('POST /api/password/reset: 2; 1 when the token or the account refuses; 0 for rules needing no account', async () => {
    const { user } = await createUser();
    const issued = await call(forgot, 'POST', '/api/password/forgot', { json: { email: user.email }, ip: uniqueIp() });
    const post = (password: string) =>
      measured(() => call(reset, 'POST', '/api/password/reset', { json: { token: issued.body.token, password } }));
    expect(await post('password123456')).toEqual([400, 0]);
    expect(await post(`${user.username}-X9`)).toEqual([400, 1]);
    expect(await post('Granite-Meadow-58?')).toEqual([200, stated('password-reset', 'POST')]);
    expect(await post('Granite-Meadow-58?')).toEqual([404, 1]);
  });
});
