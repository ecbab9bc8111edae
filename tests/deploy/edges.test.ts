// What every response carries, on both surfaces (JSON API and classic routes):
// security headers and X-Request-Id, HSTS over https, HEAD wherever GET, Allow, WWW-Authenticate on
// every 401 of /api, and the JSON 404 for a path under /api/ that no function serves.
import { readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Context } from '@netlify/functions';
import { describe, expect, it } from 'vitest';
import catchAll, { config as catchAllConfig } from '../../netlify/functions/api-not-found.ts';
import login from '../../netlify/functions/login.ts';
import logout from '../../netlify/functions/logout.ts';
import me from '../../netlify/functions/me.ts';
import classicSessions from '../../netlify/functions/classic-sessions.ts';
import type { Method } from '../../src/http/endpoint.ts';
import type { RouteHandler } from '../../src/http/route.ts';
import { call, type CallResult } from '../support/call.ts';
import { createUser } from '../support/users.ts';

const FUNCTIONS = fileURLToPath(new URL('../../netlify/functions/', import.meta.url));

/** Every function that serves a path, but the catch-all. */
async function served(): Promise<RouteHandler[]> {
  const files = (await readdir(FUNCTIONS)).filter((file) => file.endsWith('.ts') && file !== 'api-not-found.ts');
  const modules = await Promise.all(
    files.map(async (file) => (await import(`${FUNCTIONS}${file}`)) as { default: RouteHandler; config: { path?: string } }),
  );
  return modules.filter((module) => module.config.path !== undefined).map((module) => module.default);
}

/** A concrete path for a route: `/api/posts/:id` -> `/api/posts/1`. */
const concrete = (path: string) =>
  path.replace(/:(\w+)/g, (_, name: string) => (name === 'username' ? 'nobody_here' : name === 'code' ? 'x'.repeat(43) : '1'));

function expectSecurityHeaders(res: { headers: Headers }, where: string): void {
  expect(res.headers.get('x-content-type-options'), where).toBe('nosniff');
  expect(res.headers.get('referrer-policy'), where).toBe('no-referrer');
  expect(res.headers.get('x-frame-options'), where).toBe('DENY');
  expect(res.headers.get('content-security-policy'), where).toBe("default-src 'none'; frame-ancestors 'none'");
  expect(res.headers.get('x-request-id'), where).toMatch(/^[0-9a-f-]{36}$/);
}

describe('every response', () => {
  it('carries nosniff, no-referrer, a frame-denying policy and X-Request-Id, whatever the method and outcome, on both surfaces', async () => {
    const handlers = await served();
    expect(handlers.map((h) => h.path)).toEqual(expect.arrayContaining(['/', '/users', '/api/me', '/api/posts/:id']));
    let answers = 0;
    for (const handler of handlers) {
      for (const method of [...handler.methods, 'OPTIONS', 'PUT', 'HEAD'] as const) {
        const res = await call(
          handler,
          method,
          concrete(handler.path),
          method === 'GET' || method === 'HEAD' || method === 'OPTIONS' ? {} : { json: {} },
        );
        expectSecurityHeaders(res, `${method} ${handler.path} → ${res.status}`);
        answers += 1;
      }
    }
    expect(answers).toBeGreaterThan(80);
  });

  it('carries Strict-Transport-Security over https, and not over plain http (netlify dev)', async () => {
    const secure = await me(new Request('https://auth.example.test/api/me'), { ip: '203.0.113.9', params: {} } as unknown as Context);
    expect(secure.headers.get('strict-transport-security')).toBe('max-age=31536000');
    const plain = await call(me, 'GET', '/api/me');
    expect(plain.headers.get('strict-transport-security')).toBeNull();
  });
});

describe('HEAD', () => {
  it('answers wherever GET does, with the same status and headers and no body', async () => {
    const { token } = await createUser();
    let compared = 0;
    for (const handler of await served()) {
      if (!handler.methods.includes('GET' as Method)) continue;
      const path = concrete(handler.path);
      const get = await call(handler, 'GET', path, { token });
      const head = await call(handler, 'HEAD', path, { token });
      expect([head.status, head.text], `HEAD ${path}`).toEqual([get.status, '']);
      const names = (res: CallResult) => [...res.headers.keys()].filter((name) => name !== 'etag').sort();
      expect(names(head), `HEAD ${path}`).toEqual(names(get));
      expect(head.headers.get('content-type')).toBe(get.headers.get('content-type'));
      compared += 1;
    }
    expect(compared).toBeGreaterThan(10);
  });
});

describe('Allow', () => {
  it('lists, on OPTIONS and on 405 alike, the declared methods, HEAD after GET, and OPTIONS', async () => {
    for (const handler of await served()) {
      const expected = [...handler.methods.flatMap((m) => (m === 'GET' ? ['GET', 'HEAD'] : [m])), 'OPTIONS'].join(', ');
      const wrong = (['PUT', 'PATCH', 'POST', 'DELETE'] as const).find((m) => !handler.methods.includes(m))!;
      for (const method of ['OPTIONS', wrong]) {
        const res = await call(handler, method, concrete(handler.path), method === 'OPTIONS' ? {} : { json: {} });
        expect([res.status, res.headers.get('allow')], `${method} ${handler.path}`).toEqual([method === 'OPTIONS' ? 204 : 405, expected]);
      }
    }
  });
});

describe('401 on /api', () => {
  it('always carries WWW-Authenticate: Bearer', async () => {
    let unauthorized = 0;
    for (const handler of (await served()).filter((h) => h.path.startsWith('/api/'))) {
      for (const method of handler.methods) {
        const res = await call(handler, method, concrete(handler.path), method === 'GET' ? {} : { json: {} });
        if (res.status !== 401) continue;
        expect(res.headers.get('www-authenticate'), `${method} ${handler.path}`).toBe('Bearer');
        unauthorized += 1;
      }
    }
    // The routes behind a session that check it before the body: /api/me, its profile, password and sessions, and more.
    expect(unauthorized).toBeGreaterThanOrEqual(9);
    const { user } = await createUser();
    const refused = await call(login, 'POST', '/api/login', { json: { username: user.username, password: 'Not-The-Password-1!' } });
    expect([refused.status, refused.headers.get('www-authenticate')]).toEqual([401, 'Bearer']);
  });

  it('names a Bearer token that was sent and refused invalid_token (RFC 6750), expired, forged or revoked alike', async () => {
    const { token } = await createUser();
    const forged = `${token.slice(0, -4)}AAAA`;
    for (const sent of [forged, 'not-a-token']) {
      const res = await call(me, 'GET', '/api/me', { token: sent });
      expect([res.status, res.headers.get('www-authenticate')]).toEqual([401, 'Bearer error="invalid_token"']);
    }
    expect((await call(logout, 'POST', '/api/logout', { token })).status).toBe(204);
    const revoked = await call(me, 'GET', '/api/me', { token });
    expect([revoked.status, revoked.headers.get('www-authenticate')]).toEqual([401, 'Bearer error="invalid_token"']);
  });

  it('is not sent by the classic routes, which use a cookie', async () => {
    const res = await call(classicSessions, 'POST', '/sessions', { form: { email: 'nobody@example.com', password: 'x' } });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBeNull();
  });
});

describe('a path under /api/ that no function serves', () => {
  it.each([
    ['GET', '/api/nope'],
    ['POST', '/api/registr'],
    ['DELETE', '/api/posts/1/likes'],
    ['GET', '/api/'],
  ])('%s %s is the JSON 404 envelope', async (method, path) => {
    const res = await call(catchAll, method, path, method === 'POST' ? { json: {} } : {});
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(res.body).toEqual({ error: { code: 'not_found', message: expect.stringContaining('/api/openapi.json') } });
    expectSecurityHeaders(res, `${method} ${path}`);
  });

  it('answers HEAD without a body', async () => {
    const res = await call(catchAll, 'HEAD', '/api/nope');
    expect([res.status, res.text]).toEqual([404, '']);
  });

  it('leaves every path a function serves to that function (excludedPath lists them all)', async () => {
    const api = (await served()).map((h) => h.path).filter((path) => path.startsWith('/api/'));
    expect([...catchAllConfig.excludedPath].sort()).toEqual(api.sort());
  });
});
