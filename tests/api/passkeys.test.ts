// Passkeys through the functions: registration options, enrolment verified
// against a software authenticator's answers (tests/support/passkeys.ts), the
// list, renaming and removal with the step-up, and each one's statements.
import { describe, expect, it } from 'vitest';
import options from '../../netlify/functions/me-passkeys-options.ts';
import passkeys from '../../netlify/functions/me-passkeys.ts';
import passkeyById from '../../netlify/functions/me-passkeys-id.ts';
import signInFinish from '../../netlify/functions/login-passkey.ts';
import signInStart from '../../netlify/functions/login-passkey-options.ts';
import currentSession from '../../netlify/functions/me-current-session.ts';
import events from '../../netlify/functions/me-events.ts';
import login from '../../netlify/functions/login.ts';
import { relyingParty } from '../../src/auth/passkeys/relying-party.ts';
import { getDb } from '../../src/db/connection.ts';
import { call } from '../support/call.ts';
import { envPerTest } from '../support/env.ts';
import { codeAt, enableMfa } from '../support/mfa.ts';
import { enrolPasskey, SoftAuthenticator, stepUpAssertion, stepUpFor } from '../support/passkeys.ts';
import { measured, stated } from '../support/statements.ts';
import { createUser, STRONG_PASSWORD, uniqueIp } from '../support/users.ts';

const env = envPerTest();

/** The options, proved by the password and the step-up of the passkeys the helpers enrolled (or `proof`). */
const startEnrolment = async (token: string, proof?: object) =>
  call(options, 'POST', '/api/me/passkeys/options', { token, json: { password: STRONG_PASSWORD, ...(proof ?? (await stepUpFor(token))) } });

describe('enrolment', () => {
  it('answers options for a discoverable credential with user verification, then stores the verified passkey', async () => {
    const { user, token } = await createUser();
    const started = await startEnrolment(token);
    expect(started.status).toBe(200);
    const opts = started.body.options;
    expect(opts).toMatchObject({
      rp: { id: 'localhost' },
      user: { name: user.username },
      attestation: 'none',
      authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
      excludeCredentials: [],
    });
    expect(opts.challenge).toMatch(/^[\w-]{43}$/);

    const authenticator = new SoftAuthenticator();
    const [status, statements] = await measured(() =>
      call(passkeys, 'POST', '/api/me/passkeys', { token, json: { response: authenticator.register(opts), name: 'Laptop' } }),
    );
    expect([status, statements]).toEqual([201, stated('me-passkeys', 'POST')]);
    const row = await getDb().selectFrom('passkeys').selectAll().where('user_id', '=', user.id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      credential_id: authenticator.credentialId,
      sign_count: 0,
      transports: ['internal'],
      aaguid: '00000000-0000-0000-0000-000000000000',
      backup_eligible: false,
      name: 'Laptop',
      last_used_at: null,
    });
    // The challenge is gone: single use.
    expect(await getDb().selectFrom('webauthn_challenges').select('id').where('user_id', '=', user.id).execute()).toEqual([]);

    const again = await startEnrolment(token, { passkey: await stepUpAssertion(token, authenticator) });
    expect(again.body.options.excludeCredentials).toEqual([{ id: authenticator.id, type: 'public-key', transports: ['internal'] }]);

    const trail = await call(events, 'GET', '/api/me/events', { token });
    expect(trail.body.items.map((item: { kind: string }) => item.kind)).toContain('passkey_added');
  });

  it('a synced passkey (backup eligible) is listed as synced', async () => {
    const { token } = await createUser();
    await enrolPasskey(token, new SoftAuthenticator(true));
    const list = await call(passkeys, 'GET', '/api/me/passkeys', { token });
    expect(list.body.items).toEqual([expect.objectContaining({ kind: 'synced', name: 'Passkey' })]);
  });

  it('needs a proven address: 403 email_unverified, no challenge issued', async () => {
    const { user, token } = await createUser({ proven: false });
    const [status] = await measured(() => startEnrolment(token));
    expect(status).toBe(403);
    expect((await startEnrolment(token)).body.error.code).toBe('email_unverified');
    expect(await getDb().selectFrom('webauthn_challenges').select('id').where('user_id', '=', user.id).execute()).toEqual([]);
  });

  it('a credential registered already is 409 passkey_already_registered; at 10 passkeys the options are 409 passkey_limit', async () => {
    const { token } = await createUser();
    const authenticator = new SoftAuthenticator();
    await enrolPasskey(token, authenticator);
    const opts = (await startEnrolment(token)).body.options;
    const twice = await call(passkeys, 'POST', '/api/me/passkeys', { token, json: { response: authenticator.register(opts) } });
    expect([twice.status, twice.body.error.code]).toEqual([409, 'passkey_already_registered']);

    for (let i = 1; i < 10; i++) await enrolPasskey(token, new SoftAuthenticator());
    const full = await startEnrolment(token);
    expect([full.status, full.body.error.code]).toEqual([409, 'passkey_limit']);
  });

  it('the options cost 2 statements, the list 1', async () => {
    const { token } = await createUser();
    expect(await measured(() => startEnrolment(token))).toEqual([200, stated('me-passkeys-options', 'POST')]);
    expect(await measured(() => call(passkeys, 'GET', '/api/me/passkeys', { token }))).toEqual([200, stated('me-passkeys', 'GET')]);
  });
});

describe('list, rename, remove', () => {
  it('lists the passkeys oldest first and renames one; another account cannot rename or remove it (404)', async () => {
    const { token } = await createUser();
    const first = await enrolPasskey(token, new SoftAuthenticator(), 'Phone');
    await enrolPasskey(token, new SoftAuthenticator(), 'Key');
    const list = await call(passkeys, 'GET', '/api/me/passkeys', { token });
    expect(list.body.items.map((item: { name: string }) => item.name)).toEqual(['Phone', 'Key']);

    const [status, statements] = await measured(() =>
      call(passkeyById, 'PATCH', `/api/me/passkeys/${first.id}`, { token, json: { name: '  Old phone ' } }),
    );
    expect([status, statements]).toEqual([200, stated('me-passkeys-id', 'PATCH')]);
    expect((await call(passkeys, 'GET', '/api/me/passkeys', { token })).body.items[0].name).toBe('Old phone');

    const stranger = await createUser();
    const renamed = await call(passkeyById, 'PATCH', `/api/me/passkeys/${first.id}`, { token: stranger.token, json: { name: 'Mine' } });
    expect(renamed.status).toBe(404);
    const removed = await call(passkeyById, 'DELETE', `/api/me/passkeys/${first.id}`, {
      token: stranger.token,
      json: { password: STRONG_PASSWORD },
    });
    expect(removed.status).toBe(404);
    expect((await call(passkeys, 'GET', '/api/me/passkeys', { token })).body.items).toHaveLength(2);
  });

  it('removal on an account with passkeys only needs the password and a passkey step-up (403 without), and records passkey_removed', async () => {
    const { token } = await createUser();
    const authenticator = new SoftAuthenticator();
    const added = await enrolPasskey(token, authenticator);
    const bare = await call(passkeyById, 'DELETE', `/api/me/passkeys/${added.id}`, { token, json: { password: STRONG_PASSWORD } });
    expect([bare.status, bare.body.error.code]).toEqual([403, 'step_up_required']);
    const wrong = await call(passkeyById, 'DELETE', `/api/me/passkeys/${added.id}`, {
      token,
      json: { password: 'not it at all', passkey: await stepUpAssertion(token, authenticator) },
    });
    expect([wrong.status, wrong.body.error.details]).toEqual([400, { password: ['is not correct'] }]);

    // The passkey removed is the one that proves it: its challenge is taken, its row deleted.
    const passkey = await stepUpAssertion(token, authenticator);
    const [status, statements] = await measured(() =>
      call(passkeyById, 'DELETE', `/api/me/passkeys/${added.id}`, { token, json: { password: STRONG_PASSWORD, passkey } }),
    );
    expect([status, statements]).toEqual([204, stated('me-passkeys-id', 'DELETE')]);
    expect((await call(passkeys, 'GET', '/api/me/passkeys', { token })).body.items).toEqual([]);
    const trail = await call(events, 'GET', '/api/me/events', { token });
    expect(trail.body.items.map((item: { kind: string }) => item.kind)).toContain('passkey_removed');
  });

  it('on an account with TOTP, removal is a step-up operation: 403 step_up_required without a code, 204 with one', async () => {
    const { token } = await createUser();
    const { secret } = await enableMfa(token);
    const added = await enrolPasskey(token, new SoftAuthenticator());
    const bare = await call(passkeyById, 'DELETE', `/api/me/passkeys/${added.id}`, { token, json: { password: STRONG_PASSWORD } });
    expect([bare.status, bare.body.error.code]).toEqual([403, 'step_up_required']);
    const done = await call(passkeyById, 'DELETE', `/api/me/passkeys/${added.id}`, {
      token,
      json: { password: STRONG_PASSWORD, code: codeAt(secret) },
    });
    expect(done.status).toBe(204);
  });

  it('the account deletion takes its passkeys with it', async () => {
    const { user, token } = await createUser();
    await enrolPasskey(token, new SoftAuthenticator());
    await getDb().deleteFrom('users').where('id', '=', user.id).execute();
    expect(await getDb().selectFrom('passkeys').select('id').where('user_id', '=', user.id).execute()).toEqual([]);
  });
});

describe('sign-in without a password', () => {
  const signInOptions = (ip = uniqueIp()) => call(signInStart, 'POST', '/api/login/passkey/options', { ip });
  const signIn = (response: unknown, ip = uniqueIp()) => call(signInFinish, 'POST', '/api/login/passkey', { json: { response }, ip });

  it('a discoverable credential opens a session like POST /api/login, at aal2 with amr hwk (device-bound) or swk (synced)', async () => {
    for (const [synced, amr] of [
      [false, 'hwk'],
      [true, 'swk'],
    ] as const) {
      const { user, token } = await createUser();
      const authenticator = new SoftAuthenticator(synced);
      await enrolPasskey(token, authenticator);
      const started = await signInOptions();
      expect(started.status).toBe(200);
      expect(started.body.options).toMatchObject({ rpId: 'localhost', userVerification: 'required' });
      expect(started.body.options.allowCredentials ?? []).toEqual([]);

      const [status, statements] = await measured(() => signIn(authenticator.assert(started.body.options.challenge)));
      expect([status, statements]).toEqual([200, stated('login-passkey', 'POST')]);
      const res = await signIn(authenticator.assert((await signInOptions()).body.options.challenge));
      expect(res.body.user.username).toBe(user.username);
      expect(res.headers.get('set-cookie')).toMatch(/^session_id=/);
      const session = await call(currentSession, 'GET', '/api/me/session', { token: res.body.token });
      expect(session.body.session).toMatchObject({ amr: [amr], aal: 'aal2' });

      const row = await getDb()
        .selectFrom('passkeys')
        .select(['sign_count', 'last_used_at'])
        .where('user_id', '=', user.id)
        .executeTakeFirstOrThrow();
      expect(row.sign_count).toBe(2);
      expect(row.last_used_at).not.toBeNull();
      const trail = await call(events, 'GET', '/api/me/events', { token });
      expect(trail.body.items.filter((item: { kind: string }) => item.kind === 'login_succeeded')).toHaveLength(2);
    }
  });

  it("the options cost 1 statement and count on a counter of their own, 5 times RATE_LIMIT_LOGIN_IP: opening the log-in page spends none of the address's password attempts", async () => {
    env({ RATE_LIMIT_LOGIN_IP: '2/15m' });
    const ip = uniqueIp();
    expect(await measured(() => signInOptions(ip))).toEqual([200, stated('login-passkey-options', 'POST')]);
    for (let view = 2; view <= 10; view++) expect((await signInOptions(ip)).status).toBe(200);
    const refused = await signInOptions(ip);
    expect([refused.status, refused.body.error.code]).toEqual([429, 'rate_limited']);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    // The password login from that address still has its two attempts.
    const { user } = await createUser();
    const wrong = () => call(login, 'POST', '/api/login', { json: { username: user.username, password: 'Wrong-Password-1' }, ip });
    expect([(await wrong()).status, (await wrong()).status, (await wrong()).status]).toEqual([401, 401, 429]);
  });

  it('a wrong signature is 401 passkey_invalid after 1 statement, recorded as a failed login (wrong_passkey)', async () => {
    const { token } = await createUser();
    const authenticator = new SoftAuthenticator();
    await enrolPasskey(token, authenticator);
    const answer = authenticator.assert((await signInOptions()).body.options.challenge);
    const signature = Buffer.from(answer.response.signature, 'base64url');
    signature[signature.length - 1]! ^= 1;
    const [status, statements] = await measured(() =>
      signIn({ ...answer, response: { ...answer.response, signature: signature.toString('base64url') } }),
    );
    expect([status, statements]).toEqual([401, 1]);
    const trail = await call(events, 'GET', '/api/me/events', { token });
    expect(trail.body.items[0]).toMatchObject({ kind: 'login_failed', reason: 'wrong_passkey' });
  });

  it('a form posted from another origin is 403 (login CSRF), before any statement', async () => {
    const res = await call(signInFinish, 'POST', '/api/login/passkey', {
      json: { response: new SoftAuthenticator().assert('x') },
      headers: { origin: 'https://evil.example' },
    });
    expect(res.status).toBe(403);
  });
});

describe('the relying party follows the deploy', () => {
  const request = new URL('https://whatever.example/api/me/passkeys/options');

  it('production: the host of URL; a preview: its own DEPLOY_PRIME_URL; APP_URL over both; none in a deploy: 503', () => {
    env({ CONTEXT: 'production', URL: 'https://auth.example.com', DEPLOY_PRIME_URL: 'https://main--site.netlify.app' });
    expect(relyingParty(request)).toEqual({ id: 'auth.example.com', name: 'auth.example.com', origins: ['https://auth.example.com'] });

    env({ CONTEXT: 'deploy-preview', DEPLOY_PRIME_URL: 'https://deploy-preview-5--site.netlify.app' });
    expect(relyingParty(request)).toMatchObject({
      id: 'deploy-preview-5--site.netlify.app',
      origins: ['https://deploy-preview-5--site.netlify.app'],
    });

    env({ APP_URL: 'https://app.example.com' });
    expect(relyingParty(request)).toMatchObject({ id: 'app.example.com', origins: ['https://app.example.com'] });

    env({ CONTEXT: 'production', URL: undefined, DEPLOY_PRIME_URL: undefined, APP_URL: undefined });
    expect(() => relyingParty(request)).toThrow(expect.objectContaining({ code: 'passkeys_unavailable' }));
  });

  it("local development: the request's own host, whatever URL and DEPLOY_PRIME_URL netlify dev sets", () => {
    env({
      CONTEXT: undefined,
      URL: 'https://site-name.netlify.app',
      DEPLOY_PRIME_URL: 'https://main--site-name.netlify.app',
      APP_URL: undefined,
    });
    const local = new URL('http://localhost:8888/api/login/passkey/options');
    expect(relyingParty(local)).toEqual({ id: 'localhost', name: 'localhost', origins: ['http://localhost:8888'] });
  });
});
