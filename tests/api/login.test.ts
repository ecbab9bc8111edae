import { describe, expect, it } from 'vitest';
import login from '../../netlify/functions/login.ts';
import logout from '../../netlify/functions/logout.ts';
import me from '../../netlify/functions/me.ts';
import { verifySessionToken } from '../../src/auth/sessions/tokens.ts';
import { call } from '../support/call.ts';
import { registerAccount } from '../support/accounts.ts';
import { createUser, STRONG_PASSWORD, uniqueIp } from '../support/users.ts';

const INVALID = { error: { code: 'invalid_credentials', message: expect.any(String) } };

describe('POST /api/login', () => {
  it('returns a Bearer JWT, its expiry, the user and the session cookie', async () => {
    const { user, password } = await createUser();
    const res = await call(login, 'POST', '/api/login', { json: { username: user.username, password }, ip: uniqueIp() });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      token: expect.any(String),
      tokenType: 'Bearer',
      expiresAt: expect.any(String),
      user: { id: user.id, username: user.username, email: user.email, confirmed: true, createdAt: user.created_at.toISOString() },
    });
    const claims = await verifySessionToken(res.body.token);
    expect(claims?.userId).toBe(user.id);
    expect(Date.parse(res.body.expiresAt) - Date.now()).toBeGreaterThan(30 * 86_400_000 - 60_000);
    expect(res.headers.get('set-cookie')).toMatch(
      new RegExp(`^session_id=${res.body.token.replace(/\./g, '\\.')}; HttpOnly; SameSite=Lax; Path=/; Max-Age=259200\\d$`),
    );
    const viaCookie = await call(me, 'GET', '/api/me', { cookie: `session_id=${res.body.token}` });
    expect(viaCookie.body.user.id).toBe(user.id);
  });

  it('accepts the e-mail instead of the username, in any case, as a form', async () => {
    const { user, password } = await createUser();
    const res = await call(login, 'POST', '/api/login', { form: { email: user.email.toUpperCase(), password }, ip: uniqueIp() });
    expect(res.status).toBe(200);
    expect(res.body.user.id).toBe(user.id);
  });

  it('marks the cookie Secure when the service runs on https', async () => {
    const { user, password } = await createUser();
    const req = new Request('https://auth.example.test/api/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: user.username, password }),
    });
    const res = await login(req, { ip: uniqueIp(), params: {} } as never);
    expect(res.status).toBe(200);
    expect(res.headers.get('set-cookie')).toMatch(/; Secure$/);
  });

  it('answers the same 401 for an unknown user and a wrong password', async () => {
    const { user } = await createUser();
    const wrong = await call(login, 'POST', '/api/login', {
      json: { username: user.username, password: 'Wrong-Password-1' },
      ip: uniqueIp(),
    });
    const unknown = await call(login, 'POST', '/api/login', {
      json: { username: 'nobody_at_all', password: 'Wrong-Password-1' },
      ip: uniqueIp(),
    });
    const unknownEmail = await call(login, 'POST', '/api/login', { json: { email: 'nobody@example.com', password: 'x' }, ip: uniqueIp() });
    for (const res of [wrong, unknown, unknownEmail]) {
      expect(res.status).toBe(401);
      expect(res.body).toEqual(INVALID);
      expect(res.headers.get('set-cookie')).toBeNull();
    }
    expect(wrong.text).toBe(unknown.text);
  });

  it('answers 401 for a password over 128 characters, even the right one', async () => {
    const { user } = await createUser({ password: `Aa1!${'x'.repeat(125)}` });
    const res = await call(login, 'POST', '/api/login', {
      json: { username: user.username, password: `Aa1!${'x'.repeat(125)}` },
      ip: uniqueIp(),
    });
    expect(res.status).toBe(401);
    expect(res.body).toEqual(INVALID);
  });

  it('answers 403 account_not_confirmed only after the right password', async () => {
    const acct = await registerAccount();
    const wrong = await call(login, 'POST', '/api/login', {
      json: { username: acct.username, password: 'Wrong-Password-1' },
      ip: uniqueIp(),
    });
    expect(wrong.status).toBe(401);
    const right = await call(login, 'POST', '/api/login', { json: { username: acct.username, password: acct.password }, ip: uniqueIp() });
    expect(right.status).toBe(403);
    expect(right.body.error.code).toBe('account_not_confirmed');
    expect(right.headers.get('set-cookie')).toBeNull();
  });

  it('answers 400 for neither or both identifiers, or a missing password', async () => {
    const cases: [unknown, Record<string, string[]>][] = [
      [{ password: 'whatever' }, { body: ['must contain username or email'] }],
      [{ username: 'ann', email: 'ann@example.com', password: 'x' }, { body: ['must contain username or email, not both'] }],
      [{ username: 'ann' }, { password: ['is required'] }],
      [
        { username: '', password: '' },
        { username: ['must not be empty'], password: ['must not be empty'] },
      ],
      [{ username: 'ann', password: 12345 }, { password: ['must be a string'] }],
    ];
    for (const [json, details] of cases) {
      const res = await call(login, 'POST', '/api/login', { json, ip: uniqueIp() });
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ code: 'validation_failed', details });
    }
  });
});

describe('POST /api/logout', () => {
  it('revokes the session at once and clears the cookie', async () => {
    const { user, token } = await createUser();
    const second = await call(login, 'POST', '/api/login', {
      json: { username: user.username, password: STRONG_PASSWORD },
      ip: uniqueIp(),
    });
    const res = await call(logout, 'POST', '/api/logout', { token });
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    expect(res.headers.get('set-cookie')).toBe('session_id=; HttpOnly; SameSite=Lax; Path=/; Max-Age=0');
    expect((await call(me, 'GET', '/api/me', { token })).status).toBe(401);
    // Only that session: the user's other one still works.
    expect((await call(me, 'GET', '/api/me', { token: second.body.token })).status).toBe(200);
  });

  it('works with the cookie from the same origin, for a user with no other session', async () => {
    const { token } = await createUser();
    const res = await call(logout, 'POST', '/api/logout', { cookie: `session_id=${token}`, headers: { origin: 'http://localhost:8888' } });
    expect(res.status).toBe(204);
    expect((await call(logout, 'POST', '/api/logout', { token })).status).toBe(401);
  });

  it('answers 401 without a token or with a bad one', async () => {
    for (const options of [{}, { token: 'not.a.token' }, { cookie: 'session_id=garbage' }]) {
      const res = await call(logout, 'POST', '/api/logout', options);
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('unauthenticated');
    }
  });

  it('answers 403 to a cookie-authenticated logout from another origin, and keeps the session', async () => {
    const { token } = await createUser();
    const res = await call(logout, 'POST', '/api/logout', { cookie: `session_id=${token}`, headers: { origin: 'https://evil.example' } });
    expect(res.status).toBe(403);
    expect((await call(me, 'GET', '/api/me', { token })).status).toBe(200);
  });
});
