// Access tokens, the JWKS and the issuer metadata, verified the way another
// service would (README, "Tokens other services verify"): jose, the JWKS, no database.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import jwksFunction from '../../netlify/functions/jwks.ts';
import login from '../../netlify/functions/login.ts';
import logout from '../../netlify/functions/logout.ts';
import me from '../../netlify/functions/me.ts';
import openidConfiguration from '../../netlify/functions/openid-configuration.ts';
import token from '../../netlify/functions/token.ts';
import { setClock } from '../../src/config/clock.ts';
import { newSigningKey } from '../../src/signing/keys.ts';
import { BASE_URL, call } from '../support/call.ts';
import { measured } from '../support/statements.ts';
import { envPerTest } from '../support/env.ts';
import { createUser, STRONG_PASSWORD } from '../support/users.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const env = envPerTest();
afterEach(() => setClock());

const [first, second] = [await newSigningKey(), await newSigningKey()];
const withKeys = (...keys: object[]) => env({ JWT_SIGNING_KEYS: JSON.stringify(keys) });

async function publishedKeys(): Promise<JSONWebKeySet> {
  const res = await call(jwksFunction, 'GET', '/.well-known/jwks.json');
  expect(res.status).toBe(200);
  return res.body;
}

/** What another service does with an access token: the JWKS, the issuer, the audience, the type. */
async function verifyElsewhere(accessToken: string, keys: JSONWebKeySet, options: { issuer?: string; audience?: string } = {}) {
  return jwtVerify(accessToken, createLocalJWKSet(keys), {
    issuer: options.issuer ?? BASE_URL,
    audience: options.audience ?? BASE_URL,
    typ: 'at+jwt',
    algorithms: ['ES256'],
  });
}

describe('POST /api/token', () => {
  it('issues an access token for the session, in 1 statement, that verifies with the JWKS alone', async () => {
    withKeys(first, second);
    const { user, token: session, sessionId } = await createUser();
    expect(await measured(() => call(token, 'POST', '/api/token', { token: session }))).toEqual([200, 1]);
    const res = await call(token, 'POST', '/api/token', { token: session });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.body).toEqual({ accessToken: expect.any(String), tokenType: 'Bearer', expiresIn: 900 });
    const { payload, protectedHeader } = await verifyElsewhere(res.body.accessToken, await publishedKeys());
    expect(protectedHeader).toEqual({ alg: 'ES256', typ: 'at+jwt', kid: first.kid });
    expect(payload).toEqual({
      iss: BASE_URL,
      aud: BASE_URL,
      sub: String(user.id),
      sid: sessionId,
      username: user.username,
      amr: ['pwd'],
      acr: 'aal1',
      iat: expect.any(Number),
      exp: payload.iat! + 900,
      jti: expect.stringMatching(/^[0-9a-f-]{36}$/),
      client_id: BASE_URL,
    });
  });

  it('takes the session cookie from the same origin, and refuses one from another', async () => {
    withKeys(first);
    const { token: session } = await createUser();
    const cookie = `session_id=${session}`;
    expect((await call(token, 'POST', '/api/token', { cookie, headers: { origin: BASE_URL } })).status).toBe(200);
    expect((await call(token, 'POST', '/api/token', { cookie, headers: { origin: 'https://evil.example' } })).status).toBe(403);
  });

  it('gives each token its own jti and follows JWT_ISSUER, JWT_AUDIENCE and ACCESS_TOKEN_TTL', async () => {
    withKeys(first);
    env({ JWT_ISSUER: 'https://auth.example.test', JWT_AUDIENCE: 'api://orders', ACCESS_TOKEN_TTL: '2m' });
    const { token: session } = await createUser();
    const [a, b] = [
      await call(token, 'POST', '/api/token', { token: session }),
      await call(token, 'POST', '/api/token', { token: session }),
    ];
    expect(a.body.expiresIn).toBe(120);
    const keys = await publishedKeys();
    const options = { issuer: 'https://auth.example.test', audience: 'api://orders' };
    const [pa, pb] = [
      (await verifyElsewhere(a.body.accessToken, keys, options)).payload,
      (await verifyElsewhere(b.body.accessToken, keys, options)).payload,
    ];
    expect(pa.jti).not.toBe(pb.jti);
    await expect(verifyElsewhere(a.body.accessToken, keys)).rejects.toThrow(/iss/);
  });

  it('ends no later than the session, and needs a live one', async () => {
    withKeys(first);
    env({ SESSION_TTL: '10m' });
    setClock(() => new Date('2031-01-01T00:00:00Z'));
    const { token: session } = await createUser();
    setClock(() => new Date('2031-01-01T00:04:00Z'));
    expect((await call(token, 'POST', '/api/token', { token: session })).body.expiresIn).toBe(360);
    await call(logout, 'POST', '/api/logout', { token: session });
    const res = await call(token, 'POST', '/api/token', { token: session });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('unauthenticated');
  });

  it('is 404 when the service signs with JWT_SECRET alone, whose JWKS is empty', async () => {
    env({ JWT_SIGNING_KEYS: undefined });
    const { token: session } = await createUser();
    const res = await call(token, 'POST', '/api/token', { token: session });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('access_tokens_unavailable');
    expect(await publishedKeys()).toEqual({ keys: [] });
    expect((await call(me, 'GET', '/api/me', { token: session })).status).toBe(200);
  });
});

describe('sessions under signing keys', () => {
  it('sign with the key derived from the first key, and a session from the JWT_SECRET days still works when keys are added', async () => {
    const before = await createUser();
    expect(decodeProtectedHeader(before.token)).toEqual({ alg: 'HS256', typ: 'JWT', kid: 'session' });
    withKeys(first);
    const res = await call(login, 'POST', '/api/login', { json: { username: before.user.username, password: STRONG_PASSWORD } });
    // HS256 under the key derived from the first one, never under a published kid (src/signing/README.md).
    expect(decodeProtectedHeader(res.body.token)).toEqual({ alg: 'HS256', typ: 'JWT', kid: `session:${first.kid}` });
    expect((await call(me, 'GET', '/api/me', { token: res.body.token })).status).toBe(200);
    expect((await call(me, 'GET', '/api/me', { token: before.token })).status).toBe(200);
  });

  it('rotate without logging anyone out: a token of the previous key works until that key is removed', async () => {
    withKeys(first);
    const { token: old } = await createUser();
    const oldAccess = (await call(token, 'POST', '/api/token', { token: old })).body.accessToken;
    withKeys(second, first);
    const { token: fresh } = await createUser();
    expect(decodeProtectedHeader(fresh).kid).toBe(`session:${second.kid}`);
    expect((await call(me, 'GET', '/api/me', { token: old })).status).toBe(200);
    await verifyElsewhere(oldAccess, await publishedKeys());
    withKeys(second);
    expect((await call(me, 'GET', '/api/me', { token: old })).status).toBe(401);
    expect((await call(me, 'GET', '/api/me', { token: fresh })).status).toBe(200);
    await expect(verifyElsewhere(oldAccess, await publishedKeys())).rejects.toThrow();
  });
});

describe('GET /.well-known/jwks.json', () => {
  it('lists the public half of every key in order, cacheable with an ETag, 304 to a client holding it', async () => {
    withKeys(first, second);
    const res = await call(jwksFunction, 'GET', '/.well-known/jwks.json');
    expect(res.body).toEqual({
      keys: [first, second].map(({ kty, crv, x, y, kid }) => ({ kty, crv, x, y, kid, alg: 'ES256', use: 'sig' })),
    });
    expect(res.headers.get('cache-control')).toBe('public, max-age=300');
    const etag = res.headers.get('etag')!;
    expect(etag).toMatch(/^"[\w-]{27}"$/);
    const again = await call(jwksFunction, 'GET', '/.well-known/jwks.json', { headers: { 'if-none-match': `W/"x", ${etag}` } });
    expect(again.status).toBe(304);
    expect(again.text).toBe('');
    withKeys(second);
    const rotated = await call(jwksFunction, 'GET', '/.well-known/jwks.json', { headers: { 'if-none-match': etag } });
    expect(rotated.status).toBe(200);
    expect(rotated.body.keys.map((k: { kid: string }) => k.kid)).toEqual([second.kid]);
  });
});

describe('GET /.well-known/openid-configuration', () => {
  it('names the issuer of the tokens and where the keys are', async () => {
    withKeys(first);
    const res = await call(openidConfiguration, 'GET', '/.well-known/openid-configuration');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      issuer: BASE_URL,
      jwks_uri: `${BASE_URL}/.well-known/jwks.json`,
      response_types_supported: [],
      grant_types_supported: [],
      subject_types_supported: ['public'],
    });
    expect(res.headers.get('etag')).toMatch(/^"/);
    env({ URL: 'https://site.example.test', JWT_ISSUER: 'https://auth.example.test' });
    const configured = await call(openidConfiguration, 'GET', '/.well-known/openid-configuration');
    expect(configured.body).toMatchObject({
      issuer: 'https://auth.example.test',
      jwks_uri: 'https://site.example.test/.well-known/jwks.json',
    });
  });
});

describe('configuration', () => {
  const load = (vars: Record<string, string | undefined>) => {
    const child = { ...process.env, VITEST: '', NODE_ENV: 'production', JWT_SECRET: '', JWT_SIGNING_KEYS: '', ...vars };
    const script = "await import('./netlify/functions/me.ts'); console.log('started')";
    return spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: root,
      env: child,
      encoding: 'utf8',
    });
  };

  it('a deployed function without keys or secret refuses to start, with one line', () => {
    const refused = load({ CONTEXT: 'deploy-preview' });
    expect(refused.status).toBe(1);
    expect(refused.stdout).toBe('');
    // One JSON log line (src/log/README.md), outside any request: no request id.
    expect(refused.stderr).toMatch(/^\{[^\n]*\}\n$/);
    expect(JSON.parse(refused.stderr)).toEqual({
      time: expect.any(String),
      level: 'error',
      event: 'configuration_error',
      errorName: 'ConfigError',
      errorMessage: 'JWT_SIGNING_KEYS is not set (npm run keys prints a key for it; JWT_SECRET alone also works)',
    });
    const broken = load({ CONTEXT: 'production', JWT_SIGNING_KEYS: '[{"kty":"EC"}]' });
    expect(broken.status).toBe(1);
    expect(broken.stderr).toMatch(/^\{[^\n]*\}\n$/);
    expect(JSON.parse(broken.stderr).errorMessage).toMatch(/^JWT_SIGNING_KEYS key 1: .*"crv"/);
    expect(load({ CONTEXT: 'production', JWT_SIGNING_KEYS: JSON.stringify([first]) }).stdout).toBe('started\n');
    expect(load({ CONTEXT: 'production', JWT_SECRET: 'a-secret-that-is-at-least-32-bytes-long' }).stdout).toBe('started\n');
    expect(load({ CONTEXT: 'dev' }).stdout).toBe('started\n');
  });

  it('a bad key set is a 500 naming nothing to the client, and the variable in the log', async () => {
    const { token: session } = await createUser();
    env({ JWT_SIGNING_KEYS: JSON.stringify([{ ...first, d: second.d }]) });
    const res = await call(me, 'GET', '/api/me', { token: session });
    expect(res.status).toBe(500);
    expect(res.text).not.toMatch(/JWT|kid|key/i);
  });
});
