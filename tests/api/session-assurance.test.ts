// How a session was authenticated (RFC 8176 `amr`) and its assurance level:
// recorded by the route that opens it, read back by GET /api/me/session (in
// the statement that authenticates the request), the sessions list and the
// access tokens other services verify.
import { createLocalJWKSet, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import classicSessions from '../../netlify/functions/classic-sessions.ts';
import jwks from '../../netlify/functions/jwks.ts';
import loginMfa from '../../netlify/functions/login-mfa.ts';
import login from '../../netlify/functions/login.ts';
import currentSession from '../../netlify/functions/me-current-session.ts';
import meSessions from '../../netlify/functions/me-sessions.ts';
import token from '../../netlify/functions/token.ts';
import { newSigningKey } from '../../src/signing/keys.ts';
import { getDb } from '../../src/db/connection.ts';
import { BASE_URL, call } from '../support/call.ts';
import { envPerTest } from '../support/env.ts';
import { codeAt, enableMfa } from '../support/mfa.ts';
import { measured } from '../support/statements.ts';
import { createUser, STRONG_PASSWORD, uniqueIp } from '../support/users.ts';

const env = envPerTest();

/** Both login steps of an account with a factor, the second with `code`: the session token. */
async function loggedInWithCode(username: string, code: string): Promise<string> {
  const first = await call(login, 'POST', '/api/login', { json: { username, password: STRONG_PASSWORD }, ip: uniqueIp() });
  expect(first.status).toBe(403);
  const second = await call(loginMfa, 'POST', '/api/login/mfa', { json: { mfaToken: first.body.error.mfaToken, code }, ip: uniqueIp() });
  expect(second.status).toBe(200);
  return second.body.token;
}

describe('GET /api/me/session', () => {
  it('answers a password login as aal1, in the one statement that authenticates the request', async () => {
    const { user } = await createUser();
    const res = await call(login, 'POST', '/api/login', { json: { username: user.username, password: STRONG_PASSWORD }, ip: uniqueIp() });
    const { token: session } = res.body;
    expect(await measured(() => call(currentSession, 'GET', '/api/me/session', { token: session }))).toEqual([200, 1]);
    const current = await call(currentSession, 'GET', '/api/me/session', { token: session });
    expect(current.body).toEqual({
      session: {
        id: expect.any(Number),
        createdAt: expect.any(String),
        expiresAt: res.body.expiresAt,
        lastSeenAt: expect.any(String),
        amr: ['pwd'],
        aal: 'aal1',
      },
    });
  });

  it('answers a login completed with a code of the app, or a recovery code, as aal2 (otp both)', async () => {
    const owner = await createUser();
    const { secret, recoveryCodes } = await enableMfa(owner.token);
    for (const code of [codeAt(secret), recoveryCodes[0]!]) {
      const session = await loggedInWithCode(owner.user.username, code);
      const res = await call(currentSession, 'GET', '/api/me/session', { token: session });
      expect(res.status).toBe(200);
      expect(res.body.session).toMatchObject({ amr: ['pwd', 'otp'], aal: 'aal2' });
    }
  });

  it('answers the classic login (its cookie) as aal1, and 401 without a live session', async () => {
    const { user } = await createUser();
    const res = await call(classicSessions, 'POST', '/sessions', {
      form: { email: user.email, password: STRONG_PASSWORD },
      ip: uniqueIp(),
    });
    expect(res.status).toBe(200);
    const cookie = res.headers.get('set-cookie')!.split(';')[0]!;
    expect((await call(currentSession, 'GET', '/api/me/session', { cookie })).body.session).toMatchObject({ amr: ['pwd'], aal: 'aal1' });
    expect((await call(currentSession, 'GET', '/api/me/session')).status).toBe(401);
  });
});

describe('the sessions list and access tokens', () => {
  it('list each session with its own level, and carry amr and acr for other services', async () => {
    env({ JWT_SIGNING_KEYS: JSON.stringify([await newSigningKey()]) });
    const owner = await createUser();
    const { secret } = await enableMfa(owner.token);
    const stepped = await loggedInWithCode(owner.user.username, codeAt(secret));
    const list = await call(meSessions, 'GET', '/api/me/sessions', { token: stepped });
    expect(list.body.items.map((s: { current: boolean; amr: string[]; aal: string }) => [s.current, s.amr, s.aal])).toEqual([
      [true, ['pwd', 'otp'], 'aal2'],
      [false, ['pwd'], 'aal1'],
    ]);
    const issued = await call(token, 'POST', '/api/token', { token: stepped });
    const keys = (await call(jwks, 'GET', '/.well-known/jwks.json')).body;
    const { payload } = await jwtVerify(issued.body.accessToken, createLocalJWKSet(keys), {
      issuer: BASE_URL,
      audience: BASE_URL,
      typ: 'at+jwt',
      requiredClaims: ['acr'],
    });
    expect(payload).toMatchObject({ amr: ['pwd', 'otp'], acr: 'aal2' });
  });
});

describe('the amr column (migration 0014)', () => {
  it('reads {pwd} for a row written without it (the rows before the migration) and refuses values RFC 8176 use is not made of here', async () => {
    const { user } = await createUser();
    const expiresAt = new Date(Date.now() + 3_600_000);
    const row = await getDb()
      .insertInto('sessions')
      .values({ user_id: user.id, expires_at: expiresAt })
      .returning('amr')
      .executeTakeFirstOrThrow();
    expect(row.amr).toEqual(['pwd']);
    for (const amr of [[], ['sms'], ['pwd', 'pwd', 'pwd', 'pwd', 'pwd']]) {
      await expect(
        getDb()
          .insertInto('sessions')
          .values({ user_id: user.id, expires_at: expiresAt, amr: amr as never })
          .execute(),
      ).rejects.toMatchObject({ constraint: 'sessions_amr_values' });
    }
  });
});
