// Attacks on the signing keys and the two token kinds, with JWT_SIGNING_KEYS
// set (and JWT_SECRET too, as a deploy that moved to keys has it): session
// tokens forged against the keys are refused on the authenticated routes,
// access tokens forged or misused are refused by a verifier following the
// README, and the published documents hold no private key member.
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
import { createUser, type TestUser } from '../support/users.ts';
import { report, snapshotTables } from './harness.ts';

const seconds = (date = new Date()) => Math.floor(date.getTime() / 1000);
const b64 = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
/** Every JWK member that is private for some key type (RFC 7517, 7518). */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

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
  // Algorithm confusion: the public key, in each form a library might take it, as an HMAC secret.
  for (const [form, secret] of [
    ['PEM', publicPem],
    ['JWK JSON', JSON.stringify(publicJwk)],
    ['x coordinate', Buffer.from(current.x, 'base64url')],
  ] as const) {
    sessionAttacks.set(
      `HS256 signed with the public key (${form}) as the secret`,
      await new SignJWT(claims)
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT', kid: current.kid })
        .sign(new Uint8Array(Buffer.from(secret))),
    );
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
    expect(decodeProtectedHeader(victim.token)).toEqual({ alg: 'ES256', typ: 'JWT', kid: current.kid });
  });
});

describe('ECDSA malleability: (r, s) and (r, n−s) both verify', () => {
  const P256_ORDER = 0xffffffff_00000000_ffffffff_ffffffff_bce6faad_a7179e84_f3b9cac2_fc632551n;
  const signatureS = (jwt: string) => BigInt(`0x${Buffer.from(jwt.split('.')[2]!, 'base64url').subarray(32).toString('hex')}`);
  /** The same token with its signature rewritten as (r, n−s): as valid to ECDSA, not the form issued. */
  const malleated = (jwt: string) => {
    const [head, payload, signature] = jwt.split('.') as [string, string, string];
    const bytes = Buffer.from(signature, 'base64url');
    bytes.write((P256_ORDER - signatureS(jwt)).toString(16).padStart(64, '0'), 32, 'hex');
    return `${head}.${payload}.${bytes.toString('base64url')}`;
  };

  it('a genuine session token with its signature rewritten as (r, n−s) is refused, the genuine one still works', async () => {
    const rewritten = malleated(victim.token);
    // The rewritten signature is valid ECDSA: only the rule on s tells it apart.
    const { d: _d, ...publicJwk } = current;
    await jwtVerify(rewritten, await importJWK(publicJwk, 'ES256'), { typ: 'JWT' });
    expect((await call(me, 'GET', '/api/me', { token: rewritten })).status).toBe(401);
    expect((await call(meSessions, 'GET', '/api/me/sessions', { cookie: `session_id=${rewritten}` })).status).toBe(401);
    expect((await call(token, 'POST', '/api/token', { token: rewritten })).status).toBe(401);
    expect((await call(classicProfile, 'GET', '/profile', { cookie: `session_id=${rewritten}` })).status).toBe(403);
    expect((await call(me, 'GET', '/api/me', { token: victim.token })).status).toBe(200);
  });

  it('every token the service issues carries the low s (s ≤ n/2)', async () => {
    const issued = [victim.token];
    for (let i = 0; i < 16; i++) {
      issued.push((await call(token, 'POST', '/api/token', { token: victim.token })).body.accessToken);
      issued.push((await createUser()).token);
    }
    expect(issued.filter((jwt) => signatureS(jwt) > P256_ORDER >> 1n)).toEqual([]);
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
