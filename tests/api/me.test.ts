import { describe, expect, it } from 'vitest';
import login from '../../netlify/functions/login.ts';
import me from '../../netlify/functions/me.ts';
import mePassword from '../../netlify/functions/me-password.ts';
import meSession from '../../netlify/functions/me-session.ts';
import meSessions from '../../netlify/functions/me-sessions.ts';
import enrol from '../../netlify/functions/me-mfa-totp.ts';
import { createSession } from '../../src/auth/sessions/sessions.ts';
import { getDb } from '../../src/db/connection.ts';
import { call } from '../support/call.ts';
import { codeAt, enableMfa } from '../support/mfa.ts';
import { measured } from '../support/statements.ts';
import { createUser, STRONG_PASSWORD, uniqueIp } from '../support/users.ts';

const NEW_PASSWORD = 'Granite-Meadow-58?';

describe('GET /api/me', () => {
  it('returns the user with e-mail and the profile', async () => {
    const { user, token } = await createUser();
    await getDb()
      .updateTable('user_profiles')
      .set({ bio: 'Hello', location: 'Lyon', gender: 'other' })
      .where('user_id', '=', user.id)
      .execute();
    const res = await call(me, 'GET', '/api/me', { token });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      user: {
        id: user.id,
        username: user.username,
        email: user.email,
        confirmed: true,
        emailVerified: true,
        mfa: { totp: false },
        createdAt: user.created_at.toISOString(),
      },
      profile: { bio: 'Hello', location: 'Lyon', birthday: null, gender: 'other', maritalStatus: null },
    });
    expect(res.text).not.toMatch(/password|scrypt/);
  });

  it('says whether the second factor is on, in its one statement: not while pending, yes once confirmed, no once removed', async () => {
    const { token } = await createUser();
    const factor = async () => {
      const [status, statements] = await measured(() => call(me, 'GET', '/api/me', { token }));
      expect([status, statements]).toEqual([200, 1]);
      return (await call(me, 'GET', '/api/me', { token })).body.user.mfa;
    };
    await call(enrol, 'POST', '/api/me/mfa/totp', { token, json: { password: STRONG_PASSWORD } });
    expect(await factor()).toEqual({ totp: false });
    const { secret } = await enableMfa(token);
    expect(await factor()).toEqual({ totp: true });
    const removed = await call(enrol, 'DELETE', '/api/me/mfa/totp', { token, json: { password: STRONG_PASSWORD, code: codeAt(secret) } });
    expect(removed.status).toBe(204);
    expect(await factor()).toEqual({ totp: false });
  });

  it('returns an empty profile as nulls', async () => {
    const { token } = await createUser();
    const res = await call(me, 'GET', '/api/me', { token });
    expect(res.body.profile).toEqual({ bio: null, location: null, birthday: null, gender: null, maritalStatus: null });
  });

  it('answers 401 without a valid token, and 405 to other methods', async () => {
    for (const options of [{}, { token: 'x.y.z' }, { headers: { authorization: 'Basic dXNlcjpwYXNz' } }]) {
      expect((await call(me, 'GET', '/api/me', options)).status).toBe(401);
    }
    const res = await call(me, 'POST', '/api/me');
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, HEAD, DELETE, OPTIONS');
  });
});

describe('PUT /api/me/password', () => {
  it('changes the password, keeps the current session and revokes every other', async () => {
    const { user, password, token } = await createUser();
    const other = await createSession(user.id);
    const res = await call(mePassword, 'PUT', '/api/me/password', {
      token,
      json: { currentPassword: password, newPassword: NEW_PASSWORD },
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ revokedSessions: 1 });
    expect((await call(me, 'GET', '/api/me', { token })).status).toBe(200);
    expect((await call(me, 'GET', '/api/me', { token: other.token })).status).toBe(401);
    const ip = uniqueIp();
    expect((await call(login, 'POST', '/api/login', { json: { username: user.username, password }, ip })).status).toBe(401);
    expect((await call(login, 'POST', '/api/login', { json: { username: user.username, password: NEW_PASSWORD }, ip })).status).toBe(200);
  });

  it('works for a user with no other session, by cookie from the same origin', async () => {
    const { password, token } = await createUser();
    const res = await call(mePassword, 'PUT', '/api/me/password', {
      cookie: `session_id=${token}`,
      headers: { origin: 'http://localhost:8888' },
      json: { currentPassword: password, newPassword: NEW_PASSWORD },
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ revokedSessions: 0 });
  });

  it('answers 400 with details.currentPassword for a wrong current password, with the new one’s problems too', async () => {
    const { user, token, password } = await createUser();
    const other = await createSession(user.id);
    const res = await call(mePassword, 'PUT', '/api/me/password', {
      token,
      json: { currentPassword: 'Not-The-Password-1', newPassword: `${user.username}!A1` },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
    expect(res.body.error.details.currentPassword).toEqual(['is not correct']);
    expect(res.body.error.details.newPassword).toContain('must not contain the username');
    // Nothing changed: the other session lives and the old password still works.
    expect((await call(me, 'GET', '/api/me', { token: other.token })).status).toBe(200);
    expect((await call(login, 'POST', '/api/login', { json: { username: user.username, password }, ip: uniqueIp() })).status).toBe(200);
  });

  it('answers 400 for missing fields and a too long current password', async () => {
    const { token } = await createUser();
    const missing = await call(mePassword, 'PUT', '/api/me/password', { token, json: { newPassword: NEW_PASSWORD } });
    expect(missing.body.error.details).toEqual({ currentPassword: ['is required'] });
    const long = await call(mePassword, 'PUT', '/api/me/password', {
      token,
      json: { currentPassword: 'x'.repeat(129), newPassword: NEW_PASSWORD },
    });
    expect(long.status).toBe(400);
    expect(long.body.error.details).toEqual({ currentPassword: ['is not correct'] });
  });

  it('answers 401 without a live session and 403 for a cross-origin cookie', async () => {
    const { user, password, token } = await createUser();
    const body = { currentPassword: password, newPassword: NEW_PASSWORD };
    expect((await call(mePassword, 'PUT', '/api/me/password', { json: body })).status).toBe(401);
    const crossSite = await call(mePassword, 'PUT', '/api/me/password', {
      cookie: `session_id=${token}`,
      headers: { origin: 'https://evil.example' },
      json: body,
    });
    expect(crossSite.status).toBe(403);
    await getDb().deleteFrom('sessions').where('user_id', '=', user.id).execute();
    expect((await call(mePassword, 'PUT', '/api/me/password', { token, json: body })).status).toBe(401);
  });
});

describe('GET /api/me/sessions', () => {
  it('lists the live sessions newest first, marking the current one', async () => {
    const { user, token, sessionId } = await createUser();
    const other = await createSession(user.id, undefined, { ip: '198.51.100.4', userAgent: 'Firefox/140.0' });
    const stranger = await createUser();
    const res = await call(meSessions, 'GET', '/api/me/sessions', { token });
    expect(res.status).toBe(200);
    const opened = { createdAt: expect.any(String), lastSeenAt: expect.any(String) };
    expect(res.body.items).toEqual([
      {
        id: other.sessionId,
        ...opened,
        expiresAt: other.expiresAt.toISOString(),
        userAgent: 'Firefox/140.0',
        ip: '198.51.100.4',
        current: false,
        amr: ['pwd'],
        aal: 'aal1',
      },
      { id: sessionId, ...opened, expiresAt: expect.any(String), userAgent: null, ip: null, current: true, amr: ['pwd'], aal: 'aal1' },
    ]);
    expect(res.body.items.map((s: { id: number }) => s.id)).not.toContain(stranger.sessionId);
  });

  it('lists only the current session when there is no other', async () => {
    const { token, sessionId } = await createUser();
    const res = await call(meSessions, 'GET', '/api/me/sessions', { token });
    expect(res.body.items).toEqual([
      {
        id: sessionId,
        createdAt: expect.any(String),
        expiresAt: expect.any(String),
        lastSeenAt: expect.any(String),
        userAgent: null,
        ip: null,
        current: true,
        amr: ['pwd'],
        aal: 'aal1',
      },
    ]);
  });

  it('answers 401 once the caller’s session is revoked, even if others live', async () => {
    const { user, token, sessionId } = await createUser();
    await createSession(user.id);
    await getDb().deleteFrom('sessions').where('id', '=', sessionId).execute();
    expect((await call(meSessions, 'GET', '/api/me/sessions', { token })).status).toBe(401);
    expect((await call(meSessions, 'GET', '/api/me/sessions')).status).toBe(401);
  });
});

describe('DELETE /api/me/sessions/{id}', () => {
  it('revokes another session of the caller', async () => {
    const { user, token } = await createUser();
    const other = await createSession(user.id);
    const res = await call(meSession, 'DELETE', `/api/me/sessions/${other.sessionId}`, { token });
    expect(res.status).toBe(204);
    expect(res.headers.get('set-cookie')).toBeNull();
    expect((await call(me, 'GET', '/api/me', { token: other.token })).status).toBe(401);
    expect((await call(me, 'GET', '/api/me', { token })).status).toBe(200);
  });

  it('revokes the current (only) session and clears the cookie', async () => {
    const { token, sessionId } = await createUser();
    const res = await call(meSession, 'DELETE', `/api/me/sessions/${sessionId}`, { token });
    expect(res.status).toBe(204);
    expect(res.headers.get('set-cookie')).toContain('Max-Age=0');
    expect((await call(me, 'GET', '/api/me', { token })).status).toBe(401);
  });

  it('answers 404 for an unknown session and for another user’s, which survives', async () => {
    const { token } = await createUser();
    const stranger = await createUser();
    expect((await call(meSession, 'DELETE', `/api/me/sessions/${2 ** 40}`, { token })).status).toBe(404);
    const res = await call(meSession, 'DELETE', `/api/me/sessions/${stranger.sessionId}`, { token });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('not_found');
    expect((await call(me, 'GET', '/api/me', { token: stranger.token })).status).toBe(200);
  });

  it.each(['abc', '0', '-1', '1.5', '1e3', '9007199254740992'])('answers 400 for the id %s', async (id) => {
    const { token } = await createUser();
    const res = await call(meSession, 'DELETE', `/api/me/sessions/${id}`, { token });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
  });

  it('answers 401 without a token, 403 for a cross-origin cookie, 405 for GET', async () => {
    const { token, sessionId } = await createUser();
    expect((await call(meSession, 'DELETE', `/api/me/sessions/${sessionId}`)).status).toBe(401);
    const crossSite = await call(meSession, 'DELETE', `/api/me/sessions/${sessionId}`, {
      cookie: `session_id=${token}`,
      headers: { origin: 'https://evil.example' },
    });
    expect(crossSite.status).toBe(403);
    const get = await call(meSession, 'GET', `/api/me/sessions/${sessionId}`, { token });
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('DELETE, OPTIONS');
  });
});
