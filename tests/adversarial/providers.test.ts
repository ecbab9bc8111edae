// Signing in at another provider, attacked: each case is refused by a guard
// of src/auth/providers (or by the provider, for PKCE), with nothing written.
// The certified provider (oidc-provider, tests/support/oidc-provider.ts)
// serves the cases it can be made to take part in; a hostile issuer served by
// msw (https://idp.test: discovery, keys, token endpoint) hands out the ID
// tokens an honest provider never would, signed with jose. Then how they meet
// the rest: the start's own counter, a link under way against a password reset
// or change and a deletion, an account a provider made on the classic routes,
// an e-mail change.
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import { delay, http, HttpResponse } from 'msw';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import adminUsers from '../../netlify/functions/admin-users.ts';
import callbackFn from '../../netlify/functions/auth-provider-callback.ts';
import startFn from '../../netlify/functions/auth-provider-start.ts';
import classicProfile from '../../netlify/functions/classic-profile.ts';
import classicReset from '../../netlify/functions/classic-reset-password.ts';
import classicSessions from '../../netlify/functions/classic-sessions.ts';
import loginFn from '../../netlify/functions/login.ts';
import meFn from '../../netlify/functions/me.ts';
import meEmailConfirm from '../../netlify/functions/me-email-confirm.ts';
import meEmail from '../../netlify/functions/me-email.ts';
import identitiesFn from '../../netlify/functions/me-identities.ts';
import mePassword from '../../netlify/functions/me-password.ts';
import forgot from '../../netlify/functions/password-forgot.ts';
import reset from '../../netlify/functions/password-reset.ts';
import { getDb } from '../../src/db/connection.ts';
import { createAdmin } from '../support/admin.ts';
import { call, type CallResult } from '../support/call.ts';
import { envForFile, envPerTest } from '../support/env.ts';
import { approveAt, CLIENT_ID, cookieSet, startAt, startLocalProvider, type LocalProvider } from '../support/oidc-provider.ts';
import { outbound } from '../support/outbound-http.ts';
import { countStatements } from '../support/statements.ts';
import { createUser, STRONG_PASSWORD, type TestUser, uniqueName } from '../support/users.ts';

const HOSTILE = 'https://idp.test';
const NEW_PASSWORD = 'Copper-Lantern-26#';
const DOWN = 'https://down.test';

let idp: LocalProvider;
const env: Record<string, string> = {};
beforeAll(async () => {
  idp = await startLocalProvider();
  Object.assign(env, idp.env, {
    OIDC_PROVIDERS: 'local,hostile,down',
    OIDC_HOSTILE_ISSUER: HOSTILE,
    OIDC_HOSTILE_CLIENT_ID: CLIENT_ID,
    OIDC_HOSTILE_CLIENT_SECRET: 'hostile-secret',
    OIDC_DOWN_ISSUER: DOWN,
    OIDC_DOWN_CLIENT_ID: CLIENT_ID,
    OIDC_DOWN_CLIENT_SECRET: 'down-secret',
    // Room for the provider run in this process on busy cores; the slow ones below take longer still.
    IDENTITY_PROVIDER_TIMEOUT: '1500ms',
  });
});
afterAll(() => idp.close());
envForFile(env);

const signing = await generateKeyPair('ES256');
const stranger = await generateKeyPair('ES256');
const published: JWK = { ...(await exportJWK(signing.publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };

/** What the hostile token endpoint answers next: the ID token (made with the start's nonce), or a whole response. */
let answer: (nonce: string) => Promise<Response> = async () => HttpResponse.json({});
let lastNonce = '';

beforeEach(() => {
  outbound.use(
    http.get(`${HOSTILE}/.well-known/openid-configuration`, () =>
      HttpResponse.json({
        issuer: HOSTILE,
        authorization_endpoint: `${HOSTILE}/authorize`,
        token_endpoint: `${HOSTILE}/token`,
        jwks_uri: `${HOSTILE}/jwks`,
        response_types_supported: ['code'],
        id_token_signing_alg_values_supported: ['ES256'],
      }),
    ),
    http.get(`${HOSTILE}/jwks`, () => HttpResponse.json({ keys: [published] })),
    http.post(`${HOSTILE}/token`, () => answer(lastNonce)),
  );
});

const now = () => Math.floor(Date.now() / 1000);
const validClaims = (nonce: string, subject: string) => ({
  iss: HOSTILE,
  aud: CLIENT_ID,
  sub: subject,
  nonce,
  iat: now(),
  exp: now() + 300,
  email: `${subject}@example.org`,
  email_verified: true,
});

const tokenResponse = (idToken: string) =>
  HttpResponse.json({ access_token: 'at', token_type: 'Bearer', expires_in: 60, id_token: idToken });

async function signed(claims: Record<string, unknown>, key = signing.privateKey, kid = 'k1'): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: 'ES256', kid }).sign(key);
}

/** A link from `user`'s account page to the hostile issuer, started: its callback, to call when the test wants. */
async function startLink(user: TestUser): Promise<() => Promise<CallResult>> {
  const started = await call(identitiesFn, 'POST', '/api/me/identities', {
    token: user.token,
    json: { provider: 'hostile', password: user.password },
  });
  expect(started.status, started.text).toBe(200);
  const state = cookieSet(started, 'federation_state')!;
  const nonce = new URL(started.body.location).searchParams.get('nonce')!;
  return () => {
    lastNonce = nonce;
    return call(callbackFn, 'GET', `/api/auth/hostile/callback?code=c&state=${state}`, { cookie: `federation_state=${state}` });
  };
}

/** A sign-in at the hostile issuer, up to its callback with the code it "issued". */
async function hostileCallback(): Promise<CallResult> {
  const { location, state } = await startAt('hostile');
  lastNonce = new URL(location).searchParams.get('nonce')!;
  return call(callbackFn, 'GET', `/api/auth/hostile/callback?code=c0de&state=${state}`, { cookie: `federation_state=${state}` });
}

const count = async (table: 'users' | 'federated_identities' | 'sessions') =>
  Number(
    (
      await getDb()
        .selectFrom(table)
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

/** Runs `attack` and checks it wrote no account, identity or session. */
async function nothingWritten(attack: () => Promise<CallResult>): Promise<CallResult> {
  const before = [await count('users'), await count('federated_identities'), await count('sessions')];
  const res = await attack();
  expect([await count('users'), await count('federated_identities'), await count('sessions')]).toEqual(before);
  expect(cookieSet(res, 'session_id')).toBeUndefined();
  return res;
}

const refused = (res: CallResult, status: number, code: string) =>
  expect([res.status, res.body?.error?.code], res.text).toEqual([status, code]);

/**
 * A refused callback: to the login page (a link's: the account page) with the
 * stable code only (no provider text, no token), no-store, the state cookie cleared.
 */
function sentBack(res: CallResult, code: string, page: 'login' | 'account' = 'login') {
  expect([res.status, res.headers.get('location'), res.headers.get('cache-control')], res.text).toEqual([
    302,
    `http://localhost:8888/app/${page}?error=${code}`,
    'no-store',
  ]);
  expect(cookieSet(res, 'federation_state')).toBe('');
}

describe('the state', () => {
  it('refuses a callback without this browser’s state cookie, or with another sign-in’s (login CSRF)', async () => {
    idp.accounts.set('sub-csrf', { email: `${uniqueName('csrf')}@example.org`, email_verified: true });
    const attacker = await startAt('local');
    const back = await approveAt(attacker.location, 'sub-csrf');
    const victim = await startAt('local');
    sentBack(await nothingWritten(() => call(callbackFn, 'GET', back)), 'federation_failed');
    sentBack(
      await nothingWritten(() => call(callbackFn, 'GET', back, { cookie: `federation_state=${victim.state}` })),
      'federation_failed',
    );
  });

  it('refuses a state nobody issued, and a replayed one', async () => {
    sentBack(
      await nothingWritten(() =>
        call(callbackFn, 'GET', '/api/auth/local/callback?code=x&state=forged', { cookie: 'federation_state=forged' }),
      ),
      'federation_failed',
    );
    idp.accounts.set('sub-replay', { email: `${uniqueName('replay')}@example.org`, email_verified: true });
    const { location, state } = await startAt('local');
    const back = await approveAt(location, 'sub-replay');
    const first = await call(callbackFn, 'GET', back, { cookie: `federation_state=${state}` });
    expect(first.status).toBe(302);
    sentBack(await nothingWritten(() => call(callbackFn, 'GET', back, { cookie: `federation_state=${state}` })), 'federation_failed');
  });

  it('refuses a state started for another provider', async () => {
    const { state } = await startAt('local');
    sentBack(
      await nothingWritten(() =>
        call(callbackFn, 'GET', `/api/auth/hostile/callback?code=x&state=${state}`, { cookie: `federation_state=${state}` }),
      ),
      'federation_failed',
    );
  });
});

describe('PKCE', () => {
  it('a code issued to another sign-in cannot be redeemed without its verifier', async () => {
    idp.accounts.set('sub-pkce', { email: `${uniqueName('pkce')}@example.org`, email_verified: true });
    // The attacker's code (their own sign-in), injected into the victim's callback with the victim's state.
    const attacker = await startAt('local');
    const code = new URL(await approveAt(attacker.location, 'sub-pkce'), 'http://x').searchParams.get('code')!;
    const victim = await startAt('local');
    const res = await nothingWritten(() =>
      call(callbackFn, 'GET', `/api/auth/local/callback?code=${code}&state=${victim.state}&iss=${encodeURIComponent(idp.issuer)}`, {
        cookie: `federation_state=${victim.state}`,
      }),
    );
    sentBack(res, 'federation_failed');
  });

  it('the provider refuses an authorization request without a code challenge', async () => {
    const { location } = await startAt('local');
    const stripped = new URL(location);
    stripped.searchParams.delete('code_challenge');
    stripped.searchParams.delete('code_challenge_method');
    const res = await fetch(stripped, { redirect: 'manual' });
    const back = new URL(res.headers.get('location')!, stripped);
    expect(back.searchParams.get('error')).toBe('invalid_request');
  });
});

describe('the ID token', () => {
  it('signs in with a valid one (the harness works)', async () => {
    answer = async (nonce) => tokenResponse(await signed(validClaims(nonce, uniqueName('valid'))));
    expect((await hostileCallback()).status).toBe(302);
  });

  const cases: [string, (nonce: string) => Promise<string>][] = [
    ['another aud', async (nonce) => signed({ ...validClaims(nonce, 'aud'), aud: 'another-client' })],
    ['an old exp', async (nonce) => signed({ ...validClaims(nonce, 'exp'), iat: now() - 3600, exp: now() - 1800 })],
    ['another nonce', async () => signed(validClaims('not-the-nonce-we-sent', 'nonce'))],
    ['another iss', async (nonce) => signed({ ...validClaims(nonce, 'iss'), iss: 'https://elsewhere.test' })],
    [
      'alg none',
      async (nonce) =>
        `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${Buffer.from(JSON.stringify(validClaims(nonce, 'none'))).toString('base64url')}.`,
    ],
    ['a key not in the issuer’s set', async (nonce) => signed(validClaims(nonce, 'stranger'), stranger.privateKey, 'k9')],
    ['a key not in the set under a published kid', async (nonce) => signed(validClaims(nonce, 'forged'), stranger.privateKey, 'k1')],
  ];
  for (const [name, make] of cases) {
    it(`refuses ${name}`, async () => {
      answer = async (nonce) => tokenResponse(await make(nonce));
      sentBack(await nothingWritten(hostileCallback), 'federation_failed');
    });
  }
});

describe('linking', () => {
  it('an unverified e-mail equal to an existing account’s never joins it', async () => {
    const owner = await createUser();
    answer = async (nonce) =>
      tokenResponse(await signed({ ...validClaims(nonce, uniqueName('squat')), email: owner.user.email, email_verified: false }));
    sentBack(await nothingWritten(hostileCallback), 'identity_email_taken');
  });

  it('a verified e-mail equal to an account’s unproven one never joins it', async () => {
    const owner = await createUser({ proven: false });
    answer = async (nonce) => tokenResponse(await signed({ ...validClaims(nonce, uniqueName('squat')), email: owner.user.email }));
    sentBack(await nothingWritten(hostileCallback), 'identity_email_taken');
  });

  it('an identity another account has cannot be linked to this one', async () => {
    const subject = uniqueName('taken');
    answer = async (nonce) => tokenResponse(await signed(validClaims(nonce, subject)));
    expect((await hostileCallback()).status).toBe(302);
    const other = await createUser();
    const link = await startLink(other);
    sentBack(await nothingWritten(link), 'identity_taken', 'account');
  });

  it('an account whose address nobody proved links no identity: 403 email_unverified before the password, nothing kept', async () => {
    const squatter = await createUser({ proven: false });
    const pending = () => getDb().selectFrom('federated_sign_ins').select('id').execute();
    const before = (await pending()).length;
    const res = await call(identitiesFn, 'POST', '/api/me/identities', {
      token: squatter.token,
      json: { provider: 'hostile', password: 'not-even-the-password' },
    });
    refused(res, 403, 'email_unverified');
    expect(cookieSet(res, 'federation_state')).toBeUndefined();
    expect((await pending()).length).toBe(before);
  });

  it("the owner's reset of an address nobody had proved removes the identity it was made with: that sign-in gets in no more", async () => {
    const email = `${uniqueName('victim')}@example.com`;
    answer = async (nonce) =>
      tokenResponse(await signed({ ...validClaims(nonce, uniqueName('unverified')), email, email_verified: false }));
    expect(cookieSet(await hostileCallback(), 'session_id')).toBeTruthy();
    const asked = await call(forgot, 'POST', '/api/password/forgot', { json: { email } });
    const done = await call(reset, 'POST', '/api/password/reset', { json: { token: asked.body.token, password: 'Copper-Lantern-26#' } });
    expect(done.status, done.text).toBe(200);
    const account = await getDb().selectFrom('users').select('id').where('email', '=', email).executeTakeFirstOrThrow();
    const identities = await getDb().selectFrom('federated_identities').select('id').where('user_id', '=', account.id).execute();
    expect(identities).toEqual([]);
    const kinds = await getDb().selectFrom('security_events').select('kind').where('user_id', '=', account.id).execute();
    expect(kinds.map((k) => k.kind)).toContain('identity_unlinked');
    // The same provider account again: no identity, and an unverified e-mail never joins an account.
    sentBack(await nothingWritten(hostileCallback), 'identity_email_taken');
  });

  it('a session from a provider is aal1: no admin route without a second factor', async () => {
    const admin = await createAdmin();
    answer = async (nonce) => tokenResponse(await signed({ ...validClaims(nonce, uniqueName('admin')), email: admin.user.email }));
    const res = await hostileCallback();
    const res2 = await call(adminUsers, 'GET', '/api/admin/users', { cookie: `session_id=${cookieSet(res, 'session_id')}` });
    refused(res2, 403, 'aal2_required');
  });
});

describe('a provider that fails', () => {
  it('answering 500 at its token endpoint: a clear 503, nothing written', async () => {
    answer = async () => new HttpResponse('oops', { status: 500 });
    sentBack(await nothingWritten(hostileCallback), 'provider_unavailable');
  });

  it('answering too slowly: a time-out, a clear 503, nothing written', async () => {
    answer = async (nonce) => {
      await delay(3_000);
      return tokenResponse(await signed(validClaims(nonce, 'slow')));
    };
    sentBack(await nothingWritten(hostileCallback), 'provider_unavailable');
  });

  it('down at discovery: the start is a 503 and keeps no pending sign-in', async () => {
    for (const handler of [
      () => new HttpResponse('down', { status: 500 }),
      async () => {
        await delay(3_000);
        return HttpResponse.json({});
      },
    ]) {
      outbound.use(http.get(`${DOWN}/.well-known/openid-configuration`, handler));
      const pending = await getDb().selectFrom('federated_sign_ins').select('id').execute();
      const res = await call(startFn, 'GET', '/api/auth/down/start');
      refused(res, 503, 'provider_unavailable');
      expect(await getDb().selectFrom('federated_sign_ins').select('id').execute()).toEqual(pending);
    }
  });
});

describe('the return path', () => {
  const attempts = [
    'https://evil.example/',
    '//evil.example/',
    '/\\evil.example',
    '/\t/evil.example',
    'javascript:alert(1)',
    'evil',
    '/%0d%0aSet-Cookie:x=1'.replace('%0d%0a', '\r\n'),
  ];
  for (const returnTo of attempts) {
    it(`refuses ${JSON.stringify(returnTo)} before anything is kept`, async () => {
      const before = await getDb().selectFrom('federated_sign_ins').select('id').execute();
      const res = await call(startFn, 'GET', `/api/auth/local/start?returnTo=${encodeURIComponent(returnTo)}`);
      expect([res.status, Object.keys(res.body.error.details)]).toEqual([400, ['returnTo']]);
      expect(await getDb().selectFrom('federated_sign_ins').select('id').execute()).toEqual(before);
    });
  }
});

describe('the start', () => {
  const env = envPerTest();
  const pending = () => getDb().selectFrom('federated_sign_ins').select('id').orderBy('id').execute();

  it('an address gets 5 × RATE_LIMIT_LOGIN_IP starts in its window: the next goes to the login page (Retry-After), keeps no row and sets no cookie, in its 1 statement; another address is not affected', async () => {
    env({ RATE_LIMIT_LOGIN_IP: '2/15m' });
    const ip = '198.51.100.61';
    for (let i = 0; i < 10; i++) await startAt('local', undefined, ip);
    const before = await pending();
    const { result: res, statements } = await countStatements(() => call(startFn, 'GET', '/api/auth/local/start', { ip }));
    expect([res.status, res.headers.get('location'), res.headers.get('cache-control'), statements], res.text).toEqual([
      302,
      'http://localhost:8888/app/login?error=rate_limited',
      'no-store',
      1,
    ]);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(Number(res.headers.get('retry-after'))).toBeLessThanOrEqual(15 * 60);
    expect(res.headers.getSetCookie()).toEqual([]);
    expect(await pending()).toEqual(before);
    // Another provider from the same address: the same counter.
    expect((await call(startFn, 'GET', '/api/auth/hostile/start', { ip })).headers.get('location')).toMatch(/error=rate_limited$/);
    await startAt('local', undefined, '198.51.100.62');
    expect((await pending()).length).toBe(before.length + 1);
  });
});

describe('a link under way', () => {
  /** The hostile issuer's next ID token: `subject`, at an address no account has (only a link joins it). */
  const asserting = (subject: string) => {
    answer = async (nonce) => tokenResponse(await signed({ ...validClaims(nonce, subject), email: `${subject}@elsewhere.example` }));
  };

  it('dies with a password reset or change: started with the old password, it would be a way in that outlives them', async () => {
    const owner = await createUser();
    asserting(uniqueName('late'));
    const beforeReset = await startLink(owner);
    const asked = await call(forgot, 'POST', '/api/password/forgot', { json: { email: owner.user.email } });
    const done = await call(reset, 'POST', '/api/password/reset', { json: { token: asked.body.token, password: NEW_PASSWORD } });
    expect(done.status, done.text).toBe(200);
    sentBack(await nothingWritten(beforeReset), 'federation_failed');

    const again = await createUser();
    const beforeChange = await startLink(again);
    const changed = await call(mePassword, 'PUT', '/api/me/password', {
      token: again.token,
      json: { currentPassword: again.password, newPassword: NEW_PASSWORD },
    });
    expect(changed.status, changed.text).toBe(200);
    sentBack(await nothingWritten(beforeChange), 'federation_failed');
  });

  it('dies with the account: its deletion takes the pending link, and the callback links nothing', async () => {
    const owner = await createUser();
    asserting(uniqueName('orphan'));
    const link = await startLink(owner);
    expect((await call(meFn, 'DELETE', '/api/me', { token: owner.token, json: { password: owner.password } })).status).toBe(204);
    sentBack(await nothingWritten(link), 'federation_failed');
  });
});

describe('an account a provider made', () => {
  it('has no password on either surface until a reset sets one (the classic one too); its session works on the classic routes; its identity stays', async () => {
    const subject = uniqueName('classic');
    const email = `${subject}@example.org`;
    answer = async (nonce) => tokenResponse(await signed(validClaims(nonce, subject)));
    const made = await hostileCallback();
    const session = cookieSet(made, 'session_id')!;
    const profile = await call(classicProfile, 'GET', '/profile', { cookie: `session_id=${session}` });
    expect([profile.status, profile.body]).toEqual([200, { email }]);
    for (const password of ['!no-password', STRONG_PASSWORD]) {
      expect((await call(classicSessions, 'POST', '/sessions', { json: { email, password } })).status).toBe(401);
      refused(await call(loginFn, 'POST', '/api/login', { json: { email, password } }), 401, 'invalid_credentials');
    }
    const asked = await call(classicReset, 'POST', '/reset_password', { json: { email } });
    const done = await call(classicReset, 'PUT', '/reset_password', {
      json: { email, reset_token: asked.body.reset_token, new_password: NEW_PASSWORD },
    });
    expect(done.status, done.text).toBe(200);
    expect((await call(classicSessions, 'POST', '/sessions', { json: { email, password: NEW_PASSWORD } })).status).toBe(200);
    // The reset ended the provider's session, not the identity: it signs in again.
    expect((await call(classicProfile, 'GET', '/profile', { cookie: `session_id=${session}` })).status).toBe(403);
    expect(cookieSet(await hostileCallback(), 'session_id')).toBeDefined();
  });
});

describe('an e-mail change', () => {
  it('moves the account, not its identity: the identity still signs in to it, and a verified old address joins it no more', async () => {
    const owner = await createUser();
    const subject = uniqueName('mover');
    answer = async (nonce) => tokenResponse(await signed({ ...validClaims(nonce, subject), email: owner.user.email }));
    expect((await hostileCallback()).status).toBe(302);
    const moved = `moved-${owner.user.username}@example.org`;
    const asked = await call(meEmail, 'POST', '/api/me/email', { token: owner.token, json: { email: moved, password: owner.password } });
    expect(asked.status, asked.text).toBe(202);
    expect((await call(meEmailConfirm, 'POST', `/api/me/email/confirm/${asked.body.code}`)).status).toBe(200);

    const again = await hostileCallback();
    const me = await call(meFn, 'GET', '/api/me', { token: cookieSet(again, 'session_id')! });
    expect([me.body.user.id, me.body.user.email]).toEqual([owner.user.id, moved]);
    // Another identity verified at the old address: that address is nobody's now, so it makes a new account.
    answer = async (nonce) => tokenResponse(await signed({ ...validClaims(nonce, uniqueName('old')), email: owner.user.email }));
    const other = await call(meFn, 'GET', '/api/me', { token: cookieSet(await hostileCallback(), 'session_id')! });
    expect(other.body.user.id).not.toBe(owner.user.id);
  });
});
