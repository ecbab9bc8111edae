// CORS opens no door to the cookie: an origin trusted in CORS_ALLOWED_ORIGINS
// is still another origin. A cookie-authenticated write from it (a change, a
// logout, an access token) is 403 before any statement, exactly as from an
// untrusted one; its logins set no cookie; and no answer ever allows
// credentials, so a page cannot read what a cookie-authenticated request
// returns either.
import { afterAll, describe, expect, it } from 'vitest';
import login from '../../netlify/functions/login.ts';
import logout from '../../netlify/functions/logout.ts';
import me from '../../netlify/functions/me.ts';
import posts from '../../netlify/functions/posts.ts';
import token from '../../netlify/functions/token.ts';
import { onQuery } from '../../src/db/connection.ts';
import { call } from '../support/call.ts';
import { envForFile } from '../support/env.ts';
import { createUser, uniqueIp } from '../support/users.ts';
import { report } from './harness.ts';

const TRUSTED = 'https://app.example.test';
envForFile({ CORS_ALLOWED_ORIGINS: TRUSTED });
const figures = { refused: 0, sent: 0 };
afterAll(() => report('CORS and cookies', { 'cookie writes from a trusted origin refused': `${figures.refused} of ${figures.sent}` }));

describe('a trusted origin with the session cookie', () => {
  it('cannot write with it: 403 before any statement, on every kind of write', async () => {
    const victim = await createUser();
    const cookie = `session_id=${victim.token}`;
    const writes = [
      () => call(posts, 'POST', '/api/posts', { cookie, json: { title: 'Forged', body: 'by a page' }, headers: { origin: TRUSTED } }),
      () => call(token, 'POST', '/api/token', { cookie, headers: { origin: TRUSTED } }),
      () => call(me, 'DELETE', '/api/me', { cookie, json: { password: victim.password }, headers: { origin: TRUSTED } }),
      () => call(logout, 'POST', '/api/logout', { cookie, headers: { origin: TRUSTED } }),
    ];
    for (const write of writes) {
      let statements = 0;
      const stop = onQuery(() => statements++);
      const res = await write();
      stop();
      figures.sent++;
      if (res.status === 403) figures.refused++;
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('forbidden');
      expect(statements).toBe(0);
      expect(res.headers.get('access-control-allow-origin')).toBe(TRUSTED);
      expect(res.headers.has('access-control-allow-credentials')).toBe(false);
      expect(res.headers.get('set-cookie')).toBeNull();
    }
    // The same token as a Bearer header is what the trusted page is meant to use.
    expect((await call(me, 'GET', '/api/me', { token: victim.token, headers: { origin: TRUSTED } })).status).toBe(200);
  });

  it('logs in without the cookie: nothing for a login CSRF to plant, the token for the page to keep', async () => {
    const { user, password } = await createUser();
    const res = await call(login, 'POST', '/api/login', {
      json: { username: user.username, password },
      headers: { origin: TRUSTED },
      ip: uniqueIp(),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('set-cookie')).toBeNull();
    expect(res.headers.has('access-control-allow-credentials')).toBe(false);
    expect((await call(me, 'GET', '/api/me', { token: res.body.token, headers: { origin: TRUSTED } })).status).toBe(200);
  });

  it('never gets Allow-Credentials, on a preflight asking for it or on a read with the cookie', async () => {
    const { token: session } = await createUser();
    const preflight = await call(me, 'OPTIONS', '/api/me', {
      headers: { origin: TRUSTED, 'access-control-request-method': 'DELETE', 'access-control-request-headers': 'content-type' },
    });
    const read = await call(me, 'GET', '/api/me', { cookie: `session_id=${session}`, headers: { origin: TRUSTED } });
    for (const res of [preflight, read]) {
      expect(res.headers.has('access-control-allow-credentials')).toBe(false);
      expect(res.headers.get('access-control-allow-origin')).not.toBe('*');
    }
  });
});
