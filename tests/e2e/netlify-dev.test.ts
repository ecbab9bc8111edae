// The whole path over real HTTP: netlify dev -> function -> core -> Postgres.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newSigningKey } from '../../src/signing/keys.ts';
import { FLOW_TIMEOUT, START_TIMEOUT, startNetlifyDev, type DevServer } from '../support/netlify-dev.ts';

let server: DevServer;
const signingKey = await newSigningKey();

beforeAll(async () => {
  server = await startNetlifyDev({ DATABASE_URL: process.env.DATABASE_URL!, JWT_SIGNING_KEYS: JSON.stringify([signingKey]) });
}, START_TIMEOUT);
afterAll(async () => server?.stop());

describe('netlify dev', { timeout: FLOW_TIMEOUT }, () => {
  it('answers a path nothing serves, outside /api, with the 404 page', async () => {
    const res = await fetch(`${server.url}/nope`);
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await res.text()).toContain('<title>Not found</title>');
  });

  it('serves GET /api/health after a database round trip', async () => {
    const res = await fetch(`${server.url}/api/health`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it("answers with the request's id and logs the request as one JSON line carrying it", async () => {
    const res = await fetch(`${server.url}/api/health`);
    const id = res.headers.get('x-request-id');
    // netlify dev gives each request an x-nf-request-id, as production does: the function echoes it.
    expect(id).toBe(res.headers.get('x-nf-request-id'));
    expect(id).toMatch(/^[\w.:-]{1,128}$/);
    let line: string | undefined;
    for (let waited = 0; line === undefined && waited < 5000; waited += 100) {
      line = server
        .output()
        .split('\n')
        .find((text) => text.includes(`"requestId":"${id}"`) && text.includes('"event":"request"'));
      if (line === undefined) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(JSON.parse(line!.slice(line!.indexOf('{')))).toMatchObject({
      level: 'info',
      event: 'request',
      route: '/api/health',
      method: 'GET',
      status: 200,
    });
  });

  it('serves GET /', async () => {
    const res = await fetch(`${server.url}/`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ message: 'Bienvenue' });
  });

  it('answers a wrong method with 405 and Allow', async () => {
    const res = await fetch(`${server.url}/api/health`, { method: 'DELETE' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, HEAD, OPTIONS');
  });

  it('serves GET /api/openapi.json, cacheable and revalidated by its ETag', async () => {
    const res = await fetch(`${server.url}/api/openapi.json`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toMatch(/^public, max-age=\d+$/);
    expect((await res.json()).openapi).toBe('3.1.0');
    const again = await fetch(`${server.url}/api/openapi.json`, { headers: { 'if-none-match': res.headers.get('etag')! } });
    expect(again.status).toBe(304);
  });

  it('serves the public keys and the issuer metadata under /.well-known', async () => {
    const jwks = await fetch(`${server.url}/.well-known/jwks.json`);
    expect(jwks.status).toBe(200);
    expect(jwks.headers.get('cache-control')).toBe('public, max-age=300');
    expect((await jwks.json()).keys.map((key: { kid: string; d?: string }) => [key.kid, key.d])).toEqual([[signingKey.kid, undefined]]);
    const again = await fetch(`${server.url}/.well-known/jwks.json`, { headers: { 'if-none-match': jwks.headers.get('etag')! } });
    expect(again.status).toBe(304);
    const metadata = await (await fetch(`${server.url}/.well-known/openid-configuration`)).json();
    expect(metadata.jwks_uri).toBe(`${metadata.issuer}/.well-known/jwks.json`);
    // RFC 8414's address reaches its function too (nothing in netlify.toml stands in the way), readable from any origin.
    const rfc8414 = await fetch(`${server.url}/.well-known/oauth-authorization-server`, { headers: { origin: 'https://anyone.example' } });
    expect(rfc8414.headers.get('access-control-allow-origin')).toBe('*');
    expect(await rfc8414.json()).toEqual(metadata);
    expect((await fetch(`${server.url}/api/token`, { method: 'POST' })).status).toBe(401);
  });

  it('answers a path under /api/ that no function serves with the JSON 404, and leaves real paths to their functions', async () => {
    for (const path of ['/api/nope', '/api/posts/1/likes']) {
      const res = await fetch(`${server.url}${path}`);
      expect(res.status).toBe(404);
      expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect((await res.json()).error).toEqual({ code: 'not_found', message: expect.stringContaining('/api/openapi.json') });
    }
    // A real function's own 404, not the catch-all's, whichever netlify dev tries first.
    const user = await fetch(`${server.url}/api/users/nobody_here`);
    expect(user.status).toBe(404);
    expect((await user.json()).error.message).not.toContain('/api/openapi.json');
    const health = await fetch(`${server.url}/api/health`);
    expect(health.status).toBe(200);
  });

  it('answers HEAD as GET without a body, with the security headers', async () => {
    const res = await fetch(`${server.url}/api/health`, { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
  });

  it('serves no file of the repository', async () => {
    const res = await fetch(`${server.url}/package.json`);
    expect(res.status).toBe(404);
  });
});
