// Sessions people manage: where each was opened, when it was last
// used, signing out everywhere else, and the cap on live sessions.
import { afterEach, describe, expect, it } from 'vitest';
import login from '../../netlify/functions/login.ts';
import meSessions from '../../netlify/functions/me-sessions.ts';
import me from '../../netlify/functions/me.ts';
import { createSession, MAX_LIVE_SESSIONS } from '../../src/auth/sessions/sessions.ts';
import { verifySessionToken } from '../../src/auth/sessions/tokens.ts';
import { setClock } from '../../src/config/clock.ts';
import { getDb } from '../../src/db/connection.ts';
import { call } from '../support/call.ts';
import { measured } from '../support/statements.ts';
import { createUser, uniqueIp } from '../support/users.ts';

afterEach(() => setClock());

const lastSeen = async (sessionId: number) =>
  (await getDb().selectFrom('sessions').select('last_seen_at').where('id', '=', sessionId).executeTakeFirstOrThrow()).last_seen_at;

describe('sessions record where they were opened', () => {
  it('keeps the user agent (trimmed to 256 characters) and the address of the login', async () => {
    const { user, password } = await createUser();
    const ip = uniqueIp();
    const agent = `Mozilla/5.0 ${'x'.repeat(400)}`;
    const res = await call(login, 'POST', '/api/login', {
      json: { username: user.username, password },
      ip,
      headers: { 'user-agent': `  ${agent}  ` },
    });
    expect(res.status).toBe(200);
    const list = await call(meSessions, 'GET', '/api/me/sessions', { token: res.body.token });
    const current = list.body.items.find((s: { current: boolean }) => s.current);
    expect(current).toMatchObject({ ip, userAgent: agent.slice(0, 256) });
    expect(Date.parse(current.lastSeenAt)).toBe(Date.parse(current.createdAt));
  });

  it('has no user agent when none was sent, and neither for a session the core opened without a request', async () => {
    const { user, password, token } = await createUser();
    const ip = uniqueIp();
    const res = await call(login, 'POST', '/api/login', { json: { username: user.username, password }, ip });
    const list = await call(meSessions, 'GET', '/api/me/sessions', { token: res.body.token });
    expect(list.body.items.find((s: { current: boolean }) => s.current)).toMatchObject({ ip, userAgent: null });
    // A login without a client address is refused before any session: only the core opens one.
    const core = await call(meSessions, 'GET', '/api/me/sessions', { token });
    expect(core.body.items.find((s: { current: boolean }) => s.current)).toMatchObject({ ip: null, userAgent: null });
  });
});

describe('lastSeenAt', () => {
  it('moves at most once an hour, inside the one statement of an authenticated read', async () => {
    const { user } = await createUser();
    const start = new Date('2030-03-01T10:00:00Z');
    setClock(() => start);
    const session = await createSession(user.id);
    setClock(() => new Date('2030-03-01T10:59:00Z'));
    expect(await measured(() => call(me, 'GET', '/api/me', { token: session.token }))).toEqual([200, 1]);
    expect(await lastSeen(session.sessionId)).toEqual(start);
    const later = new Date('2030-03-01T11:00:30Z');
    setClock(() => later);
    expect(await measured(() => call(me, 'GET', '/api/me', { token: session.token }))).toEqual([200, 1]);
    expect(await lastSeen(session.sessionId)).toEqual(later);
    setClock(() => new Date('2030-03-01T11:30:00Z'));
    await call(me, 'GET', '/api/me', { token: session.token });
    expect(await lastSeen(session.sessionId)).toEqual(later);
  });

  it('does not move for a session that has ended', async () => {
    const { user } = await createUser();
    const start = new Date('2030-03-01T10:00:00Z');
    setClock(() => start);
    const session = await createSession(user.id);
    setClock(() => new Date('2030-06-01T10:00:00Z'));
    expect((await call(me, 'GET', '/api/me', { token: session.token })).status).toBe(401);
    expect(await lastSeen(session.sessionId)).toEqual(start);
  });
});

describe('DELETE /api/me/sessions', () => {
  it('revokes every other session of the account, keeps the current one and no one else’s: 1 statement', async () => {
    const { user, token } = await createUser();
    const others = [await createSession(user.id), await createSession(user.id)];
    const stranger = await createUser();
    expect(await measured(() => call(meSessions, 'DELETE', '/api/me/sessions', { token }))).toEqual([200, 1]);
    for (const other of others) expect((await call(me, 'GET', '/api/me', { token: other.token })).status).toBe(401);
    expect((await call(me, 'GET', '/api/me', { token })).status).toBe(200);
    expect((await call(me, 'GET', '/api/me', { token: stranger.token })).status).toBe(200);
  });

  it('answers the number revoked: 2, then 0 when there is no other', async () => {
    const { user, token } = await createUser();
    await createSession(user.id);
    await createSession(user.id);
    const first = await call(meSessions, 'DELETE', '/api/me/sessions', { token });
    expect(first.body).toEqual({ revokedSessions: 2 });
    const again = await call(meSessions, 'DELETE', '/api/me/sessions', { token });
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ revokedSessions: 0 });
  });

  it('answers 401 without a live session, revoking nothing; 403 for a cookie from another origin', async () => {
    const { user, token, sessionId } = await createUser();
    const other = await createSession(user.id);
    expect((await call(meSessions, 'DELETE', '/api/me/sessions')).status).toBe(401);
    expect((await call(meSessions, 'DELETE', '/api/me/sessions', { token: 'x.y.z' })).status).toBe(401);
    const crossSite = await call(meSessions, 'DELETE', '/api/me/sessions', {
      cookie: `session_id=${token}`,
      headers: { origin: 'https://evil.example' },
    });
    expect(crossSite.status).toBe(403);
    await getDb().deleteFrom('sessions').where('id', '=', sessionId).execute();
    expect(await measured(() => call(meSessions, 'DELETE', '/api/me/sessions', { token }))).toEqual([401, 1]);
    expect((await call(me, 'GET', '/api/me', { token: other.token })).status).toBe(200);
  });
});

describe(`at most ${MAX_LIVE_SESSIONS} live sessions per account`, () => {
  it('a new login ends the oldest beyond the cap, and the expired ones', async () => {
    const { user, password, sessionId: oldest } = await createUser();
    const at = Date.now();
    const row = (createdMs: number, expiresMs: number) => ({
      user_id: user.id,
      created_at: new Date(createdMs),
      last_seen_at: new Date(createdMs),
      expires_at: new Date(expiresMs),
    });
    // The cap's worth of live sessions besides the oldest, and one expired: written directly, as concurrent logins could leave them.
    const live = Array.from({ length: MAX_LIVE_SESSIONS - 1 }, (_, i) => row(at + 1000 + i, at + 86_400_000));
    const { id: expired } = await getDb()
      .insertInto('sessions')
      .values(row(at - 2 * 86_400_000, at - 86_400_000))
      .returning('id')
      .executeTakeFirstOrThrow();
    await getDb().insertInto('sessions').values(live).execute();
    const ids = async () => (await getDb().selectFrom('sessions').select('id').where('user_id', '=', user.id).execute()).map((s) => s.id);
    expect(await ids()).toHaveLength(MAX_LIVE_SESSIONS + 1);
    const res = await call(login, 'POST', '/api/login', { json: { username: user.username, password }, ip: uniqueIp() });
    expect(res.status).toBe(200);
    const left = await ids();
    expect(left).toHaveLength(MAX_LIVE_SESSIONS);
    expect(left).not.toContain(oldest);
    expect(left).not.toContain(expired);
    expect(left).toContain((await verifySessionToken(res.body.token))!.sessionId);
  });

  it('a login below the cap ends nothing', async () => {
    const { user, password } = await createUser();
    await createSession(user.id);
    await call(login, 'POST', '/api/login', { json: { username: user.username, password }, ip: uniqueIp() });
    expect(await getDb().selectFrom('sessions').select('id').where('user_id', '=', user.id).execute()).toHaveLength(3);
  });
});
