// Security notices: what a change to an account e-mails its owner (msw stands
// in for the mail provider). Each notice, with a provider that answers, goes
// to the right address with no secret in it; with one that fails, the answer
// is the same and a mail_not_sent line says so; with one that hangs, the
// answer does not wait for it (it goes through the platform's waitUntil).
import { http, HttpResponse } from 'msw';
import { afterEach, describe, expect, it, vi } from 'vitest';
import callbackFn from '../../netlify/functions/auth-provider-callback.ts';
import startFn from '../../netlify/functions/auth-provider-start.ts';
import classicReset from '../../netlify/functions/classic-reset-password.ts';
import loginMfa from '../../netlify/functions/login-mfa.ts';
import login from '../../netlify/functions/login.ts';
import confirmChange from '../../netlify/functions/me-email-confirm.ts';
import changeEmail from '../../netlify/functions/me-email.ts';
import identitiesFn from '../../netlify/functions/me-identities.ts';
import identityById from '../../netlify/functions/me-identities-id.ts';
import mfaConfirm from '../../netlify/functions/me-mfa-totp-confirm.ts';
import mfa from '../../netlify/functions/me-mfa-totp.ts';
import passkeyById from '../../netlify/functions/me-passkeys-id.ts';
import passkeyOptions from '../../netlify/functions/me-passkeys-options.ts';
import passkeys from '../../netlify/functions/me-passkeys.ts';
import mePassword from '../../netlify/functions/me-password.ts';
import forgot from '../../netlify/functions/password-forgot.ts';
import reset from '../../netlify/functions/password-reset.ts';
import { limitFor } from '../../src/rate-limit/limits.ts';
import { MAIL_URL } from '../support/accounts.ts';
import { type CallOptions, type CallResult, call } from '../support/call.ts';
import { envPerTest } from '../support/env.ts';
import { captureLogs } from '../support/logs.ts';
import { codeAt, enableMfa } from '../support/mfa.ts';
import { cookieSet } from '../support/oidc-provider.ts';
import { outbound } from '../support/outbound-http.ts';
import { enrolPasskey, SoftAuthenticator, stepUpAssertion } from '../support/passkeys.ts';
import { createUser, STRONG_PASSWORD, type TestUser, uniqueIp, uniqueName } from '../support/users.ts';

const env = envPerTest();
afterEach(() => vi.restoreAllMocks());

const NEW_PASSWORD = 'Granite-Meadow-58?';
const AGENT = 'Notice-Test/1.0';
const secretIn = (text: string) => /(?:code|token) is: ([A-Za-z0-9_-]{43})/.exec(text)![1]!;

interface Mail {
  to: string;
  subject: string;
  text: string;
}

/** A mail provider whose behaviour the test switches: it answers, fails, or holds every message until released. */
function mailProvider() {
  env({ MAIL_API_URL: MAIL_URL, MAIL_FROM: 'Accounts <no-reply@example.test>' });
  const state = { mode: 'ok' as 'ok' | 'fail' | 'hang', sent: [] as Mail[], release: () => {} };
  const held = new Promise<void>((resolve) => {
    state.release = resolve;
  });
  outbound.use(
    http.post(MAIL_URL, async ({ request }) => {
      state.sent.push((await request.json()) as Mail);
      if (state.mode === 'hang') await held;
      return state.mode === 'fail' ? HttpResponse.json({ error: 'down' }, { status: 500 }) : HttpResponse.json({ id: 'msg' });
    }),
  );
  return state;
}
type Provider = ReturnType<typeof mailProvider>;

/** What a scenario's last request did, and what its notice must hold and must not. */
interface Acted {
  res: CallResult;
  to: string;
  /** Secrets the account holds or was sent: none may be in the notice. */
  secrets: string[];
  /** Text the notice must contain. */
  says: string;
}

interface Scenario {
  name: string;
  status: number;
  subject: string;
  purpose: string;
  /** Sets up the account (mail answered), then sends the request whose notice is checked, with `options`. */
  act(mail: Provider, options: CallOptions, switchMode: () => void): Promise<Acted>;
}

async function secondStep(username: string, code: string, options: CallOptions = {}) {
  const first = await call(login, 'POST', '/api/login', { json: { username, password: STRONG_PASSWORD }, ip: uniqueIp() });
  expect(first.status).toBe(403);
  return call(loginMfa, 'POST', '/api/login/mfa', { ip: uniqueIp(), ...options, json: { mfaToken: first.body.error.mfaToken, code } });
}

async function resetToken(mail: Provider, user: TestUser): Promise<string> {
  await call(forgot, 'POST', '/api/password/forgot', { json: { email: user.user.email }, ip: uniqueIp() });
  return secretIn(mail.sent.at(-1)!.text);
}

/** GitHub (msw) configured, signing in as a new user id with `email`, verified, as its primary address. */
let gitHubIds = 7000;
function gitHubAs(email: string) {
  const id = ++gitHubIds;
  env({ GITHUB_CLIENT_ID: 'gh-client', GITHUB_CLIENT_SECRET: 'gh-secret' });
  outbound.use(
    http.post('https://github.com/login/oauth/access_token', () => HttpResponse.json({ access_token: 'gho_test', token_type: 'bearer' })),
    http.get('https://api.github.com/user', () => HttpResponse.json({ id, login: 'octocat' })),
    http.get('https://api.github.com/user/emails', () => HttpResponse.json([{ email, primary: true, verified: true }])),
  );
}

/** GitHub's redirect back, for a sign-in or link whose state cookie `started` set. */
function gitHubCallback(started: CallResult, options: CallOptions = {}) {
  const state = cookieSet(started, 'federation_state')!;
  return call(callbackFn, 'GET', `/api/auth/github/callback?code=gh-code&state=${state}`, {
    ip: uniqueIp(),
    ...options,
    cookie: `federation_state=${state}`,
  });
}

/** A link of GitHub (at another address: only the link joins it) from `user`'s account page, up to the provider. */
async function startGitHubLink(user: TestUser) {
  gitHubAs(`${uniqueName('octo')}@elsewhere.example`);
  const json = { provider: 'github', password: STRONG_PASSWORD };
  const started = await call(identitiesFn, 'POST', '/api/me/identities', { token: user.token, json, ip: uniqueIp() });
  expect(started.status, started.text).toBe(200);
  return started;
}

const SCENARIOS: Scenario[] = [
  {
    name: 'an identity linked from the account page',
    status: 302,
    subject: 'GitHub was linked to your account',
    purpose: 'identity_linked',
    async act(_mail, options, switchMode) {
      const account = await createUser();
      const started = await startGitHubLink(account);
      switchMode();
      const res = await gitHubCallback(started, options);
      return { res, to: account.user.email, secrets: [cookieSet(started, 'federation_state')!], says: 'from its account page' };
    },
  },
  {
    name: "an identity joined to the account by its proven mailbox at the provider's callback",
    status: 302,
    subject: 'GitHub was linked to your account',
    purpose: 'identity_linked',
    async act(_mail, options, switchMode) {
      const account = await createUser();
      gitHubAs(account.user.email);
      const started = await call(startFn, 'GET', '/api/auth/github/start', { ip: uniqueIp() });
      switchMode();
      const res = await gitHubCallback(started, options);
      const session = cookieSet(res, 'session_id')!;
      return { res, to: account.user.email, secrets: [session], says: 'which GitHub says is verified' };
    },
  },
  {
    name: 'an identity unlinked',
    status: 204,
    subject: 'GitHub was unlinked from your account',
    purpose: 'identity_unlinked',
    async act(_mail, options, switchMode) {
      const account = await createUser();
      expect((await gitHubCallback(await startGitHubLink(account))).status).toBe(302);
      const listed = await call(identitiesFn, 'GET', '/api/me/identities', { token: account.token });
      switchMode();
      const json = { password: STRONG_PASSWORD };
      const res = await call(identityById, 'DELETE', `/api/me/identities/${listed.body.items[0].id}`, {
        ...options,
        token: account.token,
        json,
      });
      return { res, to: account.user.email, secrets: [], says: 'no longer signs you in' };
    },
  },
  {
    name: 'a password change',
    status: 200,
    subject: 'Your password was changed',
    purpose: 'password_changed',
    async act(_mail, options, switchMode) {
      const { user, token } = await createUser();
      switchMode();
      const json = { currentPassword: STRONG_PASSWORD, newPassword: NEW_PASSWORD };
      const res = await call(mePassword, 'PUT', '/api/me/password', { ...options, token, json });
      return { res, to: user.email, secrets: [], says: 'changed by a signed-in session' };
    },
  },
  {
    name: 'a completed reset',
    status: 200,
    subject: 'Your password was changed',
    purpose: 'password_reset',
    async act(mail, options, switchMode) {
      const account = await createUser();
      const token = await resetToken(mail, account);
      switchMode();
      const res = await call(reset, 'POST', '/api/password/reset', { ...options, json: { token, password: NEW_PASSWORD } });
      return { res, to: account.user.email, secrets: [token], says: 'reset with a link sent to this address' };
    },
  },
  {
    name: 'a completed reset on the classic route',
    status: 200,
    subject: 'Your password was changed',
    purpose: 'password_reset',
    async act(mail, options, switchMode) {
      const account = await createUser();
      const token = await resetToken(mail, account);
      switchMode();
      const json = { email: account.user.email, reset_token: token, new_password: NEW_PASSWORD };
      const res = await call(classicReset, 'PUT', '/reset_password', { ...options, json });
      return { res, to: account.user.email, secrets: [token], says: 'reset with a link sent to this address' };
    },
  },
  {
    name: 'an e-mail change asked for (to the old address)',
    status: 202,
    subject: 'Your e-mail address is being changed',
    purpose: 'email_change_notice',
    async act(mail, options, switchMode) {
      const { user, token } = await createUser();
      const email = `moved-${user.username}@example.org`;
      switchMode();
      const res = await call(changeEmail, 'POST', '/api/me/email', { ...options, token, json: { email, password: STRONG_PASSWORD } });
      const code = mail.sent.filter((m) => m.to === email).map((m) => secretIn(m.text));
      return { res, to: user.email, secrets: code, says: `to ${email}` };
    },
  },
  {
    name: 'an e-mail change confirmed (to the old address)',
    status: 200,
    subject: 'Your e-mail address was changed',
    purpose: 'email_changed',
    async act(mail, options, switchMode) {
      const { user, token } = await createUser();
      const email = `moved-${user.username}@example.org`;
      await call(changeEmail, 'POST', '/api/me/email', { token, json: { email, password: STRONG_PASSWORD }, ip: uniqueIp() });
      const code = secretIn(mail.sent.find((m) => m.to === email)!.text);
      switchMode();
      const res = await call(confirmChange, 'POST', `/api/me/email/confirm/${code}`, options);
      return { res, to: user.email, secrets: [code], says: `changed to ${email}` };
    },
  },
  {
    name: 'a second factor turned on',
    status: 200,
    subject: 'Two-step verification was turned on',
    purpose: 'mfa_enabled',
    async act(_mail, options, switchMode) {
      const { user, token } = await createUser();
      const started = await call(mfa, 'POST', '/api/me/mfa/totp', { token, json: { password: STRONG_PASSWORD } });
      const secret: string = started.body.secret;
      switchMode();
      const res = await call(mfaConfirm, 'POST', '/api/me/mfa/totp/confirm', { ...options, token, json: { code: codeAt(secret) } });
      return { res, to: user.email, secrets: [secret, ...(res.body?.recoveryCodes ?? [])], says: 'needs a code from an authenticator app' };
    },
  },
  {
    name: 'a second factor turned off with a recovery code (one notice, saying so)',
    status: 204,
    subject: 'Two-step verification was turned off',
    purpose: 'mfa_disabled',
    async act(_mail, options, switchMode) {
      const { user, token } = await createUser();
      const { secret, recoveryCodes } = await enableMfa(token);
      switchMode();
      const json = { password: STRONG_PASSWORD, code: recoveryCodes[0]! };
      const res = await call(mfa, 'DELETE', '/api/me/mfa/totp', { ...options, token, json });
      return { res, to: user.email, secrets: [secret, ...recoveryCodes], says: 'A recovery code was used to turn it off' };
    },
  },
  {
    name: 'a recovery code used to log in (a TOTP code sends nothing)',
    status: 200,
    subject: 'A recovery code was used to sign in',
    purpose: 'recovery_code_used',
    async act(mail, options, switchMode) {
      const { user, token } = await createUser();
      const { secret, recoveryCodes } = await enableMfa(token);
      const before = mail.sent.length;
      expect((await secondStep(user.username, codeAt(secret))).status).toBe(200);
      expect(mail.sent.length).toBe(before);
      switchMode();
      const res = await secondStep(user.username, recoveryCodes[3]!, options);
      return { res, to: user.email, secrets: [secret, ...recoveryCodes], says: '9 of them are left' };
    },
  },
  {
    name: 'a passkey added (it signs in alone and outlives a reset)',
    status: 201,
    subject: 'A passkey was added to your account',
    purpose: 'passkey_added',
    async act(_mail, options, switchMode) {
      const { user, token } = await createUser();
      const started = await call(passkeyOptions, 'POST', '/api/me/passkeys/options', { token, json: { password: STRONG_PASSWORD } });
      switchMode();
      const response = new SoftAuthenticator().register(started.body.options);
      const res = await call(passkeys, 'POST', '/api/me/passkeys', { ...options, token, json: { response, name: 'Spare key' } });
      return { res, to: user.email, secrets: [started.body.options.challenge], says: 'A passkey named "Spare key" was added' };
    },
  },
  {
    name: 'a passkey removed',
    status: 204,
    subject: 'A passkey was removed from your account',
    purpose: 'passkey_removed',
    async act(_mail, options, switchMode) {
      const { user, token } = await createUser();
      const authenticator = new SoftAuthenticator();
      const { id } = await enrolPasskey(token, authenticator);
      const passkey = await stepUpAssertion(token, authenticator);
      switchMode();
      const res = await call(passkeyById, 'DELETE', `/api/me/passkeys/${id}`, {
        ...options,
        token,
        json: { password: STRONG_PASSWORD, passkey },
      });
      return { res, to: user.email, secrets: [], says: 'it no longer signs in' };
    },
  },
  {
    name: 'wrong codes over RATE_LIMIT_MFA (the attempt that went over, once a window)',
    status: 429,
    subject: 'Wrong two-step verification codes on your account',
    purpose: 'mfa_limit_reached',
    async act(mail, options, switchMode) {
      const { user, token } = await createUser();
      await enableMfa(token);
      for (let i = 0; i < limitFor('mfa').count; i++) expect((await secondStep(user.username, '000000')).status).toBe(401);
      switchMode();
      const res = await secondStep(user.username, '000000', options);
      // The refusals after it send nothing more.
      const sent = mail.sent.length;
      expect((await secondStep(user.username, '000000')).status).toBe(429);
      expect(mail.sent.length).toBe(sent);
      return { res, to: user.email, secrets: [], says: 'too many wrong codes' };
    },
  },
  {
    name: 'wrong codes over RATE_LIMIT_MFA_DAY: the factor locked (once a lock)',
    status: 429,
    subject: 'Two-step verification is locked on your account',
    purpose: 'mfa_locked',
    async act(mail, options, switchMode) {
      env({ RATE_LIMIT_MFA_DAY: '3/24h' });
      const { user, token } = await createUser();
      const { secret } = await enableMfa(token);
      for (let i = 0; i < 3; i++) expect((await secondStep(user.username, '000000')).status).toBe(401);
      switchMode();
      const res = await secondStep(user.username, codeAt(secret), options);
      expect(res.body.error.code).toBe('mfa_locked');
      const sent = mail.sent.length;
      expect((await secondStep(user.username, codeAt(secret))).body.error.code).toBe('mfa_locked');
      expect(mail.sent.length).toBe(sent);
      return { res, to: user.email, secrets: [secret], says: 'until the password is reset' };
    },
  },
];

describe.each(SCENARIOS)('$name', (scenario) => {
  it('e-mails the account: the right address and subject, when and from where, no secret', async () => {
    const mail = mailProvider();
    let first = 0;
    const acted = await scenario.act(mail, { headers: { 'user-agent': AGENT }, ip: '198.51.100.23' }, () => {
      first = mail.sent.length;
    });
    expect(acted.res.status).toBe(scenario.status);
    const notices = mail.sent.slice(first).filter((m) => m.subject === scenario.subject);
    expect(notices.map((m) => m.to)).toEqual([acted.to]);
    const { text } = notices[0]!;
    expect(text).toContain(acted.says);
    expect(text).toMatch(/When: \d{4}-\d\d-\d\dT[\d:.]+Z/);
    expect(text).toContain('From the address: "198.51.100.23"');
    expect(text).toContain(`Device, as it described itself: "${AGENT}"`);
    expect(text).toContain('http://localhost:8888/app/forgot');
    for (const secret of [STRONG_PASSWORD, NEW_PASSWORD, ...acted.secrets]) expect(text).not.toContain(secret);
  });

  it('gives the same answer when the provider fails, and logs mail_not_sent without the address', async () => {
    const mail = mailProvider();
    const logs = captureLogs();
    const acted = await scenario.act(mail, {}, () => {
      mail.mode = 'fail';
    });
    expect(acted.res.status).toBe(scenario.status);
    const failures = logs.of('mail_not_sent').filter((line) => line.purpose === scenario.purpose);
    expect(failures).toEqual([expect.objectContaining({ level: 'error', reason: 'mail provider answered 500' })]);
    expect(logs.raw.filter((line) => line.includes('mail_not_sent')).join('\n')).not.toContain(acted.to);
  });

  it('answers before a provider that hangs has answered', async () => {
    const mail = mailProvider();
    const background: Promise<unknown>[] = [];
    const acted = await scenario.act(mail, { waitUntil: (work) => background.push(work) }, () => {
      mail.mode = 'hang';
    });
    expect(acted.res.status).toBe(scenario.status);
    expect(background.length).toBeGreaterThan(0);
    mail.release();
    await Promise.all(background);
    expect(mail.sent.filter((m) => m.subject === scenario.subject).map((m) => m.to)).toContain(acted.to);
  });
});

describe('an identity', () => {
  it("sends nothing for the first identity of an account the provider made, nor for a known identity's sign-in", async () => {
    const mail = mailProvider();
    gitHubAs(`${uniqueName('fresh')}@example.org`);
    const made = await gitHubCallback(await call(startFn, 'GET', '/api/auth/github/start', { ip: uniqueIp() }));
    expect(cookieSet(made, 'session_id')).toBeDefined();
    const again = await gitHubCallback(await call(startFn, 'GET', '/api/auth/github/start', { ip: uniqueIp() }));
    expect(cookieSet(again, 'session_id')).toBeDefined();
    expect(mail.sent).toEqual([]);
  });
});

describe('the device as the client described it', () => {
  it('is one quoted line: control characters a header may carry are flattened', async () => {
    const mail = mailProvider();
    const { token } = await createUser();
    // NEL (U+0085) breaks a line for some mail readers; a header may carry it, and a tab.
    const headers = { 'user-agent': 'Evil\u0085Subject:\thi' };
    const json = { currentPassword: STRONG_PASSWORD, newPassword: NEW_PASSWORD };
    expect((await call(mePassword, 'PUT', '/api/me/password', { token, json, headers })).status).toBe(200);
    expect(mail.sent[0]!.text).toContain('Device, as it described itself: "Evil Subject: hi"');
  });
});

describe('without a mail provider', () => {
  it('logs notice_not_sent in local development, and never answers 503 in a deploy (nobody must receive a notice)', async () => {
    const logs = captureLogs();
    const json = { currentPassword: STRONG_PASSWORD, newPassword: NEW_PASSWORD };
    const { user, token } = await createUser();
    expect((await call(mePassword, 'PUT', '/api/me/password', { token, json })).status).toBe(200);
    expect(logs.of('notice_not_sent')).toEqual([expect.objectContaining({ purpose: 'password_changed', accountId: user.id })]);
    env({ CONTEXT: 'deploy-preview', BREACHED_PASSWORD_CHECK: 'off' });
    const other = await createUser();
    expect((await call(mePassword, 'PUT', '/api/me/password', { token: other.token, json })).status).toBe(200);
  });
});
