// SQL statements per request for every endpoint, counted with onQuery on the
// success path, against the count its declaration states (`statements`) and
// the budget of the README, "Performance" (a read costs 1; login at most 2).
// Every scenario makes what it needs, so tests/api/declared-statements.test.ts
// runs them on an empty database too.
import { onQuery } from '../../src/db/connection.ts';
import login from '../../netlify/functions/login.ts';
import { call, type CallOptions, type CallResult } from '../support/call.ts';
import { codeAt, enableMfa } from '../support/mfa.ts';
import { createAdmin } from '../support/admin.ts';
import { approveAt, cookieSet, PROVIDER_ID, sharedLocalProvider } from '../support/oidc-provider.ts';
import { enrolPasskey, SoftAuthenticator } from '../support/passkeys.ts';
import { createUser, type TestUser } from '../support/users.ts';
import type { Endpoint } from './functions.ts';

export interface StatementCount {
  endpoint: string;
  status: number | null;
  counted: number | null;
  stated: number | null;
  budget: number | null;
  ok: boolean;
  error?: string;
}

/**
 * The settings the scenarios run under, in the benchmark and in the test that
 * checks the declared counts: loops from one client address are never
 * throttled, and no third party (Have I Been Pwned) is asked.
 */
export const UNTHROTTLED = {
  RATE_LIMIT_LOGIN_ACCOUNT: '1000000/1h',
  RATE_LIMIT_LOGIN_IP: '1000000/1h',
  RATE_LIMIT_REGISTER_IP: '1000000/1h',
  RATE_LIMIT_EMAIL: '1000000/1h',
  RATE_LIMIT_EMAIL_IP: '1000000/1h',
  RATE_LIMIT_MFA: '1000000/1h',
  BREACHED_PASSWORD_CHECK: 'off',
} as const;

const NEW_PASSWORD = 'Amber-Lantern-58?';

type Send = (endpoint: string, path: string, options?: CallOptions) => Promise<CallResult>;
/** Prepares the state a request needs (not counted) and returns the request to count. */
type Scenario = (send: Send) => Promise<{ path: string; options?: CallOptions }>;

let serial = 0;
const unique = (prefix: string) => `${prefix}_${++serial}`;
// The bench raises every rate limit, so one client address serves all.
const IP = '198.18.0.1';
const token = (user: TestUser) => ({ token: user.token });
const cookie = (user: TestUser) => ({ cookie: `session_id=${user.token}` });

/** A sign-in at the local provider as an identity asserting `user`'s address, verified, up to its callback. */
async function providerCallback(send: Send, user: TestUser): Promise<{ path: string; options: CallOptions }> {
  const provider = await sharedLocalProvider();
  const subject = `sub-${user.user.id}`;
  provider.accounts.set(subject, { email: user.user.email, email_verified: true });
  const started = await send('GET /api/auth/{provider}/start', `/api/auth/${PROVIDER_ID}/start`, { ip: IP });
  const path = await approveAt(started.headers.get('location')!, subject);
  return { path, options: { cookie: `federation_state=${cookieSet(started, 'federation_state')}`, ip: IP } };
}

/**
 * The request of every endpoint, after what it needs. Every user made here has
 * `password`, hashed once beforehand (a production-cost scrypt per user would
 * take seconds).
 */
function scenarios({ password, passwordHash }: { password: string; passwordHash: string }): Record<string, Scenario> {
  const newUser = () => createUser({ password, passwordHash });
  const newAdmin = () => createAdmin({ passwordHash });

  async function registered(send: Send) {
    const username = unique('stmt');
    const email = `${username}@example.com`;
    const res = await send('POST /api/register', '/api/register', { json: { username, email, password }, ip: IP });
    return { email, code: res.body.confirmation.code as string };
  }

  async function emailChangeConfirmation(send: Send) {
    const user = await newUser();
    const email = `${unique('moved')}@example.com`;
    const res = await send('POST /api/me/email', '/api/me/email', { json: { email, password }, ...token(user), ip: IP });
    return { path: `/api/me/email/confirm/${res.body.code}`, options: token(user) };
  }

  async function ownPost(send: Send, user: TestUser): Promise<number> {
    return (await send('POST /api/posts', '/api/posts', { json: { title: 'Mine', body: 'Text.' }, ...token(user) })).body.post.id;
  }

  return {
    'GET /': async () => ({ path: '/' }),
    'GET /api/health': async () => ({ path: '/api/health' }),
    'GET /api/openapi.json': async () => ({ path: '/api/openapi.json' }),
    'GET /.well-known/jwks.json': async () => ({ path: '/.well-known/jwks.json' }),
    'GET /.well-known/openid-configuration': async () => ({ path: '/.well-known/openid-configuration' }),
    'GET /.well-known/oauth-authorization-server': async () => ({ path: '/.well-known/oauth-authorization-server' }),
    'POST /api/token': async () => ({ path: '/api/token', options: token(await newUser()) }),
    'POST /api/register': async () => {
      const username = unique('stmt');
      return { path: '/api/register', options: { json: { username, email: `${username}@example.com`, password }, ip: IP } };
    },
    'GET /api/register/confirm/{code}': async (send) => ({ path: `/api/register/confirm/${(await registered(send)).code}` }),
    'POST /api/register/confirm/{code}': async (send) => ({ path: `/api/register/confirm/${(await registered(send)).code}` }),
    'POST /api/register/resend': async (send) => ({
      path: '/api/register/resend',
      options: { json: { email: (await registered(send)).email }, ip: IP },
    }),
    'POST /api/login': async () => {
      const user = await newUser();
      return { path: '/api/login', options: { json: { username: user.user.username, password }, ip: IP } };
    },
    'POST /api/logout': async () => ({ path: '/api/logout', options: token(await newUser()) }),
    'GET /api/me': async () => ({ path: '/api/me', options: token(await newUser()) }),
    'PATCH /api/me/profile': async () => ({ path: '/api/me/profile', options: { json: { bio: 'Counting.' }, ...token(await newUser()) } }),
    'PUT /api/me/password': async () => {
      const user = await newUser();
      return { path: '/api/me/password', options: { json: { currentPassword: password, newPassword: NEW_PASSWORD }, ...token(user) } };
    },
    'DELETE /api/me': async () => ({ path: '/api/me', options: { json: { password }, ...token(await newUser()), ip: IP } }),
    'GET /api/me/session': async () => ({ path: '/api/me/session', options: token(await newUser()) }),
    'GET /api/me/sessions': async () => ({ path: '/api/me/sessions', options: token(await newUser()) }),
    'DELETE /api/me/sessions': async () => ({ path: '/api/me/sessions', options: token(await newUser()) }),
    'GET /api/me/events': async () => ({ path: '/api/me/events', options: token(await newUser()) }),
    'POST /api/me/email': async () => ({
      path: '/api/me/email',
      options: { json: { email: `${unique('moved')}@example.com`, password }, ...token(await newUser()), ip: IP },
    }),
    'GET /api/me/email/confirm/{code}': async (send) => emailChangeConfirmation(send),
    'POST /api/me/email/confirm/{code}': async (send) => emailChangeConfirmation(send),
    'POST /api/me/mfa/totp': async () => ({ path: '/api/me/mfa/totp', options: { json: { password }, ...token(await newUser()) } }),
    'POST /api/me/mfa/totp/confirm': async (send) => {
      const user = await newUser();
      const { secret } = (await send('POST /api/me/mfa/totp', '/api/me/mfa/totp', { json: { password }, ...token(user) })).body;
      return { path: '/api/me/mfa/totp/confirm', options: { json: { code: codeAt(secret) }, ...token(user) } };
    },
    'DELETE /api/me/mfa/totp': async () => {
      const user = await newUser();
      const { secret } = await enableMfa(user.token, password);
      return { path: '/api/me/mfa/totp', options: { json: { password, code: codeAt(secret) }, ...token(user) } };
    },
    'POST /api/me/mfa/recovery-codes': async () => {
      const user = await newUser();
      const { secret } = await enableMfa(user.token, password);
      return { path: '/api/me/mfa/recovery-codes', options: { json: { password, code: codeAt(secret) }, ...token(user) } };
    },
    // Other identity providers: oidc-provider, started once in this process (tests/support/oidc-provider.ts).
    'GET /api/auth/providers': async () => {
      await sharedLocalProvider();
      return { path: '/api/auth/providers' };
    },
    'GET /api/auth/{provider}/start': async () => {
      await sharedLocalProvider();
      return { path: `/api/auth/${PROVIDER_ID}/start`, options: { ip: IP } };
    },
    'GET /api/auth/{provider}/callback': async (send) => {
      // A returning identity: its first sign-in joined the account by its proven mailbox.
      const user = await newUser();
      const back = await providerCallback(send, user);
      await send('GET /api/auth/{provider}/callback', back.path, back.options);
      return providerCallback(send, user);
    },
    'GET /api/me/identities': async () => ({ path: '/api/me/identities', options: token(await newUser()) }),
    'POST /api/me/identities': async () => {
      await sharedLocalProvider();
      return { path: '/api/me/identities', options: { json: { provider: PROVIDER_ID, password }, ...token(await newUser()), ip: IP } };
    },
    'DELETE /api/me/identities/{id}': async (send) => {
      const user = await newUser();
      const back = await providerCallback(send, user);
      await send('GET /api/auth/{provider}/callback', back.path, back.options);
      const listed = await send('GET /api/me/identities', '/api/me/identities', token(user));
      return { path: `/api/me/identities/${listed.body.items[0].id}`, options: { json: { password }, ...token(user), ip: IP } };
    },
    'POST /api/me/passkeys/options': async () => ({
      path: '/api/me/passkeys/options',
      options: { json: { password }, ...token(await newUser()), ip: IP },
    }),
    'GET /api/me/passkeys': async () => {
      const user = await newUser();
      await enrolPasskey(user.token, new SoftAuthenticator(), undefined, password);
      return { path: '/api/me/passkeys', options: token(user) };
    },
    'POST /api/me/passkeys': async (send) => {
      const user = await newUser();
      const started = await send('POST /api/me/passkeys/options', '/api/me/passkeys/options', {
        json: { password },
        ...token(user),
        ip: IP,
      });
      return {
        path: '/api/me/passkeys',
        options: { json: { response: new SoftAuthenticator().register(started.body.options) }, ...token(user) },
      };
    },
    'PATCH /api/me/passkeys/{id}': async () => {
      const user = await newUser();
      const { id } = await enrolPasskey(user.token, new SoftAuthenticator(), undefined, password);
      return { path: `/api/me/passkeys/${id}`, options: { json: { name: 'Renamed' }, ...token(user) } };
    },
    'DELETE /api/me/passkeys/{id}': async (send) => {
      // An account with passkeys only: its removal's step-up is a passkey (here the one removed).
      const user = await newUser();
      const authenticator = new SoftAuthenticator();
      const { id } = await enrolPasskey(user.token, authenticator, undefined, password);
      const started = await send('POST /api/me/step-up/options', '/api/me/step-up/options', token(user));
      const passkey = authenticator.assert(started.body.options.challenge);
      return { path: `/api/me/passkeys/${id}`, options: { json: { password, passkey }, ...token(user), ip: IP } };
    },
    'POST /api/me/step-up/options': async () => {
      const user = await newUser();
      await enrolPasskey(user.token, new SoftAuthenticator(), undefined, password);
      return { path: '/api/me/step-up/options', options: token(user) };
    },
    'POST /api/login/passkey/options': async () => ({ path: '/api/login/passkey/options', options: { ip: IP } }),
    'POST /api/login/passkey': async (send) => {
      const authenticator = new SoftAuthenticator();
      await enrolPasskey((await newUser()).token, authenticator, undefined, password);
      const started = await send('POST /api/login/passkey/options', '/api/login/passkey/options', { ip: IP });
      return { path: '/api/login/passkey', options: { json: { response: authenticator.assert(started.body.options.challenge) }, ip: IP } };
    },
    'POST /api/login/mfa': async () => {
      const user = await newUser();
      const { secret } = await enableMfa(user.token, password);
      // The first step answers 403 mfa_required, which `send` would take for a failure.
      const step = await call(login, 'POST', '/api/login', { json: { username: user.user.username, password }, ip: IP });
      return { path: '/api/login/mfa', options: { json: { mfaToken: step.body.error.mfaToken, code: codeAt(secret) }, ip: IP } };
    },
    'POST /api/login/mfa/passkey/options': async () => {
      const user = await newUser();
      await enableMfa(user.token, password);
      await enrolPasskey(user.token, new SoftAuthenticator(), undefined, password);
      const step = await call(login, 'POST', '/api/login', { json: { username: user.user.username, password }, ip: IP });
      return { path: '/api/login/mfa/passkey/options', options: { json: { mfaToken: step.body.error.mfaToken }, ip: IP } };
    },
    'DELETE /api/me/sessions/{id}': async (send) => {
      const user = await newUser();
      await send('POST /api/login', '/api/login', { json: { username: user.user.username, password }, ip: IP });
      const sessions = await send('GET /api/me/sessions', '/api/me/sessions', token(user));
      const other = sessions.body.items.find((item: { current: boolean }) => !item.current);
      return { path: `/api/me/sessions/${other.id}`, options: token(user) };
    },
    'POST /api/password/forgot': async () => ({
      path: '/api/password/forgot',
      options: { json: { email: (await newUser()).user.email }, ip: IP },
    }),
    'POST /api/password/reset': async (send) => {
      const user = await newUser();
      const forgot = await send('POST /api/password/forgot', '/api/password/forgot', { json: { email: user.user.email }, ip: IP });
      return { path: '/api/password/reset', options: { json: { token: forgot.body.token, password: NEW_PASSWORD } } };
    },
    'GET /api/users': async () => ({ path: '/api/users' }),
    'GET /api/users/{username}': async () => ({ path: `/api/users/${(await newUser()).user.username}` }),
    'GET /api/posts': async () => ({ path: '/api/posts' }),
    'GET /api/admin/users': async () => {
      const target = await newUser();
      return { path: `/api/admin/users?q=${target.user.username}`, options: token(await newAdmin()) };
    },
    'DELETE /api/admin/users/{id}': async () => ({
      path: `/api/admin/users/${(await newUser()).user.id}`,
      options: token(await newAdmin()),
    }),
    'POST /api/admin/users/{id}/ban': async () => ({
      path: `/api/admin/users/${(await newUser()).user.id}/ban`,
      options: { ...token(await newAdmin()), json: { reason: 'Spam' } },
    }),
    'DELETE /api/admin/users/{id}/ban': async (send) => {
      const admin = await newAdmin();
      const path = `/api/admin/users/${(await newUser()).user.id}/ban`;
      await send('POST /api/admin/users/{id}/ban', path, { ...token(admin), json: { reason: 'Spam' } });
      return { path, options: token(admin) };
    },
    'DELETE /api/admin/users/{id}/sessions': async () => ({
      path: `/api/admin/users/${(await newUser()).user.id}/sessions`,
      options: token(await newAdmin()),
    }),
    'POST /api/admin/users/{id}/password-reset': async () => ({
      path: `/api/admin/users/${(await newUser()).user.id}/password-reset`,
      options: token(await newAdmin()),
    }),
    'DELETE /api/admin/users/{id}/mfa': async () => {
      const target = await newUser();
      await enableMfa(target.token, password);
      const admin = await newAdmin();
      const { secret } = await enableMfa(admin.token, password);
      return { path: `/api/admin/users/${target.user.id}/mfa`, options: { ...token(admin), json: { code: codeAt(secret) } } };
    },
    'DELETE /api/admin/users/{id}/passkeys': async () => {
      const target = await newUser();
      await enrolPasskey(target.token, new SoftAuthenticator(), undefined, password);
      const admin = await newAdmin();
      const { secret } = await enableMfa(admin.token, password);
      return { path: `/api/admin/users/${target.user.id}/passkeys`, options: { ...token(admin), json: { code: codeAt(secret) } } };
    },
    'GET /api/admin/service-keys': async () => ({ path: '/api/admin/service-keys', options: token(await newAdmin()) }),
    'POST /api/admin/service-keys': async () => ({
      path: '/api/admin/service-keys',
      options: { ...token(await newAdmin()), json: { name: 'Billing', scopes: ['users:read'] } },
    }),
    'DELETE /api/admin/service-keys/{id}': async (send) => {
      const admin = await newAdmin();
      const made = await send('POST /api/admin/service-keys', '/api/admin/service-keys', {
        ...token(admin),
        json: { name: 'Billing', scopes: ['users:read'] },
      });
      return { path: `/api/admin/service-keys/${made.body.key.id}`, options: token(admin) };
    },
    'PUT /api/admin/users/{id}/role': async () => ({
      path: `/api/admin/users/${(await newUser()).user.id}/role`,
      options: { ...token(await newAdmin()), json: { role: 'admin' } },
    }),
    'GET /api/admin/users/{id}': async () => {
      const target = await newUser();
      return { path: `/api/admin/users/${target.user.id}`, options: token(await newAdmin()) };
    },
    'POST /api/posts': async () => ({
      path: '/api/posts',
      options: { json: { title: 'Counted', body: 'Text.' }, ...token(await newUser()) },
    }),
    'GET /api/posts/{id}': async (send) => ({ path: `/api/posts/${await ownPost(send, await newUser())}` }),
    'PATCH /api/posts/{id}': async (send) => {
      const user = await newUser();
      return { path: `/api/posts/${await ownPost(send, user)}`, options: { json: { title: 'Changed' }, ...token(user) } };
    },
    'DELETE /api/posts/{id}': async (send) => {
      const user = await newUser();
      return { path: `/api/posts/${await ownPost(send, user)}`, options: token(user) };
    },
    'GET /api/posts/{id}/comments': async (send) => ({ path: `/api/posts/${await ownPost(send, await newUser())}/comments` }),
    'POST /api/posts/{id}/comments': async (send) => {
      const user = await newUser();
      return { path: `/api/posts/${await ownPost(send, user)}/comments`, options: { json: { body: 'Counted.' }, ...token(user) } };
    },
    'DELETE /api/comments/{id}': async (send) => {
      const user = await newUser();
      const comment = await send('POST /api/posts/{id}/comments', `/api/posts/${await ownPost(send, user)}/comments`, {
        json: { body: 'Gone soon.' },
        ...token(user),
      });
      return { path: `/api/comments/${comment.body.comment.id}`, options: token(user) };
    },
    'POST /users': async () => ({ path: '/users', options: { form: { email: `${unique('classic')}@example.com`, password }, ip: IP } }),
    'POST /sessions': async () => {
      const user = await newUser();
      return { path: '/sessions', options: { form: { email: user.user.email, password }, ip: IP } };
    },
    'DELETE /sessions': async () => ({ path: '/sessions', options: cookie(await newUser()) }),
    'GET /profile': async () => ({ path: '/profile', options: cookie(await newUser()) }),
    'POST /reset_password': async () => ({ path: '/reset_password', options: { form: { email: (await newUser()).user.email }, ip: IP } }),
    'PUT /reset_password': async (send) => {
      const { email } = (await newUser()).user;
      const reset = await send('POST /reset_password', '/reset_password', { form: { email }, ip: IP });
      return { path: '/reset_password', options: { form: { email, reset_token: reset.body.reset_token, new_password: NEW_PASSWORD } } };
    },
  };
}

const LOGINS = new Set(['POST /api/login', 'POST /api/login/mfa', 'POST /api/login/passkey', 'POST /sessions']);

/** The README, "Performance": a read (authenticated or not) costs 1 statement, a login at most 2; other writes have no fixed budget. */
function designBudget(endpoint: string): number | null {
  // A sign-in, not a read: its pending sign-in is taken before the provider is
  // asked, and the account is known only from the provider's answer (3, stated).
  if (endpoint === 'GET /api/auth/{provider}/callback') return null;
  if (endpoint.startsWith('GET ')) return 1;
  return LOGINS.has(endpoint) ? 2 : null;
}

export async function countStatements(
  endpoints: Map<string, Endpoint>,
  account: { password: string; passwordHash: string },
): Promise<StatementCount[]> {
  const all = scenarios(account);
  const send: Send = async (name, path, options) => {
    const endpoint = endpoints.get(name);
    if (endpoint === undefined) throw new Error(`no function answers ${name}`);
    const res = await call(endpoint.handler, name.split(' ')[0]!, path, options);
    if (res.status >= 300 && res.status !== 302) throw new Error(`${name} answered ${res.status}: ${res.text.slice(0, 200)}`);
    return res;
  };
  const results: StatementCount[] = [];
  for (const [name, endpoint] of endpoints) {
    const scenario = all[name];
    const stated = endpoint.stated ?? null;
    const budget = designBudget(name);
    if (scenario === undefined) {
      results.push({ endpoint: name, status: null, counted: null, stated, budget, ok: false, error: 'no benchmark scenario' });
      continue;
    }
    try {
      const { path, options } = await scenario(send);
      let counted = 0;
      const stop = onQuery(() => counted++);
      let res: CallResult;
      try {
        res = await send(name, path, options);
      } finally {
        stop();
      }
      const ok = (stated === null || counted === stated) && (budget === null || counted <= budget);
      results.push({ endpoint: name, status: res.status, counted, stated, budget, ok });
    } catch (error) {
      results.push({ endpoint: name, status: null, counted: null, stated, budget, ok: false, error: (error as Error).message });
    }
  }
  return results;
}
