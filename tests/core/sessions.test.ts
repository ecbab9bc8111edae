import { SignJWT } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { setClock } from '../../src/config/clock.ts';
import { authenticate } from '../../src/http/caller.ts';
import { createSession, destroySession, findSessionUser } from '../../src/auth/sessions/sessions.ts';
import { HttpError } from '../../src/common/errors.ts';
import { getDb } from '../../src/db/connection.ts';
import { setEnv } from '../support/env.ts';
import { createUser } from '../support/users.ts';
import { countStatements } from '../support/statements.ts';

afterEach(() => setClock());

function request(headers: Record<string, string>, method = 'GET'): Request {
  return new Request('http://localhost:8888/api/me', { method, headers });
}

describe('sessions', () => {
  it('find the user of a live session in one statement, without the hash', async () => {
    const { user, token, sessionId } = await createUser();
    const { result: found, statements } = await countStatements(() => findSessionUser(token));
    expect(statements).toBe(1);
    expect(found?.sessionId).toBe(sessionId);
    expect(found?.user).toEqual({
      id: user.id,
      username: user.username,
      email: user.email,
      confirmed_at: user.confirmed_at,
      created_at: user.created_at,
    });
  });

  it('read the profile in the same single statement when asked', async () => {
    const { token } = await createUser();
    const { result: found, statements } = await countStatements(() => findSessionUser(token, { withProfile: true }));
    expect(statements).toBe(1);
    expect(found?.profile).toEqual({ bio: null, location: null, birthday: null, gender: null, marital_status: null });
  });

  it('stop counting once destroyed', async () => {
    const { user, token, sessionId } = await createUser();
    expect(await destroySession(sessionId, user.id + 1)).toBe(false);
    expect(await destroySession(sessionId, user.id)).toBe(true);
    expect(await findSessionUser(token)).toBeUndefined();
    expect(await destroySession(sessionId)).toBe(false);
  });

  it('end 7 days after their last use or 30 days after login, whichever comes first (the defaults)', async () => {
    const { user } = await createUser();
    const start = Date.parse('2030-01-01T00:00:00Z');
    const at = (days: number, ms = 0) => setClock(() => new Date(start + days * 86_400_000 + ms));
    at(0);
    const [unused, alsoUnused, used] = [await createSession(user.id), await createSession(user.id), await createSession(user.id)];
    expect(used.expiresAt.toISOString()).toBe('2030-01-31T00:00:00.000Z');
    at(7, -60_000);
    expect(await findSessionUser(unused.token)).toBeDefined();
    at(7, 1000);
    expect(await findSessionUser(alsoUnused.token)).toBeUndefined();
    // Used every 6 days, it lives to its absolute end and no further.
    for (const day of [6, 12, 18, 24, 29]) {
      at(day);
      expect(await findSessionUser(used.token)).toBeDefined();
    }
    at(30, -1000);
    expect(await findSessionUser(used.token)).toBeDefined();
    at(30, 1000);
    expect(await findSessionUser(used.token)).toBeUndefined();
  });

  it('mark a session seen at most once an hour, inside the one statement that authenticates', async () => {
    const { user } = await createUser();
    const start = Date.parse('2030-02-01T00:00:00Z');
    const at = (minutes: number) => setClock(() => new Date(start + minutes * 60_000));
    const lastSeen = async (id: number) =>
      (
        await getDb().selectFrom('sessions').select('last_seen_at').where('id', '=', id).executeTakeFirstOrThrow()
      ).last_seen_at.toISOString();
    at(0);
    const session = await createSession(user.id);
    for (const [minute, seen] of [
      [30, '2030-02-01T00:00:00.000Z'],
      [60, '2030-02-01T01:00:00.000Z'],
      [119, '2030-02-01T01:00:00.000Z'],
      [181, '2030-02-01T03:01:00.000Z'],
    ] as const) {
      at(minute);
      const { result, statements } = await countStatements(() =>
        minute > 100 ? findSessionUser(session.token, { withProfile: true }) : findSessionUser(session.token),
      );
      expect(result).toBeDefined();
      expect(statements).toBe(1);
      expect(await lastSeen(session.sessionId)).toBe(seen);
    }
    // Ten requests at once: each is let in, the row is marked once.
    at(300);
    const found = await Promise.all(Array.from({ length: 10 }, () => findSessionUser(session.token)));
    expect(found.every((f) => f?.sessionId === session.sessionId)).toBe(true);
    expect(await lastSeen(session.sessionId)).toBe('2030-02-01T05:00:00.000Z');
  });

  it('follow SESSION_TTL and SESSION_IDLE_TTL', async () => {
    const restore = setEnv({ SESSION_TTL: '3h', SESSION_IDLE_TTL: '30m' });
    try {
      const { user } = await createUser();
      const start = Date.parse('2030-03-01T00:00:00Z');
      const at = (minutes: number) => setClock(() => new Date(start + minutes * 60_000));
      at(0);
      const session = await createSession(user.id);
      expect(session.expiresAt.toISOString()).toBe('2030-03-01T03:00:00.000Z');
      at(29);
      expect(await findSessionUser(session.token)).toBeDefined();
      // Seen at 0 and not marked at 29 (under an hour): idle since 0.
      at(31);
      expect(await findSessionUser(session.token)).toBeUndefined();
    } finally {
      restore();
    }
  });

  it('refuse a token signed with another key or another algorithm', async () => {
    const { user, sessionId } = await createUser();
    const forged = await new SignJWT({ sid: sessionId })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(String(user.id))
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode('another-secret-of-at-least-32-bytes!!'));
    expect(await findSessionUser(forged)).toBeUndefined();
    const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    const payload = Buffer.from(JSON.stringify({ sub: String(user.id), sid: sessionId, iat: 1, exp: 4102444800 })).toString('base64url');
    expect(await findSessionUser(`${header}.${payload}.`)).toBeUndefined();
  });
});

describe('authenticate', () => {
  it('accepts a Bearer token or the session_id cookie', async () => {
    const { user, token } = await createUser();
    expect((await authenticate(request({ authorization: `Bearer ${token}` }))).user.id).toBe(user.id);
    const viaCookie = await authenticate(request({ cookie: `theme=dark; session_id=${token}` }));
    expect(viaCookie).toMatchObject({ via: 'cookie', user: { id: user.id } });
  });

  it('answers 401 without a usable token', async () => {
    const cases: Record<string, string>[] = [
      {},
      { authorization: 'Basic abc' },
      { authorization: 'Bearer not.a.jwt' },
      { cookie: 'session_id=' },
    ];
    for (const headers of cases) {
      await expect(authenticate(request(headers))).rejects.toMatchObject({ status: 401, code: 'unauthenticated' });
    }
  });

  it('refuses a cookie-authenticated change from another origin, not a Bearer one', async () => {
    const { token } = await createUser();
    const crossSite = { cookie: `session_id=${token}`, origin: 'https://evil.example' };
    await expect(authenticate(request(crossSite, 'POST'))).rejects.toBeInstanceOf(HttpError);
    await expect(authenticate(request(crossSite, 'POST'))).rejects.toMatchObject({ status: 403 });
    await expect(authenticate(request({ cookie: `session_id=${token}`, origin: 'http://localhost:8888' }, 'POST'))).resolves.toBeDefined();
    await expect(authenticate(request(crossSite, 'GET'))).resolves.toBeDefined();
    await expect(
      authenticate(request({ authorization: `Bearer ${token}`, origin: 'https://evil.example' }, 'POST')),
    ).resolves.toBeDefined();
  });
});
