// Attacks on the signing keys and the two token kinds, with JWT_SIGNING_KEYS
// set (and JWT_SECRET too, as a deploy that moved to keys has it): session
// tokens forged against the keys are refused on the authenticated routes,
// access tokens forged or misused are refused by a verifier following the
// README, a session token is refused by any verifier of access tokens, even
// one that checks only the signature, and the published documents hold no
// private key member.
import { createPrivateKey, createPublicKey } from 'node:crypto';
import {
  createLocalJWKSet,
  decodeProtectedHeader,
  generateKeyPair,
  importJWK,
  jwtVerify,
  SignJWT,
  type JSONWebKeySet,
  type JWTPayload,
} from 'jose';
import * as oauth from 'oauth4webapi';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import classicProfile from '../../netlify/functions/classic-profile.ts';
import jwksFunction from '../../netlify/functions/jwks.ts';
import meSessions from '../../netlify/functions/me-sessions.ts';
import me from '../../netlify/functions/me.ts';
import openidConfiguration from '../../netlify/functions/openid-configuration.ts';
import token from '../../netlify/functions/token.ts';
import { setClock } from '../../src/config/clock.ts';
import type { PrivateSigningJwk } from '../../src/config/signing-keys.ts';
import { newSigningKey } from '../../src/signing/keys.ts';
import { BASE_URL, call } from '../support/call.ts';
import { setEnv } from '../support/env.ts';
import { derivedSessionKey, derivedSessionKid, sessionToken } from '../support/session-keys.ts';
import { createUser, type TestUser } from '../support/users.ts';
import { report, snapshotTables } from './harness.ts';

const seconds = (date = new Date()) => Math.floor(date.getTime() / 1000);
const b64 = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
/** Every JWK member that is private for some key type (RFC 7517, 7518). */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];
const SECRET = process.env.JWT_SECRET!;
const P256_ORDER = 0xffffffff_00000000_ffffffff_ffffffff_bce6faad_a7179e84_f3b9cac2_fc632551n;
const signatureS = (jwt: string) => BigInt(`0x${Buffer.from(jwt.split('.')[2]!, 'base64url').subarray(32).toString('hex')}`);
/** The same token with its signature rewritten as (r, n−s): as valid to ECDSA, not the form issued. */
const malleated = (jwt: string) => {
  const [head, payload, signature] = jwt.split('.') as [string, string, string];
  const bytes = Buffer.from(signature, 'base64url');
  bytes.write((P256_ORDER - signatureS(jwt)).toString(16).padStart(64, '0'), 32, 'hex');
  return `${head}.${payload}.${bytes.toString('base64url')}`;
};
/** The token with its header replaced, its payload and signature kept. */
const reheaded = (jwt: string, header: object) => `${b64(header)}${jwt.slice(jwt.indexOf('.'))}`;

let current: PrivateSigningJwk;
let previous: PrivateSigningJwk;
let removed: PrivateSigningJwk;
let victim: TestUser;
let restore: () => void;
const sessionAttacks = new Map<string, string>();

async function withKey(key: PrivateSigningJwk, header: Record<string, unknown>, payload: JWTPayload): Promise<string> {
  return new SignJWT(payload).setProtectedHeader({ alg: 'ES256', ...header }).sign(await importJWK(key, 'ES256'));
}

/** The victim's session claims, as a genuine session token carries them. */
const sessionClaims = (): JWTPayload => ({ sub: String(victim.user.id), sid: victim.sessionId, iat: seconds(), exp: seconds() + 3600 });

/** A session token as the service issued it before the derived keys: ES256 under the key's kid, with the s asked for. */
async function legacySessionToken(s: 'low' | 'high', key = current): Promise<string> {
  const jwt = await withKey(key, { typ: 'JWT', kid: key.kid }, sessionClaims());
  return signatureS(jwt) > P256_ORDER >> 1n === (s === 'high') ? jwt : malleated(jwt);
}

/** A genuine access token's claims, for the victim. */
const accessClaims = (): JWTPayload => ({
  iss: BASE_URL,
  aud: BASE_URL,
  sub: String(victim.user.id),
  sid: victim.sessionId,
  username: victim.user.username,
  iat: seconds(),
  exp: seconds() + 900,
  jti: crypto.randomUUID(),
});

async function publishedKeys(): Promise<JSONWebKeySet> {
  return (await call(jwksFunction, 'GET', '/.well-known/jwks.json')).body;
}

/** The README's verification, as another service runs it. */
async function verifiedElsewhere(accessToken: string): Promise<boolean> {
  try {
    await jwtVerify(accessToken, createLocalJWKSet(await publishedKeys()), {
      issuer: BASE_URL,
      audience: BASE_URL,
      typ: 'at+jwt',
      algorithms: ['ES256'],
    });
    return true;
  } catch {
    return false;
  }
}

beforeAll(async () => {
  [current, previous, removed] = [await newSigningKey(), await newSigningKey(), await newSigningKey()];
  restore = setEnv({ JWT_SIGNING_KEYS: JSON.stringify([current, previous]) });
  victim = await createUser();
  const claims = sessionClaims();
  const publicPem = createPublicKey(createPrivateKey({ key: current, format: 'jwk' })).export({ format: 'pem', type: 'spki' });
  const { d: _d, ...publicJwk } = current;
  // Algorithm confusion: the public key, in each form a library might take it, as an HMAC secret,
  // under the published kid, the session key's kid (the HS256 tokens' own) and none (JWT_SECRET's).
  for (const [form, secret] of [
    ['PEM', publicPem],
    ['JWK JSON', JSON.stringify(publicJwk)],
    ['x coordinate', Buffer.from(current.x, 'base64url')],
  ] as const) {
    for (const kid of [current.kid, derivedSessionKid(current), undefined]) {
      sessionAttacks.set(
        `HS256 signed with the public key (${form}) as the secret, kid ${kid}`,
        await new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'JWT', kid }).sign(new Uint8Array(Buffer.from(secret))),
      );
    }
  }
  // The derived session keys misused: a published kid, another key's, the secret's own bytes, another alg or typ.
  const hs = (header: Record<string, unknown>, key: Uint8Array) =>
    new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'JWT', ...header }).sign(key);
  sessionAttacks.set('the session key under the published kid', await hs({ kid: current.kid }, derivedSessionKey(current)));
  sessionAttacks.set(
    "the previous key's session key under the current one's kid",
    await hs({ kid: derivedSessionKid(current) }, derivedSessionKey(previous)),
  );
  sessionAttacks.set("a removed key's session key", await hs({ kid: derivedSessionKid(removed) }, derivedSessionKey(removed)));
  sessionAttacks.set("JWT_SECRET itself under the secret's session kid", await hs({ kid: 'session' }, Buffer.from(SECRET)));
  sessionAttacks.set('the session key with HS512', await hs({ alg: 'HS512', kid: derivedSessionKid(current) }, derivedSessionKey(current)));
  sessionAttacks.set(
    'the session key with typ at+jwt',
    await hs({ typ: 'at+jwt', kid: derivedSessionKid(current) }, derivedSessionKey(current)),
  );
  sessionAttacks.set('the session key with no kid', await hs({}, derivedSessionKey(current)));
  // A genuine session token's header tampered with, its signature kept.
  for (const header of [
    { alg: 'HS256', typ: 'JWT', kid: derivedSessionKid(previous) },
    { alg: 'HS256', typ: 'JWT', kid: current.kid },
    { alg: 'HS256', typ: 'JWT', kid: 'session' },
    { alg: 'HS256', typ: 'JWT' },
    { alg: 'HS384', typ: 'JWT', kid: derivedSessionKid(current) },
    { alg: 'ES256', typ: 'JWT', kid: derivedSessionKid(current) },
  ]) {
    sessionAttacks.set(`a genuine token under the header ${JSON.stringify(header)}`, reheaded(victim.token, header));
  }
  sessionAttacks.set('alg "none" naming the current kid', `${b64({ alg: 'none', typ: 'JWT', kid: current.kid })}.${b64(claims)}.`);
  const attacker = (await generateKeyPair('ES256')).privateKey;
  sessionAttacks.set(
    "the attacker's key under the current kid",
    await new SignJWT(claims).setProtectedHeader({ alg: 'ES256', typ: 'JWT', kid: current.kid }).sign(attacker),
  );
  sessionAttacks.set(
    'an unknown kid',
    await new SignJWT(claims).setProtectedHeader({ alg: 'ES256', typ: 'JWT', kid: 'not-a-kid' }).sign(attacker),
  );
  // A lookup that fell back to some configured key (the first, the current one) would take this.
  sessionAttacks.set('an unknown kid, signed with the current key', await withKey(current, { typ: 'JWT', kid: 'not-a-kid' }, claims));
  sessionAttacks.set('no kid, signed with the current key', await withKey(current, { typ: 'JWT' }, claims));
  sessionAttacks.set(
    'a kid naming the current key, signed with the previous one',
    await withKey(previous, { typ: 'JWT', kid: current.kid }, claims),
  );
  sessionAttacks.set('signed with a removed key', await withKey(removed, { typ: 'JWT', kid: removed.kid }, claims));
  sessionAttacks.set(
    'expired, signed with the current key',
    await withKey(current, { typ: 'JWT', kid: current.kid }, { ...claims, exp: seconds() - 1 }),
  );
  sessionAttacks.set('typ at+jwt: an access token shape', await withKey(current, { typ: 'at+jwt', kid: current.kid }, claims));
  sessionAttacks.set('no typ', await withKey(current, { kid: current.kid }, claims));
  const issued = await call(token, 'POST', '/api/token', { token: victim.token });
  sessionAttacks.set('a genuine access token', issued.body.accessToken);
});

afterEach(() => setClock());
afterAll(() => {
  restore();
  report('signing key attacks', { 'session token forgeries': sessionAttacks.size });
});

describe('session tokens against the signing keys', () => {
  it('refuses every forgery and every access token on the authenticated routes, and changes nothing', async () => {
    const before = await snapshotTables();
    const failures: string[] = [];
    for (const [attack, forged] of sessionAttacks) {
      for (const [route, refused, res] of [
        ['GET /api/me', 401, await call(me, 'GET', '/api/me', { token: forged })],
        ['GET /api/me/sessions (cookie)', 401, await call(meSessions, 'GET', '/api/me/sessions', { cookie: `session_id=${forged}` })],
        ['POST /api/token', 401, await call(token, 'POST', '/api/token', { token: forged })],
        ['GET /profile', 403, await call(classicProfile, 'GET', '/profile', { cookie: `session_id=${forged}` })],
      ] as const) {
        if (res.status !== refused) failures.push(`${route}, ${attack}: ${res.status} ${res.text}`);
      }
    }
    expect(failures).toEqual([]);
    expect(await snapshotTables()).toBe(before);
    // The genuine session token works, so the refusals were the forgeries' doing.
    expect((await call(me, 'GET', '/api/me', { token: victim.token })).status).toBe(200);
    expect(decodeProtectedHeader(victim.token)).toEqual({ alg: 'HS256', typ: 'JWT', kid: `session:${current.kid}` });
  });
});

describe('session tokens from before the derived keys (ES256 under a published kid)', () => {
  it('still work on every route, as issued with the low s; rewritten as (r, n−s) they are refused', async () => {
    const legacy = await legacySessionToken('low');
    const rewritten = await legacySessionToken('high');
    // The rewritten signature is valid ECDSA: only the rule on s tells it apart.
    const { d: _d, ...publicJwk } = current;
    await jwtVerify(rewritten, await importJWK(publicJwk, 'ES256'), { typ: 'JWT' });
    for (const [jwt, ok] of [
      [legacy, true],
      [rewritten, false],
    ] as const) {
      expect((await call(me, 'GET', '/api/me', { token: jwt })).status).toBe(ok ? 200 : 401);
      expect((await call(meSessions, 'GET', '/api/me/sessions', { cookie: `session_id=${jwt}` })).status).toBe(ok ? 200 : 401);
      expect((await call(token, 'POST', '/api/token', { token: jwt })).status).toBe(ok ? 200 : 401);
      expect((await call(classicProfile, 'GET', '/profile', { cookie: `session_id=${jwt}` })).status).toBe(ok ? 200 : 403);
    }
  });

  it('from JWT_SECRET itself (HS256, no kid) still work too', async () => {
    const legacy = await new SignJWT(sessionClaims()).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(Buffer.from(SECRET));
    expect((await call(me, 'GET', '/api/me', { token: legacy })).status).toBe(200);
  });

  it('every access token the service issues carries the low s (s ≤ n/2); session tokens are no ECDSA', async () => {
    const issued = [];
    for (let i = 0; i < 16; i++) {
      issued.push((await call(token, 'POST', '/api/token', { token: victim.token })).body.accessToken);
      expect(decodeProtectedHeader((await createUser()).token).alg).toBe('HS256');
    }
    expect(issued.filter((jwt) => signatureS(jwt) > P256_ORDER >> 1n)).toEqual([]);
  });
});

describe('a session token before a verifier of access tokens', () => {
  /** oauth4webapi's strict RFC 9068 check, the keys fetched from the jwks function. */
  async function strictlyValidated(bearer: string) {
    const server = { issuer: BASE_URL, jwks_uri: `${BASE_URL}/.well-known/jwks.json` };
    const fetchKeys = async () => new Response((await call(jwksFunction, 'GET', '/.well-known/jwks.json')).text);
    const request = new Request('https://orders.example.test/orders', { headers: { authorization: `Bearer ${bearer}` } });
    return oauth.validateJwtAccessToken(server, request, BASE_URL, { [oauth.customFetch]: fetchKeys, [oauth.allowInsecureRequests]: true });
  }

  it('is refused by a lax one (the JWKS and nothing else checked), which takes an access token', async () => {
    const session = (await createUser()).token;
    const accessToken = (await call(token, 'POST', '/api/token', { token: session })).body.accessToken;
    const jwks = createLocalJWKSet(await publishedKeys());
    await jwtVerify(accessToken, jwks);
    await expect(jwtVerify(session, jwks)).rejects.toThrow();
    // A hand-written one that tries every published key, whatever the header says.
    for (const key of (await publishedKeys()).keys) {
      await expect(jwtVerify(session, await importJWK(key, 'ES256'))).rejects.toThrow();
    }
  });

  it("is refused by a strict one (oauth4webapi's validateJwtAccessToken), which takes an access token", async () => {
    const accessToken = (await call(token, 'POST', '/api/token', { token: victim.token })).body.accessToken;
    expect(await strictlyValidated(accessToken)).toMatchObject({ sub: String(victim.user.id) });
    await expect(strictlyValidated(victim.token)).rejects.toThrow(/"alg"/);
  });

  it('is signed with HKDF-SHA256 of the key that signs, under a fixed label (changing it would log everyone out)', async () => {
    const { payload } = await jwtVerify(victim.token, derivedSessionKey(current), { algorithms: ['HS256'], typ: 'JWT' });
    expect(payload).toMatchObject({ sub: String(victim.user.id), sid: victim.sessionId });
    const forged = await sessionToken(current, sessionClaims());
    expect((await call(me, 'GET', '/api/me', { token: forged })).status).toBe(200);
  });

  it('under JWT_SECRET alone is not verified by that secret, only by the key derived from it', async () => {
    const back = setEnv({ JWT_SIGNING_KEYS: undefined });
    try {
      const session = (await createUser()).token;
      expect(decodeProtectedHeader(session)).toEqual({ alg: 'HS256', typ: 'JWT', kid: 'session' });
      await expect(jwtVerify(session, Buffer.from(SECRET))).rejects.toThrow(/signature/);
      await jwtVerify(session, derivedSessionKey(SECRET), { algorithms: ['HS256'] });
      expect((await call(me, 'GET', '/api/me', { token: session })).status).toBe(200);
      // And once keys are added, as before: it goes on working.
      setEnv({ JWT_SIGNING_KEYS: JSON.stringify([current, previous]) });
      expect((await call(me, 'GET', '/api/me', { token: session })).status).toBe(200);
    } finally {
      back();
    }
  });

  it('rotate: one signed under the previous key works while that key is in the set, not once it leaves', async () => {
    const back = setEnv({ JWT_SIGNING_KEYS: JSON.stringify([previous, current]) });
    let session: string;
    try {
      session = (await createUser()).token;
      expect(decodeProtectedHeader(session).kid).toBe(`session:${previous.kid}`);
    } finally {
      back();
    }
    expect((await call(me, 'GET', '/api/me', { token: session })).status).toBe(200);
    const without = setEnv({ JWT_SIGNING_KEYS: JSON.stringify([current]) });
    try {
      expect((await call(me, 'GET', '/api/me', { token: session })).status).toBe(401);
      expect((await call(me, 'GET', '/api/me', { token: victim.token })).status).toBe(200);
    } finally {
      without();
    }
  });
});

describe('access tokens as another service verifies them', () => {
  it('accepts a genuine one, and refuses every forged, misaddressed, expired or session token', async () => {
    const genuine = (await call(token, 'POST', '/api/token', { token: victim.token })).body.accessToken;
    expect(await verifiedElsewhere(genuine)).toBe(true);
    const claims = accessClaims();
    const publicPem = createPublicKey(createPrivateKey({ key: current, format: 'jwk' })).export({ format: 'pem', type: 'spki' });
    const attacks: [string, string][] = [
      ['a session token', victim.token],
      [
        'a session token re-signed with typ at+jwt but no audience',
        await withKey(current, { typ: 'at+jwt', kid: current.kid }, sessionClaims()),
      ],
      [
        'HS256 signed with the public key (PEM)',
        await new SignJWT(claims)
          .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', kid: current.kid })
          .sign(new Uint8Array(Buffer.from(publicPem))),
      ],
      ['alg "none"', `${b64({ alg: 'none', typ: 'at+jwt', kid: current.kid })}.${b64(claims)}.`],
      ['an unknown kid', await withKey(removed, { typ: 'at+jwt', kid: 'unknown' }, claims)],
      ['no kid', await withKey(current, { typ: 'at+jwt' }, claims)],
      ['a removed key', await withKey(removed, { typ: 'at+jwt', kid: removed.kid }, claims)],
      ['wrong iss', await withKey(current, { typ: 'at+jwt', kid: current.kid }, { ...claims, iss: 'https://evil.example' })],
      ['wrong aud', await withKey(current, { typ: 'at+jwt', kid: current.kid }, { ...claims, aud: 'https://other.example' })],
      ['typ JWT', await withKey(current, { typ: 'JWT', kid: current.kid }, claims)],
      ['expired', await withKey(current, { typ: 'at+jwt', kid: current.kid }, { ...claims, iat: seconds() - 1000, exp: seconds() - 100 })],
    ];
    const accepted = [];
    for (const [name, forged] of attacks) if (await verifiedElsewhere(forged)) accepted.push(name);
    expect(accepted).toEqual([]);
  });

  it('expire: a genuine token stops verifying after expiresIn', async () => {
    const issued = (await call(token, 'POST', '/api/token', { token: victim.token })).body;
    const keys = createLocalJWKSet(await publishedKeys());
    const options = { issuer: BASE_URL, audience: BASE_URL, typ: 'at+jwt', algorithms: ['ES256'] };
    await jwtVerify(issued.accessToken, keys, { ...options, currentDate: new Date(Date.now() + (issued.expiresIn - 5) * 1000) });
    await expect(
      jwtVerify(issued.accessToken, keys, { ...options, currentDate: new Date(Date.now() + (issued.expiresIn + 1) * 1000) }),
    ).rejects.toThrow(/exp/);
  });

  it('rotate: a token signed by the previous key verifies until that key is removed', async () => {
    const byPrevious = await withKey(previous, { typ: 'at+jwt', kid: previous.kid }, accessClaims());
    expect(await verifiedElsewhere(byPrevious)).toBe(true);
    const back = setEnv({ JWT_SIGNING_KEYS: JSON.stringify([current]) });
    try {
      expect(await verifiedElsewhere(byPrevious)).toBe(false);
    } finally {
      back();
    }
  });
});

describe('the published documents', () => {
  it('hold no private member of any key, and none of its private value', async () => {
    for (const res of [
      await call(jwksFunction, 'GET', '/.well-known/jwks.json'),
      await call(openidConfiguration, 'GET', '/.well-known/openid-configuration'),
    ]) {
      expect(res.status).toBe(200);
      for (const key of [current, previous]) expect(res.text).not.toContain(key.d);
    }
    const { keys } = await publishedKeys();
    expect(keys).toHaveLength(2);
    for (const key of keys) {
      expect(PRIVATE_MEMBERS.filter((member) => member in key)).toEqual([]);
      expect(Object.keys(key).sort()).toEqual(['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y']);
    }
  });
});
