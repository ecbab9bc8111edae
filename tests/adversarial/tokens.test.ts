// Forged, altered and dead session tokens, by Bearer header and by cookie, on
// every authenticated route: each one is refused with the very same body
// (401 on /api, 403 on the classic routes), whatever was wrong with it, and
// none of them changes a row.
import { createHmac } from 'node:crypto';
import { generateKeyPair, SignJWT, type JWTPayload } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import classicProfile from '../../netlify/functions/classic-profile.ts';
import classicSessions from '../../netlify/functions/classic-sessions.ts';
import commentsId from '../../netlify/functions/comments-id.ts';
import logout from '../../netlify/functions/logout.ts';
import mePassword from '../../netlify/functions/me-password.ts';
import meProfile from '../../netlify/functions/me-profile.ts';
import meSession from '../../netlify/functions/me-session.ts';
import meSessions from '../../netlify/functions/me-sessions.ts';
import me from '../../netlify/functions/me.ts';
import postComments from '../../netlify/functions/posts-id-comments.ts';
import postsId from '../../netlify/functions/posts-id.ts';
import posts from '../../netlify/functions/posts.ts';
import { setClock } from '../../src/config/clock.ts';
import { addComment } from '../../src/content/comments.ts';
import { createPost } from '../../src/content/posts.ts';
import { getDb } from '../../src/db/connection.ts';
import { call, type CallOptions, type CallResult } from '../support/call.ts';
import { derivedSessionKey } from '../support/session-keys.ts';
import { createUser, type TestUser } from '../support/users.ts';
import { report, snapshotTables, type Handler, type RouteUnderTest } from './harness.ts';

/** The key session tokens are signed with under JWT_SECRET alone (derived from it), and its kid. */
const SECRET = derivedSessionKey(process.env.JWT_SECRET!);
const KID = 'session';
const OTHER_SECRET = new TextEncoder().encode('another-secret-that-is-also-32-bytes-long');
const seconds = (date = new Date()) => Math.floor(date.getTime() / 1000);
const b64 = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

let victim: TestUser;
let other: TestUser;
let targets: { postId: number; commentId: number };
const attacks = new Map<string, string>();
let requests = 0;
/** Every distinct body the refusals had, per surface: one each is the point. */
const refusals = { api: new Set<string>(), classic: new Set<string>() };

/** The victim's claims, as a genuine token carries them. */
const claims = (): JWTPayload => ({ sub: String(victim.user.id), sid: victim.sessionId, iat: seconds(), exp: seconds() + 3600 });

function signed(payload: JWTPayload, key: Uint8Array | CryptoKey = SECRET, alg = 'HS256'): Promise<string> {
  return new SignJWT(payload).setProtectedHeader({ alg, typ: 'JWT', kid: KID }).sign(key);
}

/** Signed by hand with the right key, for headers jose refuses to write. */
function handSigned(header: object, payload: JWTPayload): string {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${createHmac('sha256', SECRET).update(input).digest('base64url')}`;
}

beforeAll(async () => {
  victim = await createUser();
  other = await createUser();
  const post = await createPost(victim.user, { title: 'Target', body: 'Body' });
  targets = { postId: post.id, commentId: (await addComment(victim.user, post.id, { body: 'Target' })).id };
  const [header, payload, signature] = victim.token.split('.') as [string, string, string];

  for (const alg of ['none', 'None', 'NONE', 'nOnE'])
    attacks.set(`alg "${alg}"`, `${b64({ alg, typ: 'JWT', kid: KID })}.${b64(claims())}.`);
  attacks.set('alg "none" with the genuine signature', `${b64({ alg: 'none', typ: 'JWT', kid: KID })}.${payload}.${signature}`);
  attacks.set('signed with another key', await signed(claims(), OTHER_SECRET));
  attacks.set('signed with an empty key', await signed(claims(), new Uint8Array(32)));
  for (const alg of ['HS384', 'HS512']) attacks.set(`algorithm switched to ${alg}, same secret`, await signed(claims(), SECRET, alg));
  for (const alg of ['RS256', 'ES256', 'PS256', 'EdDSA']) {
    attacks.set(`algorithm switched to ${alg}, attacker's key`, await signed(claims(), (await generateKeyPair(alg)).privateKey, alg));
  }
  attacks.set('header says HS512, signed HS256', `${b64({ alg: 'HS512', typ: 'JWT', kid: KID })}.${payload}.${signature}`);
  attacks.set(
    'unknown critical header',
    handSigned({ alg: 'HS256', typ: 'JWT', kid: KID, crit: ['x-bypass'], 'x-bypass': true }, claims()),
  );
  attacks.set('expired', await signed({ ...claims(), iat: seconds() - 7200, exp: seconds() - 3600 }));
  attacks.set('expired a second ago', await signed({ ...claims(), exp: seconds() - 1 }));
  attacks.set('no exp', await signed({ sub: String(victim.user.id), sid: victim.sessionId, iat: seconds() }));
  attacks.set('no iat', await signed({ sub: String(victim.user.id), sid: victim.sessionId, exp: seconds() + 3600 }));
  const { sid: _sid, ...withoutSid } = claims();
  attacks.set('no sid', await signed(withoutSid));
  for (const sid of ['1', 0, -1, 1.5, 2 ** 53, null, [victim.sessionId], { id: victim.sessionId }]) {
    attacks.set(`sid ${JSON.stringify(sid)}`, await signed({ ...claims(), sid } as JWTPayload));
  }
  attacks.set('unknown sid', await signed({ ...claims(), sid: 987_654_321 }));
  attacks.set("another user's sid", await signed({ ...claims(), sid: other.sessionId }));
  const { sub: _sub, ...withoutSub } = claims();
  attacks.set('no sub', await signed(withoutSub));
  for (const sub of ['0', '-1', '01', 'admin', `${victim.user.id}.0`, String(other.user.id)])
    attacks.set(`sub "${sub}"`, await signed({ ...claims(), sub }));
  attacks.set('payload not an object', `${header}.${b64('[1,2]')}.${signature}`);
  attacks.set(
    "another user's payload, the victim's signature",
    `${header}.${b64({ ...claims(), sub: String(other.user.id), sid: other.sessionId })}.${signature}`,
  );

  const revoked = await createUser();
  await call(logout, 'POST', '/api/logout', { token: revoked.token });
  attacks.set('revoked session (logged out)', revoked.token);
  const deleted = await createUser();
  await getDb().deleteFrom('users').where('id', '=', deleted.user.id).execute();
  attacks.set('deleted user', deleted.token);

  const cut = (n: number) => victim.token.slice(0, victim.token.length - n);
  for (const n of [1, 2, 10, signature.length, signature.length + 1]) attacks.set(`cut by ${n}`, cut(n));
  attacks.set('header only', header);
  attacks.set('header and payload', `${header}.${payload}`);
  for (const padding of ['=', '==', 'A', 'AA', '.', '.x', '..']) attacks.set(`padded with "${padding}"`, `${victim.token}${padding}`);
  attacks.set('base64 padding in the signature', `${header}.${payload}.${signature}=`);
  const standard = victim.token.replace(/-/g, '+').replace(/_/g, '/');
  attacks.set('standard base64 alphabet', standard === victim.token ? `${standard}+` : standard);
  attacks.set('five segments (JWE form)', `${victim.token}.x.y`);
  attacks.set('over 2 KiB', await signed({ ...claims(), pad: 'x'.repeat(3000) }));
  const flip = (text: string, at: number) => `${text.slice(0, at)}${text[at] === 'A' ? 'B' : 'A'}${text.slice(at + 1)}`;
  attacks.set('one character of the payload changed', `${header}.${flip(payload, 5)}.${signature}`);
  attacks.set('one character of the signature changed', `${header}.${payload}.${flip(signature, 3)}`);
  // A 32-byte signature is 43 characters: the last one carries 2 unused bits, so 3 other characters decode to the same bytes.
  const last = 'AEIMQUYcgkosw048'.indexOf(signature.at(-1)!);
  const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  attacks.set('unused bits of the signature set', `${header}.${payload}.${signature.slice(0, -1)}${B64URL[last * 4 + 1]}`);
});

afterEach(() => setClock());
afterAll(() =>
  report('token attacks', {
    tokens: attacks.size,
    requests,
    'distinct refusal bodies': { api: refusals.api.size, classic: refusals.classic.size },
  }),
);

/** Every authenticated route, with a body that would succeed for the genuine token. */
function routes(): [string, RouteUnderTest['style'], Handler, string, string, Pick<CallOptions, 'json'>][] {
  const { postId, commentId } = targets;
  return [
    ['GET /api/me', 'api', me, 'GET', '/api/me', {}],
    ['GET /api/me/sessions', 'api', meSessions, 'GET', '/api/me/sessions', {}],
    ['PATCH /api/me/profile', 'api', meProfile, 'PATCH', '/api/me/profile', { json: { bio: 'Taken over' } }],
    [
      'PUT /api/me/password',
      'api',
      mePassword,
      'PUT',
      '/api/me/password',
      { json: { currentPassword: victim.password, newPassword: 'Taken-Over-Pass-91!' } },
    ],
    ['DELETE /api/me/sessions/{id}', 'api', meSession, 'DELETE', `/api/me/sessions/${victim.sessionId}`, {}],
    ['POST /api/logout', 'api', logout, 'POST', '/api/logout', {}],
    ['POST /api/posts', 'api', posts, 'POST', '/api/posts', { json: { title: 'Forged', body: 'Forged' } }],
    ['PATCH /api/posts/{id}', 'api', postsId, 'PATCH', `/api/posts/${postId}`, { json: { title: 'Forged' } }],
    ['DELETE /api/posts/{id}', 'api', postsId, 'DELETE', `/api/posts/${postId}`, {}],
    ['POST /api/posts/{id}/comments', 'api', postComments, 'POST', `/api/posts/${postId}/comments`, { json: { body: 'Forged' } }],
    ['DELETE /api/comments/{id}', 'api', commentsId, 'DELETE', `/api/comments/${commentId}`, {}],
    ['GET /profile', 'classic', classicProfile, 'GET', '/profile', {}],
    ['DELETE /sessions', 'classic', classicSessions, 'DELETE', '/sessions', {}],
  ];
}

async function send(handler: Handler, method: string, path: string, options: CallOptions): Promise<CallResult> {
  requests += 1;
  return call(handler, method, path, options);
}

describe('session token attacks', () => {
  it('refuses every forged, altered or dead token on every authenticated route with one body, and changes nothing', async () => {
    const before = await snapshotTables();
    const failures: string[] = [];
    for (const [name, style, handler, method, path, body] of routes()) {
      const refused = style === 'api' ? 401 : 403;
      for (const [attack, token] of attacks) {
        for (const via of [{ token }, { cookie: `session_id=${token}` }]) {
          const res = await send(handler, method, path, { ...body, ...via });
          refusals[style].add(res.text);
          if (res.status !== refused)
            failures.push(`${name}, ${attack}, ${'token' in via ? 'Bearer' : 'cookie'}: ${res.status} ${res.text}`);
        }
      }
    }
    expect(failures).toEqual([]);
    expect([...refusals.api]).toEqual([
      JSON.stringify({ error: { code: 'unauthenticated', message: 'Authentication is required: send a valid token.' } }),
    ]);
    expect(refusals.classic.size).toBe(1);
    expect(await snapshotTables()).toBe(before);
    // The genuine token still works, so the refusals above were the tokens' doing.
    expect((await send(me, 'GET', '/api/me', { token: victim.token })).status).toBe(200);
    expect((await send(classicProfile, 'GET', '/profile', { cookie: `session_id=${victim.token}` })).status).toBe(200);
  });

  it('refuses a genuine token once it expires, even after it was verified while valid', async () => {
    const { user, sessionId } = await createUser();
    const token = await signed({ sub: String(user.id), sid: sessionId, iat: seconds(), exp: seconds() + 60 });
    expect((await send(me, 'GET', '/api/me', { token })).status).toBe(200);
    setClock(() => new Date(Date.now() + 61_000));
    const res = await send(me, 'GET', '/api/me', { token });
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ error: { code: 'unauthenticated', message: 'Authentication is required: send a valid token.' } });
  });
});
