// What standard OAuth client code makes of the service: oauth4webapi's
// discovery (OpenID Connect and RFC 8414) against the functions, and its
// strict RFC 9068 check of access tokens, which must refuse a session token
// (src/signing/README.md, "Two kinds of token").
import * as oauth from 'oauth4webapi';
import { describe, expect, it } from 'vitest';
import jwks from '../../netlify/functions/jwks.ts';
import oauthAuthorizationServer from '../../netlify/functions/oauth-authorization-server.ts';
import openidConfiguration from '../../netlify/functions/openid-configuration.ts';
import token from '../../netlify/functions/token.ts';
import { newSigningKey } from '../../src/signing/keys.ts';
import { BASE_URL, call } from '../support/call.ts';
import { envPerTest } from '../support/env.ts';
import { createUser } from '../support/users.ts';

const env = envPerTest();
const key = await newSigningKey();

const FUNCTIONS: Record<string, Parameters<typeof call>[0]> = {
  '/.well-known/openid-configuration': openidConfiguration,
  '/.well-known/oauth-authorization-server': oauthAuthorizationServer,
  '/.well-known/jwks.json': jwks,
};

/** oauth4webapi's fetch, answered by the functions in-process (and recorded for the OpenAPI contract). */
const viaFunctions = async (url: string, init: RequestInit = {}): Promise<Response> => {
  const { pathname } = new URL(url);
  const handler = FUNCTIONS[pathname];
  if (handler === undefined) throw new Error(`no function serves ${pathname}`);
  const res = await call(handler, init.method ?? 'GET', pathname, { headers: Object.fromEntries(new Headers(init.headers)) });
  return new Response(res.text === '' ? null : res.text, { status: res.status, headers: res.headers });
};

const options = { [oauth.customFetch]: viaFunctions, [oauth.allowInsecureRequests]: true };
const issuer = new URL(BASE_URL);

async function discover(algorithm: 'oidc' | 'oauth2') {
  return oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { ...options, algorithm }));
}

/** A resource server's check of a request's Bearer token, as RFC 9068 has it. */
async function validate(bearer: string) {
  const request = new Request('https://orders.example.test/orders', { headers: { authorization: `Bearer ${bearer}` } });
  return oauth.validateJwtAccessToken(await discover('oidc'), request, BASE_URL, options);
}

describe('discovery', () => {
  it.each(['oidc', 'oauth2'] as const)('%s: the issuer, its keys, and no endpoint it does not have', async (algorithm) => {
    env({ JWT_SIGNING_KEYS: JSON.stringify([key]) });
    expect(await discover(algorithm)).toEqual({
      issuer: BASE_URL,
      jwks_uri: `${BASE_URL}/.well-known/jwks.json`,
      response_types_supported: [],
      grant_types_supported: [],
      subject_types_supported: ['public'],
    });
  });

  it('refuses a document from another issuer (a JWT_ISSUER whose address does not serve it)', async () => {
    env({ JWT_ISSUER: 'https://auth.example.test' });
    await expect(discover('oauth2')).rejects.toThrow(/issuer/);
  });
});

describe('access tokens under a strict RFC 9068 check', () => {
  it('accepts an access token from POST /api/token, with every claim it requires', async () => {
    env({ JWT_SIGNING_KEYS: JSON.stringify([key]) });
    const { user, token: session, sessionId } = await createUser();
    const { accessToken } = (await call(token, 'POST', '/api/token', { token: session })).body;
    expect(await validate(accessToken)).toMatchObject({
      iss: BASE_URL,
      aud: BASE_URL,
      sub: String(user.id),
      client_id: BASE_URL,
      sid: sessionId,
      jti: expect.any(String),
    });
  });

  it('refuses a session token: HS256 under an unpublished key, where access tokens are ES256', async () => {
    env({ JWT_SIGNING_KEYS: JSON.stringify([key]) });
    const { token: session } = await createUser();
    await expect(validate(session)).rejects.toThrow(/"alg"/);
  });

  it('refuses an access token for another audience', async () => {
    env({ JWT_SIGNING_KEYS: JSON.stringify([key]), JWT_AUDIENCE: 'https://other.example.test' });
    const { token: session } = await createUser();
    const { accessToken } = (await call(token, 'POST', '/api/token', { token: session })).body;
    await expect(validate(accessToken)).rejects.toThrow(/"aud"/);
  });
});
