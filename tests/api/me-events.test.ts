// The audit trail: every security event an operation records, with
// its time, address and user agent, written by a statement the operation
// already runs; GET /api/me/events lists the caller's own, newest first, by cursor.
import { afterEach, describe, expect, it } from 'vitest';
import login from '../../netlify/functions/login.ts';
import logout from '../../netlify/functions/logout.ts';
import meEvents from '../../netlify/functions/me-events.ts';
import mePassword from '../../netlify/functions/me-password.ts';
import meSession from '../../netlify/functions/me-session.ts';
import meSessions from '../../netlify/functions/me-sessions.ts';
import me from '../../netlify/functions/me.ts';
import forgot from '../../netlify/functions/password-forgot.ts';
import reset from '../../netlify/functions/password-reset.ts';
import confirm from '../../netlify/functions/register-confirm.ts';
import { createSession } from '../../src/auth/sessions/sessions.ts';
import { setClock } from '../../src/config/clock.ts';
import { getDb } from '../../src/db/connection.ts';
import { registerAccount } from '../support/accounts.ts';
import { call } from '../support/call.ts';
import { envForFile } from '../support/env.ts';
import { measured } from '../support/statements.ts';
import { createUser, uniqueIp } from '../support/users.ts';

envForFile({ RATE_LIMIT_LOGIN_ACCOUNT: '3/15m' });
afterEach(() => setClock());

const AGENT = 'Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0';
const NEW_PASSWORD = 'Granite-Meadow-58?';

async function events(token: string, query = '') {
  const res = await call(meEvents, 'GET', `/api/me/events${query}`, { token });
  expect(res.status).toBe(200);
  return res.body as {
    items: { id: number; kind: string; reason: string | null; ip: string | null; userAgent: string | null; createdAt: string }[];
    nextCursor: string | null;
  };
}

const kinds = async (token: string) => (await events(token)).items.map((e) => (e.reason === null ? e.kind : `${e.kind}:${e.reason}`));

describe('the events recorded', () => {
  it('logins that succeed and fail (wrong password, rate limited), with the address and user agent', async () => {
    const { user, password, token } = await createUser();
    const ip = uniqueIp();
    const attempt = (pw: string) =>
      call(login, 'POST', '/api/login', { json: { username: user.username, password: pw }, ip, headers: { 'user-agent': AGENT } });
    expect((await attempt('Wrong-Password-1')).status).toBe(401);
    expect((await attempt(password)).status).toBe(200);
    for (let i = 0; i < 3; i++) await attempt('Wrong-Password-1');
    expect((await attempt(password)).status).toBe(429);
    // An unknown name is no account's event.
    await call(login, 'POST', '/api/login', { json: { username: 'nobody_at_all', password }, ip });
    const page = await events(token);
    expect(page.items.map((e) => `${e.kind}:${e.reason}`)).toEqual([
      'login_failed:rate_limited',
      'login_failed:wrong_password',
      'login_failed:wrong_password',
      'login_failed:wrong_password',
      'login_succeeded:null',
      'login_failed:wrong_password',
    ]);
    for (const event of page.items) expect(event).toMatchObject({ ip, userAgent: AGENT, createdAt: expect.any(String) });
    expect(page.nextCursor).toBeNull();
  });

  it('a login refused because the account is unconfirmed, then its confirmation', async () => {
    const account = await registerAccount();
    const ip = uniqueIp();
    expect((await call(login, 'POST', '/api/login', { json: { username: account.username, password: account.password }, ip })).status).toBe(
      403,
    );
    expect((await call(confirm, 'GET', `/api/register/confirm/${account.code}`, { ip, headers: { 'user-agent': AGENT } })).status).toBe(
      200,
    );
    const res = await call(login, 'POST', '/api/login', { json: { username: account.username, password: account.password }, ip });
    expect(await kinds(res.body.token)).toEqual(['login_succeeded', 'account_confirmed', 'login_failed:unconfirmed']);
    expect((await events(res.body.token)).items[1]).toMatchObject({ ip, userAgent: AGENT });
  });

  it('logout, one session revoked, every other revoked, a password change', async () => {
    const { user, password, token } = await createUser();
    const a = await createSession(user.id);
    const b = await createSession(user.id);
    const c = await createSession(user.id);
    expect((await call(logout, 'POST', '/api/logout', { token: a.token })).status).toBe(204);
    expect((await call(meSession, 'DELETE', `/api/me/sessions/${b.sessionId}`, { token })).status).toBe(204);
    expect((await call(meSessions, 'DELETE', '/api/me/sessions', { token })).status).toBe(200);
    expect(
      (await call(mePassword, 'PUT', '/api/me/password', { token, json: { currentPassword: password, newPassword: NEW_PASSWORD } })).status,
    ).toBe(200);
    expect(await kinds(token)).toEqual(['password_changed', 'other_sessions_revoked', 'session_revoked', 'logout']);
    expect((await call(me, 'GET', '/api/me', { token: c.token })).status).toBe(401);
  });

  it('a reset requested and done', async () => {
    const { user } = await createUser();
    const ip = uniqueIp();
    const issued = await call(forgot, 'POST', '/api/password/forgot', {
      json: { email: user.email },
      ip,
      headers: { 'user-agent': AGENT },
    });
    expect(
      (await call(reset, 'POST', '/api/password/reset', { json: { token: issued.body.token, password: NEW_PASSWORD }, ip })).status,
    ).toBe(200);
    const res = await call(login, 'POST', '/api/login', { json: { username: user.username, password: NEW_PASSWORD }, ip });
    const page = await events(res.body.token);
    expect(page.items.map((e) => e.kind)).toEqual(['login_succeeded', 'password_reset', 'reset_requested']);
    expect(page.items[2]).toMatchObject({ ip, userAgent: AGENT });
  });

  it('nothing for a refused operation: a wrong current password, a used reset token, someone else’s session', async () => {
    const { user, token } = await createUser();
    const stranger = await createUser();
    await call(mePassword, 'PUT', '/api/me/password', { token, json: { currentPassword: 'Wrong-Password-1', newPassword: NEW_PASSWORD } });
    expect((await call(meSession, 'DELETE', `/api/me/sessions/${stranger.sessionId}`, { token })).status).toBe(404);
    const issued = await call(forgot, 'POST', '/api/password/forgot', { json: { email: user.email }, ip: uniqueIp() });
    await call(reset, 'POST', '/api/password/reset', { json: { token: issued.body.token, password: NEW_PASSWORD } });
    await call(reset, 'POST', '/api/password/reset', { json: { token: issued.body.token, password: 'Another-Meadow-59?' } });
    const again = await call(login, 'POST', '/api/login', { json: { username: user.username, password: NEW_PASSWORD }, ip: uniqueIp() });
    expect(await kinds(again.body.token)).toEqual(['login_succeeded', 'password_reset', 'reset_requested']);
    expect(await kinds(stranger.token)).toEqual([]);
  });
});

describe('GET /api/me/events', () => {
  it('pages newest first by cursor, with a Link to the next page, ties on the same microsecond included', async () => {
    const { user, token } = await createUser();
    const at = new Date('2030-05-01T12:00:00Z');
    const rows = Array.from({ length: 25 }, (_, i) => ({
      user_id: user.id,
      kind: 'logout' as const,
      ip: `192.0.2.${i}`,
      // Pairs share a timestamp: the id breaks the tie.
      created_at: new Date(at.getTime() + Math.floor(i / 2) * 1000),
    }));
    await getDb().insertInto('security_events').values(rows).execute();
    const seen: string[] = [];
    let query = '?pageSize=10';
    let pages = 0;
    for (;;) {
      const res = await call(meEvents, 'GET', `/api/me/events${query}`, { token });
      expect(res.status).toBe(200);
      pages += 1;
      seen.push(...res.body.items.map((e: { ip: string }) => e.ip));
      if (res.body.nextCursor === null) {
        expect(res.headers.get('link')).toBeNull();
        break;
      }
      expect(res.headers.get('link')).toBe(`</api/me/events?pageSize=10&cursor=${res.body.nextCursor}>; rel="next"`);
      query = `?pageSize=10&cursor=${res.body.nextCursor}`;
    }
    expect(pages).toBe(3);
    expect(seen).toEqual(rows.map((r) => r.ip).reverse());
  });

  it('answers an empty page for an account without events', async () => {
    const { token } = await createUser();
    expect(await events(token)).toEqual({ items: [], page: 1, pageSize: 20, nextCursor: null });
  });

  it('shows only the caller’s own events', async () => {
    const { user, token } = await createUser();
    const other = await createUser();
    await getDb().insertInto('security_events').values({ user_id: other.user.id, kind: 'logout' }).execute();
    await getDb().insertInto('security_events').values({ user_id: user.id, kind: 'password_changed' }).execute();
    expect(await kinds(token)).toEqual(['password_changed']);
  });

  it('answers 400 for a cursor it did not make, a bad page size or a repeated parameter; 401 without a live session', async () => {
    const { token, sessionId } = await createUser();
    const foreign = Buffer.from(JSON.stringify(['posts', 1, 1])).toString('base64url');
    for (const query of [
      `?cursor=${foreign}`,
      '?cursor=not*base64',
      '?cursor=AAAA',
      '?pageSize=0',
      '?pageSize=101',
      '?pageSize=1&pageSize=2',
      '?page=2&cursor=AAAA',
    ]) {
      const res = await call(meEvents, 'GET', `/api/me/events${query}`, { token });
      expect(res.status, query).toBe(400);
      expect(res.body.error.code).toBe('validation_failed');
    }
    expect((await call(meEvents, 'GET', '/api/me/events')).status).toBe(401);
    await getDb().deleteFrom('sessions').where('id', '=', sessionId).execute();
    expect(await measured(() => call(meEvents, 'GET', '/api/me/events', { token }))).toEqual([401, 1]);
    expect((await call(meEvents, 'POST', '/api/me/events', { token })).status).toBe(405);
  });
});

describe('statements: recording adds none', () => {
  it('login 2 (1 refused), logout 1, an authenticated read 1, the events page 1', async () => {
    const { user, password, token } = await createUser();
    const ip = uniqueIp();
    const attempt = (pw: string) =>
      measured(() => call(login, 'POST', '/api/login', { json: { username: user.username, password: pw }, ip }));
    expect(await attempt('Wrong-Password-1')).toEqual([401, 1]);
    expect(await attempt(password)).toEqual([200, 2]);
    expect(await measured(() => call(me, 'GET', '/api/me', { token }))).toEqual([200, 1]);
    expect(await measured(() => call(meEvents, 'GET', '/api/me/events', { token }))).toEqual([200, 1]);
    const other = await createSession(user.id);
    expect(await measured(() => call(logout, 'POST', '/api/logout', { token: other.token }))).toEqual([204, 1]);
    expect(await kinds(token)).toEqual(['logout', 'login_succeeded', 'login_failed:wrong_password']);
  });
});
