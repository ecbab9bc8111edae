// Signing in at another identity provider, against a certified OpenID
// Provider run locally (tests/support/oidc-provider.ts): the flow, the
// linking rules, the identities on the account, and how it meets the rest
// (second factor, reset, deletion), with each route's statements.
import { http, HttpResponse } from 'msw';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import callbackFn from '../../netlify/functions/auth-provider-callback.ts';
import providersFn from '../../netlify/functions/auth-providers.ts';
import loginMfa from '../../netlify/functions/login-mfa.ts';
import meFn from '../../netlify/functions/me.ts';
import identitiesFn from '../../netlify/functions/me-identities.ts';
import identityById from '../../netlify/functions/me-identities-id.ts';
import currentSession from '../../netlify/functions/me-current-session.ts';
import forgot from '../../netlify/functions/password-forgot.ts';
import reset from '../../netlify/functions/password-reset.ts';
import { ConfigError, setting } from '../../src/config/settings.ts';
import { getDb } from '../../src/db/connection.ts';
import { call, type CallResult } from '../support/call.ts';
import { envForFile, envPerTest } from '../support/env.ts';
import { codeAt, enableMfa } from '../support/mfa.ts';
import { approveAt, cookieSet, startAt, startLocalProvider, type LocalProvider } from '../support/oidc-provider.ts';
import { outbound } from '../support/outbound-http.ts';
import { countStatements, measured, stated } from '../support/statements.ts';
import { createUser, STRONG_PASSWORD, uniqueName } from '../support/users.ts';

let idp: LocalProvider;
const env: Record<string, string> = {};
beforeAll(async () => {
  idp = await startLocalProvider();
  Object.assign(env, idp.env, { GITHUB_CLIENT_ID: 'gh-client', GITHUB_CLIENT_SECRET: 'gh-secret' });
});
afterAll(() => idp.close());
// The issuer's port is known only once it listens: the file's settings follow it.
envForFile(new Proxy(env, {}) as Record<string, string>);

/** A whole sign-in as `account` of the local provider: the callback's answer and the statements it ran. */
async function signIn(account: string, returnTo?: string): Promise<{ res: CallResult; statements: number }> {
  const { location, state } = await startAt('local', returnTo);
  const back = await approveAt(location, account);
  const { result, statements } = await countStatements(() => call(callbackFn, 'GET', back, { cookie: `federation_state=${state}` }));
  return { res: result, statements };
}

const sessionOf = (res: CallResult) => cookieSet(res, 'session_id')!;

describe('providers', () => {
  it('lists the configured providers for the buttons', async () => {
    const [status, statements] = await measured(() => call(providersFn, 'GET', '/api/auth/providers'));
    expect([status, statements]).toEqual([200, stated('auth-providers', 'GET')]);
    const res = await call(providersFn, 'GET', '/api/auth/providers');
    expect(res.body).toEqual({
      items: [
        { id: 'local', name: 'Local provider', startUrl: '/api/auth/local/start' },
        { id: 'github', name: 'GitHub', startUrl: '/api/auth/github/start' },
      ],
    });
  });

  it('starts with PKCE (S256), state and nonce, one pending row, and the state in a cookie', async () => {
    const { res, location, state } = await startAt('local', '/app/account');
    const url = new URL(location);
    expect(url.origin).toBe(idp.issuer);
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      client_id: 'auth-service',
      response_type: 'code',
      redirect_uri: 'http://localhost:8888/api/auth/local/callback',
      code_challenge_method: 'S256',
      state,
    });
    expect(url.searchParams.get('nonce')).toMatch(/^[\w-]{40,}$/);
    expect(res.headers.getSetCookie()[0]).toMatch(/^federation_state=[\w-]+; HttpOnly; SameSite=Lax; Path=\/api\/auth; Max-Age=600$/);
    const rows = await getDb().selectFrom('federated_sign_ins').select(['return_to', 'code_verifier']).execute();
    expect(rows.some((row) => row.return_to === '/app/account')).toBe(true);
  });
});

describe('the first sign-in', () => {
  it('makes a new account: username as the classic route derives it, mailbox proven when verified, amr fed at aal1', async () => {
    const email = `${uniqueName('Ada.Lovelace')}@example.org`;
    idp.accounts.set('sub-new', { email, email_verified: true });
    const { res, statements } = await signIn('sub-new', '/app/account');
    expect(res.status, res.text).toBe(302);
    expect(res.headers.get('location')).toBe('/app/account');
    // The pending sign-in, the look-up, a free username, the account, the session.
    expect(statements).toBe(5);
    const token = sessionOf(res);
    const me = await call(meFn, 'GET', '/api/me', { token });
    expect(me.body.user).toMatchObject({
      email: email.toLowerCase(),
      emailVerified: true,
      username: email
        .split('@')[0]!
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, '_'),
    });
    const session = await call(currentSession, 'GET', '/api/me/session', { token });
    expect(session.body.session).toMatchObject({ amr: ['fed'], aal: 'aal1' });
    const user = await getDb()
      .selectFrom('users')
      .select(['password_hash', 'confirmed_at'])
      .where('email', '=', email.toLowerCase())
      .executeTakeFirstOrThrow();
    expect(user.password_hash).toBe('!no-password');
    expect(user.confirmed_at).not.toBeNull();

    // Again: the identity signs in, 3 statements as declared, login_succeeded in the trail.
    const again = await signIn('sub-new');
    expect([again.res.status, again.statements]).toEqual([302, stated('auth-provider-callback', 'GET')]);
    expect(again.res.headers.get('location')).toBe('/app/');
    const kinds = await getDb()
      .selectFrom('security_events as e')
      .innerJoin('users as u', 'u.id', 'e.user_id')
      .select('e.kind')
      .where('u.email', '=', email.toLowerCase())
      .orderBy('e.id')
      .execute();
    expect(kinds.map((k) => k.kind)).toEqual(['identity_linked', 'login_succeeded']);
  });

  it('leaves the mailbox unproven when the provider does not verify it', async () => {
    const email = `${uniqueName('unverified')}@example.org`;
    idp.accounts.set('sub-unverified', { email, email_verified: false });
    const { res } = await signIn('sub-unverified');
    expect(res.status).toBe(302);
    const me = await call(meFn, 'GET', '/api/me', { token: sessionOf(res) });
    expect(me.body.user.emailVerified).toBe(false);
  });

  it('joins the account whose proven mailbox the provider verified', async () => {
    const owner = await createUser();
    idp.accounts.set('sub-join', { email: owner.user.email.toUpperCase(), email_verified: true });
    const { res, statements } = await signIn('sub-join');
    expect([res.status, statements]).toEqual([302, 3]);
    const me = await call(meFn, 'GET', '/api/me', { token: sessionOf(res) });
    expect(me.body.user.id).toBe(owner.user.id);
    const list = await call(identitiesFn, 'GET', '/api/me/identities', { token: owner.token });
    expect(list.body.items).toEqual([
      expect.objectContaining({ provider: 'local', providerName: 'Local provider', email: owner.user.email }),
    ]);
  });

  it('answers the second step for an account with TOTP, and the step ends at aal2 with amr fed + otp', async () => {
    const owner = await createUser();
    const { secret } = await enableMfa(owner.token);
    idp.accounts.set('sub-mfa', { email: owner.user.email, email_verified: true });
    const { res } = await signIn('sub-mfa', '/app/account');
    expect(res.status).toBe(302);
    expect(cookieSet(res, 'session_id')).toBeUndefined();
    const fragment = new URLSearchParams(res.headers.get('location')!.split('#')[1]);
    expect(res.headers.get('location')).toMatch(/^http:\/\/localhost:8888\/app\/login#/);
    expect(fragment.get('returnTo')).toBe('/app/account');
    const step = await call(loginMfa, 'POST', '/api/login/mfa', { json: { mfaToken: fragment.get('mfaToken'), code: codeAt(secret) } });
    expect(step.status, step.text).toBe(200);
    const session = await call(currentSession, 'GET', '/api/me/session', { token: step.body.token });
    expect(session.body.session).toMatchObject({ amr: ['fed', 'otp'], aal: 'aal2' });
  });
});

describe('identities on the account', () => {
  it('links from the account page with the password (step-up), lists, and unlinks', async () => {
    const owner = await createUser();
    idp.accounts.set('sub-link', { email: 'someone-else@example.net', email_verified: false });
    const [status, statements] = await measured(() =>
      call(identitiesFn, 'POST', '/api/me/identities', {
        token: owner.token,
        json: { provider: 'local', password: owner.password, returnTo: '/app/account' },
      }),
    );
    expect([status, statements]).toEqual([200, stated('me-identities', 'POST')]);
    const started = await call(identitiesFn, 'POST', '/api/me/identities', {
      token: owner.token,
      json: { provider: 'local', password: owner.password, returnTo: '/app/account' },
    });
    const back = await approveAt(started.body.location, 'sub-link');
    const linked = await call(callbackFn, 'GET', back, { cookie: `federation_state=${cookieSet(started, 'federation_state')}` });
    expect(linked.status, linked.text).toBe(302);
    expect(linked.headers.get('location')).toBe('/app/account');
    expect(cookieSet(linked, 'session_id')).toBeUndefined();

    const [listed, listStatements] = await measured(() => call(identitiesFn, 'GET', '/api/me/identities', { token: owner.token }));
    expect([listed, listStatements]).toEqual([200, stated('me-identities', 'GET')]);
    const { body } = await call(identitiesFn, 'GET', '/api/me/identities', { token: owner.token });
    expect(body.items).toHaveLength(1);
    expect(body.items[0].email).toBe('someone-else@example.net');

    // The identity now signs in to this account, though its e-mail is not the account's.
    const viaIdentity = await signIn('sub-link');
    const me = await call(meFn, 'GET', '/api/me', { token: sessionOf(viaIdentity.res) });
    expect(me.body.user.id).toBe(owner.user.id);

    const wrong = await call(identityById, 'DELETE', `/api/me/identities/${body.items[0].id}`, {
      token: owner.token,
      json: { password: 'Wrong-Password-99!' },
    });
    expect(wrong.status).toBe(400);
    const [removed, removeStatements] = await measured(() =>
      call(identityById, 'DELETE', `/api/me/identities/${body.items[0].id}`, { token: owner.token, json: { password: owner.password } }),
    );
    expect([removed, removeStatements]).toEqual([204, stated('me-identities-id', 'DELETE')]);
    expect((await call(identitiesFn, 'GET', '/api/me/identities', { token: owner.token })).body.items).toEqual([]);
  });

  it('asks the second factor to link on an account with TOTP', async () => {
    const owner = await createUser();
    await enableMfa(owner.token);
    const res = await call(identitiesFn, 'POST', '/api/me/identities', {
      token: owner.token,
      json: { provider: 'local', password: owner.password },
    });
    expect([res.status, res.body.error.code]).toEqual([403, 'step_up_required']);
  });

  it('refuses to unlink the last way in of an account made by a provider, until a reset gives it a password', async () => {
    const email = `${uniqueName('fedonly')}@example.org`;
    idp.accounts.set('sub-only', { email, email_verified: true });
    const { res } = await signIn('sub-only');
    const token = sessionOf(res);
    const { body } = await call(identitiesFn, 'GET', '/api/me/identities', { token });
    const refused = await call(identityById, 'DELETE', `/api/me/identities/${body.items[0].id}`, {
      token,
      json: { password: 'anything-at-all' },
    });
    expect([refused.status, refused.body.error.code]).toEqual([409, 'last_way_in']);

    // A reset: the identity survives, the sessions end.
    const asked = await call(forgot, 'POST', '/api/password/forgot', { json: { email } });
    const done = await call(reset, 'POST', '/api/password/reset', { json: { token: asked.body.token, password: 'Copper-Lantern-26#' } });
    expect(done.status, done.text).toBe(200);
    expect((await call(meFn, 'GET', '/api/me', { token })).status).toBe(401);
    const relogin = await signIn('sub-only');
    const fresh = sessionOf(relogin.res);
    const after = await call(identitiesFn, 'GET', '/api/me/identities', { token: fresh });
    expect(after.body.items).toHaveLength(1);
    const unlinked = await call(identityById, 'DELETE', `/api/me/identities/${after.body.items[0].id}`, {
      token: fresh,
      json: { password: 'Copper-Lantern-26#' },
    });
    expect(unlinked.status).toBe(204);
  });

  it("deletes the identities with the account; another account's identity is a 404", async () => {
    const owner = await createUser();
    idp.accounts.set('sub-delete', { email: owner.user.email, email_verified: true });
    await signIn('sub-delete');
    const { body } = await call(identitiesFn, 'GET', '/api/me/identities', { token: owner.token });
    const stranger = await createUser();
    const other = await call(identityById, 'DELETE', `/api/me/identities/${body.items[0].id}`, {
      token: stranger.token,
      json: { password: stranger.password },
    });
    expect(other.status).toBe(404);
    const gone = await call(meFn, 'DELETE', '/api/me', { token: owner.token, json: { password: STRONG_PASSWORD } });
    expect(gone.status).toBe(204);
    expect(await getDb().selectFrom('federated_identities').select('id').where('subject', '=', 'sub-delete').execute()).toEqual([]);
  });
});

describe('GitHub (its endpoints served by msw)', () => {
  const gitHub = (user: () => Response, seen: URLSearchParams[]) =>
    outbound.use(
      http.post('https://github.com/login/oauth/access_token', async ({ request }) => {
        seen.push(new URLSearchParams(await request.text()));
        return HttpResponse.json({ access_token: 'gho_test', token_type: 'bearer', scope: 'read:user,user:email' });
      }),
      http.get('https://api.github.com/user', user),
      http.get('https://api.github.com/user/emails', () =>
        HttpResponse.json([
          { email: 'old@example.org', primary: false, verified: true },
          { email: 'octo@example.org', primary: true, verified: true },
        ]),
      ),
    );

  it('signs in by the numeric user id with the primary verified address, PKCE sent', async () => {
    const seen: URLSearchParams[] = [];
    gitHub(() => HttpResponse.json({ id: 4242, login: 'octocat' }), seen);
    const { location, state } = await startAt('github');
    const url = new URL(location);
    expect(url.origin + url.pathname).toBe('https://github.com/login/oauth/authorize');
    expect(url.searchParams.get('scope')).toBe('read:user user:email');
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    const res = await call(callbackFn, 'GET', `/api/auth/github/callback?code=gh-code&state=${state}`, {
      cookie: `federation_state=${state}`,
    });
    expect(res.status, res.text).toBe(302);
    expect(seen[0]!.get('code')).toBe('gh-code');
    expect(seen[0]!.get('code_verifier')).toMatch(/^[\w-]{43}$/);
    expect(seen[0]!.get('client_secret')).toBe('gh-secret');
    const me = await call(meFn, 'GET', '/api/me', { token: sessionOf(res) });
    expect(me.body.user).toMatchObject({ email: 'octo@example.org', emailVerified: true, username: 'octo' });
    const row = await getDb().selectFrom('federated_identities').selectAll().where('provider', '=', 'github').executeTakeFirstOrThrow();
    expect([row.subject, row.email]).toEqual(['4242', 'octo@example.org']);
  });

  it('answers 503 when its user API fails, and makes no account', async () => {
    gitHub(() => new HttpResponse('unavailable', { status: 502 }), []);
    const { state } = await startAt('github');
    const users = await getDb().selectFrom('users').select('id').execute();
    const res = await call(callbackFn, 'GET', `/api/auth/github/callback?code=gh-code&state=${state}`, {
      cookie: `federation_state=${state}`,
    });
    expect(refusalOf(res)).toBe('provider_unavailable');
    expect(await getDb().selectFrom('users').select('id').execute()).toEqual(users);
  });
});

/** The error code a refused callback sends the browser to the login page (a link's: the account page) with, and checks the rest of that redirect. */
function refusalOf(res: CallResult, pages = 'http://localhost:8888/app', page = 'login'): string | null {
  expect(res.status, res.text).toBe(302);
  expect(res.headers.get('cache-control')).toBe('no-store');
  expect(cookieSet(res, 'federation_state')).toBe('');
  expect(cookieSet(res, 'session_id')).toBeUndefined();
  const location = new URL(res.headers.get('location')!);
  expect(`${location.origin}${location.pathname}`).toBe(`${pages}/${page}`);
  expect([...location.searchParams.keys()]).toEqual(['error']);
  return location.searchParams.get('error');
}

describe('a refused callback', () => {
  const env = envPerTest();
  const pendingRows = async () =>
    Number(
      (
        await getDb()
          .selectFrom('federated_sign_ins')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  it("consent refused at the provider: to the login page with the code only, never the provider's text; the state spent", async () => {
    const { state } = await startAt('local');
    const before = await pendingRows();
    const description = encodeURIComponent('The end-user denied access <secret-ish>');
    const res = await call(
      callbackFn,
      'GET',
      `/api/auth/local/callback?error=access_denied&error_description=${description}&state=${state}`,
      {
        cookie: `federation_state=${state}`,
      },
    );
    expect(refusalOf(res)).toBe('federation_failed');
    expect(res.headers.get('location')).not.toMatch(/denied|access_denied|secret/);
    expect(await pendingRows()).toBe(before - 1);
  });

  it('a link from the account page, refused (consent refused at the provider), goes back to the account page; nothing linked', async () => {
    const owner = await createUser();
    const started = await call(identitiesFn, 'POST', '/api/me/identities', {
      token: owner.token,
      json: { provider: 'local', password: owner.password, returnTo: '/app/account' },
    });
    const state = cookieSet(started, 'federation_state')!;
    const res = await call(callbackFn, 'GET', `/api/auth/local/callback?error=access_denied&state=${state}`, {
      cookie: `federation_state=${state}`,
    });
    expect(refusalOf(res, undefined, 'account')).toBe('federation_failed');
    expect((await call(identitiesFn, 'GET', '/api/me/identities', { token: owner.token })).body.items).toEqual([]);
    // Its state spent: again, nothing tells a link from a sign-in, so the login page.
    const replayed = await call(callbackFn, 'GET', `/api/auth/local/callback?error=access_denied&state=${state}`, {
      cookie: `federation_state=${state}`,
    });
    expect(refusalOf(replayed)).toBe('federation_failed');
  });

  it('hands over to the pages of the address the browser is on in local development without APP_URL; to APP_URL when set', async () => {
    env({ URL: 'http://localhost:8888' });
    const back = '/api/auth/local/callback?code=x&state=gone';
    const onLoopback = await call(callbackFn, 'GET', `http://127.0.0.1:8888${back}`, { cookie: 'federation_state=gone' });
    expect(refusalOf(onLoopback, 'http://127.0.0.1:8888/app')).toBe('federation_failed');
    env({ URL: 'http://localhost:8888', APP_URL: 'https://pages.example.test/account' });
    const elsewhere = await call(callbackFn, 'GET', `http://127.0.0.1:8888${back}`, { cookie: 'federation_state=gone' });
    expect(refusalOf(elsewhere, 'https://pages.example.test/account')).toBe('federation_failed');
  });

  it('stays JSON for what no provider sends a browser to: an unconfigured provider', async () => {
    const res = await call(callbackFn, 'GET', '/api/auth/nobody/callback?code=x&state=y');
    expect([res.status, res.body.error.code]).toEqual([404, 'not_found']);
  });
});

describe('configuration', () => {
  const env = envPerTest();
  const refusal = (values: Record<string, string | undefined>) => {
    env(values);
    try {
      setting('identityProviders');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      return (error as Error).message;
    }
    throw new Error('accepted');
  };
  const corp = {
    OIDC_PROVIDERS: 'corp',
    OIDC_CORP_ISSUER: 'https://idp.example.com',
    OIDC_CORP_CLIENT_ID: 'id',
    OIDC_CORP_CLIENT_SECRET: 'secret',
  };

  it('fails naming the variable that is missing or malformed', () => {
    expect(refusal({ ...corp, OIDC_CORP_ISSUER: undefined })).toMatch(/^OIDC_CORP_ISSUER: /);
    expect(refusal({ ...corp, OIDC_CORP_ISSUER: 'not a url' })).toMatch(/^OIDC_CORP_ISSUER: /);
    expect(refusal({ ...corp, OIDC_CORP_CLIENT_SECRET: undefined })).toMatch(/^OIDC_CORP_CLIENT_SECRET: is required/);
    expect(refusal({ ...corp, OIDC_PROVIDERS: 'Corp Id' })).toMatch(/^OIDC_PROVIDERS: /);
    expect(refusal({ ...corp, OIDC_PROVIDERS: 'corp,corp' })).toMatch(/^OIDC_PROVIDERS: names a provider twice/);
    expect(refusal({ ...corp, OIDC_PROVIDERS: 'github' })).toMatch(/^OIDC_PROVIDERS: .*GITHUB_CLIENT_ID/);
    expect(refusal({ OIDC_PROVIDERS: undefined, GITHUB_CLIENT_ID: 'id', GITHUB_CLIENT_SECRET: undefined })).toMatch(
      /^GITHUB_CLIENT_SECRET: is required/,
    );
    expect(refusal({ ...corp, OIDC_CORP_ISSUER: 'http://idp.example.com', CONTEXT: 'production' })).toMatch(
      /^OIDC_CORP_ISSUER: must be an https URL/,
    );
  });

  it('reads a well-formed configuration, names defaulting to the id', () => {
    env({
      ...corp,
      OIDC_PROVIDERS: 'corp, dev-idp',
      OIDC_DEV_IDP_ISSUER: 'https://dev.example.com',
      OIDC_DEV_IDP_CLIENT_ID: 'd',
      OIDC_DEV_IDP_CLIENT_SECRET: 's',
      OIDC_DEV_IDP_NAME: 'Dev',
      GITHUB_CLIENT_ID: undefined,
      GITHUB_CLIENT_SECRET: undefined,
    });
    expect(setting('identityProviders').map(({ id, name, kind }) => [id, name, kind])).toEqual([
      ['corp', 'corp', 'oidc'],
      ['dev-idp', 'Dev', 'oidc'],
    ]);
  });
});
