// The whole path over real HTTP: netlify dev -> function -> core -> Postgres.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newSigningKey } from '../../src/signing/keys.ts';
import { startNetlifyDev, type DevServer } from '../support/netlify-dev.ts';

let server: DevServer;
const signingKey = await newSigningKey();

beforeAll(async () => {
  server = await startNetlifyDev({ DATABASE_URL: process.env.DATABASE_URL!, JWT_SIGNING_KEYS: JSON.stringify([signingKey]) });
});
afterAll(async () => server?.stop());

describe('netlify dev', () => {
  it('serves GET /api/health after a database round trip', async () => {
    const res = await fetch(`${server.url}/api/health`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('serves GET /', async () => {
    const res = await fetch(`${server.url}/`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ message: 'Bienvenue' });
  });

  it('answers a wrong method with 405 and Allow', async () => {
    const res = await fetch(`${server.url}/api/health`, { method: 'DELETE' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET');
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
    expect((await fetch(`${server.url}/api/token`, { method: 'POST' })).status).toBe(401);
  });

  it('serves no file of the repository', async () => {
    const res = await fetch(`${server.url}/package.json`);
    expect(res.status).toBe(404);
  });
});
