// CORS (src/http/cors.ts): the public documents to any origin, the JSON API to
// the origins of CORS_ALLOWED_ORIGINS with a Bearer token, never credentials,
// and nothing to the classic routes; Allow and the preflight's methods come
// from each route's declared methods.
import { describe, expect, it } from 'vitest';
import classicProfile from '../../netlify/functions/classic-profile.ts';
import jwks from '../../netlify/functions/jwks.ts';
import login from '../../netlify/functions/login.ts';
import me from '../../netlify/functions/me.ts';
import oauthAuthorizationServer from '../../netlify/functions/oauth-authorization-server.ts';
import openapi from '../../netlify/functions/openapi.ts';
import openidConfiguration from '../../netlify/functions/openid-configuration.ts';
import posts from '../../netlify/functions/posts.ts';
import postsId from '../../netlify/functions/posts-id.ts';
import { BASE_URL, call } from '../support/call.ts';
import { envPerTest } from '../support/env.ts';
import { captureLogs } from '../support/logs.ts';
import { createUser, uniqueIp } from '../support/users.ts';

const env = envPerTest();
const TRUSTED = 'https://app.example.test';
const trust = () => env({ CORS_ALLOWED_ORIGINS: `${TRUSTED}, http://localhost:5173` });

const preflight = (origin: string, method: string, headers = 'authorization, content-type') => ({
  headers: { origin, 'access-control-request-method': method, 'access-control-request-headers': headers },
});

const CORS_HEADERS = [
  'access-control-allow-origin',
  'access-control-allow-methods',
  'access-control-allow-headers',
  'access-control-allow-credentials',
  'access-control-max-age',
  'access-control-expose-headers',
];
const corsOf = (headers: Headers) =>
  Object.fromEntries(CORS_HEADERS.flatMap((name) => (headers.has(name) ? [[name, headers.get(name)]] : [])));

describe('the JSON API', () => {
  it('answers a trusted origin’s preflight with the route’s methods, the two request headers, a max age and no credentials', async () => {
    trust();
    const res = await call(postsId, 'OPTIONS', '/api/posts/1', preflight(TRUSTED, 'PATCH'));
    expect(res.status).toBe(204);
    expect(res.headers.get('allow')).toBe('GET, HEAD, PATCH, DELETE, OPTIONS');
    expect(res.headers.get('vary')).toBe('Origin');
    expect(corsOf(res.headers)).toEqual({
      'access-control-allow-origin': TRUSTED,
      'access-control-allow-methods': 'GET, PATCH, DELETE',
      'access-control-allow-headers': 'authorization, content-type',
      'access-control-max-age': '600',
      'access-control-expose-headers': 'Link, Retry-After, WWW-Authenticate, X-Request-Id',
    });
  });

  it('lets a trusted origin read the answers to a Bearer token, errors included, without credentials', async () => {
    trust();
    const { token } = await createUser();
    const created = await call(posts, 'POST', '/api/posts', { token, json: { title: 'Hi', body: 'There' }, headers: { origin: TRUSTED } });
    expect(created.status).toBe(201);
    expect(created.headers.get('access-control-allow-origin')).toBe(TRUSTED);
    expect(created.headers.get('vary')).toBe('Origin');
    const refused = await call(posts, 'POST', '/api/posts', {
      token: 'nope',
      json: { title: 'Hi', body: 'There' },
      headers: { origin: 'http://localhost:5173' },
    });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
    for (const res of [created, refused]) expect(res.headers.has('access-control-allow-credentials')).toBe(false);
  });

  it('lets a trusted page log in for a token (no cookie) and use it, where another origin is refused', async () => {
    trust();
    const { user, password } = await createUser();
    const json = { username: user.username, password };
    const res = await call(login, 'POST', '/api/login', { json, headers: { origin: TRUSTED }, ip: uniqueIp() });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe(TRUSTED);
    expect(res.headers.get('set-cookie')).toBeNull();
    const read = await call(me, 'GET', '/api/me', { token: res.body.token, headers: { origin: TRUSTED } });
    expect([read.status, read.headers.get('access-control-allow-origin')]).toEqual([200, TRUSTED]);
    expect((await call(login, 'POST', '/api/login', { json, headers: { origin: 'https://evil.example' }, ip: uniqueIp() })).status).toBe(
      403,
    );
    // Our own origin listed among the trusted ones still gets its cookie.
    env({ CORS_ALLOWED_ORIGINS: BASE_URL });
    const own = await call(login, 'POST', '/api/login', { json, headers: { origin: BASE_URL }, ip: uniqueIp() });
    expect(own.headers.get('set-cookie')).toMatch(/^session_id=/);
  });

  it('gives an untrusted origin, or any origin when none is configured, nothing to read', async () => {
    for (const configure of [trust, () => env({ CORS_ALLOWED_ORIGINS: undefined })]) {
      configure();
      for (const origin of ['https://evil.example', 'null', `${TRUSTED}/`, 'https://APP.example.test', 'http://app.example.test']) {
        const res = await call(posts, 'OPTIONS', '/api/posts', preflight(origin, 'POST'));
        expect(res.status).toBe(204);
        expect(res.headers.get('allow')).toBe('GET, HEAD, POST, OPTIONS');
        expect(res.headers.get('vary')).toBe('Origin');
        expect(corsOf(res.headers), origin).toEqual({});
        const read = await call(posts, 'GET', '/api/posts', { headers: { origin } });
        expect(read.status).toBe(200);
        expect(corsOf(read.headers), origin).toEqual({});
      }
    }
  });

  it('fails naming the variable when CORS_ALLOWED_ORIGINS is malformed, and still serves the public documents', async () => {
    for (const value of ['*', 'https://app.example.test/', 'app.example.test']) {
      env({ CORS_ALLOWED_ORIGINS: value });
      const logs = captureLogs();
      const res = await call(posts, 'GET', '/api/posts', { headers: { origin: TRUSTED } });
      logs.restore();
      expect(res.status).toBe(500);
      expect(corsOf(res.headers)).toEqual({});
      expect(logs.of('configuration_error')[0]?.errorMessage).toMatch(/^CORS_ALLOWED_ORIGINS: /);
      expect((await call(jwks, 'GET', '/.well-known/jwks.json', { headers: { origin: TRUSTED } })).status).toBe(200);
    }
  });
});

describe('the public documents', () => {
  const documents = [
    [jwks, '/.well-known/jwks.json'],
    [openidConfiguration, '/.well-known/openid-configuration'],
    [oauthAuthorizationServer, '/.well-known/oauth-authorization-server'],
    [openapi, '/api/openapi.json'],
  ] as const;

  it.each(documents)('%#: any origin reads it and its ETag, without credentials, and gets a preflight to revalidate', async (fn, path) => {
    for (const origin of ['https://anyone.example', 'null']) {
      const res = await call(fn, 'GET', path, { headers: { origin } });
      expect(res.status).toBe(200);
      expect(corsOf(res.headers)).toEqual({ 'access-control-allow-origin': '*', 'access-control-expose-headers': 'ETag, X-Request-Id' });
      const revalidate = await call(fn, 'OPTIONS', path, preflight(origin, 'GET', 'if-none-match'));
      expect(revalidate.status).toBe(204);
      expect(revalidate.headers.get('allow')).toBe('GET, HEAD, OPTIONS');
      expect(corsOf(revalidate.headers)).toMatchObject({
        'access-control-allow-origin': '*',
        'access-control-allow-methods': 'GET',
        'access-control-allow-headers': 'if-none-match',
      });
      expect(revalidate.headers.has('access-control-allow-credentials')).toBe(false);
    }
  });
});

describe('the classic routes', () => {
  it('send no CORS header, even to a trusted origin', async () => {
    trust();
    const { token } = await createUser();
    const res = await call(classicProfile, 'GET', '/profile', { token, headers: { origin: TRUSTED } });
    expect(res.status).toBe(200);
    expect(corsOf(res.headers)).toEqual({});
    expect(corsOf((await call(classicProfile, 'OPTIONS', '/profile', preflight(TRUSTED, 'GET'))).headers)).toEqual({});
  });
});
