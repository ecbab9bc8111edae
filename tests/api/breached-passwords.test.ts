// The breached-password check (src/auth/passwords/breached.ts) on every route
// that sets a new password, both surfaces: msw answers as Have I Been Pwned's
// range API. A listed password is refused like any other broken rule; a slow,
// failing or garbled answer lets it through with one log line (fail open);
// only the hash's 5-character prefix leaves the process.
import { sql } from 'kysely';
import { delay, HttpResponse } from 'msw';
import { afterEach, describe, expect, it, vi } from 'vitest';
import classicReset from '../../netlify/functions/classic-reset-password.ts';
import classicUsers from '../../netlify/functions/classic-users.ts';
import mePassword from '../../netlify/functions/me-password.ts';
import forgot from '../../netlify/functions/password-forgot.ts';
import reset from '../../netlify/functions/password-reset.ts';
import register from '../../netlify/functions/register.ts';
import { isBreached } from '../../src/auth/passwords/breached.ts';
import { verifyPassword } from '../../src/auth/passwords/hash.ts';
import { PASSWORD_MESSAGES } from '../../src/auth/passwords/problems.ts';
import { ConfigError, setting } from '../../src/config/settings.ts';
import { getDb } from '../../src/db/connection.ts';
import { PWNED_PASSWORDS_API, sha1Hex, useBreachedPasswordApi, type RangeApiOptions } from '../support/breached-passwords.ts';
import { call, type CallResult } from '../support/call.ts';
import { envForFile, envPerTest } from '../support/env.ts';
import { countStatements } from '../support/statements.ts';
import { createUser, STRONG_PASSWORD, uniqueIp, uniqueName } from '../support/users.ts';

// The suite runs as local development, where the check is off unless configured.
envForFile({ BREACHED_PASSWORD_CHECK: 'on' });
const env = envPerTest();
afterEach(() => vi.restoreAllMocks());

/** Passes every local rule; each test's API decides whether it was breached. */
const PASSWORD = 'Quartz-Ember-4417!';

/** The password's hash in the row of the account with `email`, if there is one. */
async function storedHash(email: string): Promise<string | undefined> {
  const { rows } = await sql<{ password_hash: string }>`SELECT password_hash FROM users WHERE email = ${email}`.execute(getDb());
  return rows[0]?.password_hash;
}

interface Attempt {
  res: CallResult;
  /** Whether the password sent is now the account's. */
  inEffect: () => Promise<boolean>;
}

interface Flow {
  name: string;
  surface: 'api' | 'classic';
  /** The field the password was sent in, as the answer names it. */
  field: string;
  success: number;
  /** Prepares an account where needed (no new password is checked then), then sets `password` as a new password. */
  attempt: (password: string) => Promise<Attempt>;
}

const effectOf = (email: string, password: string) => async () => {
  const hash = await storedHash(email);
  return hash !== undefined && (await verifyPassword(password, hash)).ok;
};

const FLOWS: Flow[] = [
  {
    name: 'POST /api/register',
    surface: 'api',
    field: 'password',
    success: 201,
    attempt: async (password) => {
      const username = uniqueName('hibp');
      const email = `${username}@example.com`;
      const res = await call(register, 'POST', '/api/register', { json: { username, email, password }, ip: uniqueIp() });
      return { res, inEffect: effectOf(email, password) };
    },
  },
  {
    name: 'POST /users (classic)',
    surface: 'classic',
    field: 'password',
    success: 200,
    attempt: async (password) => {
      const email = `${uniqueName('hibp')}@example.com`;
      const res = await call(classicUsers, 'POST', '/users', { form: { email, password }, ip: uniqueIp() });
      return { res, inEffect: effectOf(email, password) };
    },
  },
  {
    name: 'PUT /api/me/password',
    surface: 'api',
    field: 'newPassword',
    success: 200,
    attempt: async (password) => {
      const { user, token } = await createUser();
      const res = await call(mePassword, 'PUT', '/api/me/password', {
        token,
        json: { currentPassword: STRONG_PASSWORD, newPassword: password },
      });
      return { res, inEffect: effectOf(user.email, password) };
    },
  },
  {
    name: 'POST /api/password/reset',
    surface: 'api',
    field: 'password',
    success: 200,
    attempt: async (password) => {
      const { user } = await createUser();
      const asked = await call(forgot, 'POST', '/api/password/forgot', { json: { email: user.email }, ip: uniqueIp() });
      const res = await call(reset, 'POST', '/api/password/reset', { json: { token: asked.body.token, password } });
      return { res, inEffect: effectOf(user.email, password) };
    },
  },
  {
    name: 'PUT /reset_password (classic)',
    surface: 'classic',
    field: 'new_password',
    success: 200,
    attempt: async (password) => {
      const { user } = await createUser();
      const asked = await call(classicReset, 'POST', '/reset_password', { form: { email: user.email }, ip: uniqueIp() });
      const form = { email: user.email, reset_token: asked.body.reset_token, new_password: password };
      const res = await call(classicReset, 'PUT', '/reset_password', { form });
      return { res, inEffect: effectOf(user.email, password) };
    },
  },
];

/** The 400 every surface gives a refused password, with exactly `rules` for it. */
function expectRefused(flow: Flow, res: CallResult, rules: string[]): void {
  expect(res.status).toBe(400);
  if (flow.surface === 'api') expect(res.body.error).toMatchObject({ code: 'validation_failed', details: { [flow.field]: rules } });
  else expect(res.body).toEqual({ message: rules.map((rule) => `${flow.field} ${rule}`).join('; ') });
}

/** The reasons of the `breached_check_skipped` lines logged, checked to hold neither the password nor its hash beyond the prefix. */
function skipLines(warn: ReturnType<typeof vi.spyOn>, password: string): string[] {
  const lines = warn.mock.calls.map((args) => args.map(String).join(' '));
  const text = lines.join('\n');
  expect(text).not.toContain(password);
  expect(text).not.toContain(sha1Hex(password).slice(5));
  const parsed = lines.map((line) => JSON.parse(line) as { event: string; reason?: string });
  return parsed.filter((line) => line.event === 'breached_check_skipped').map((line) => line.reason!);
}

const FAIL_OPEN: { name: string; reply: RangeApiOptions['reply']; reason: RegExp; timeout?: string }[] = [
  {
    name: 'no answer within the timeout',
    reply: async () => {
      await delay(2_000);
      return new HttpResponse('', { status: 200 });
    },
    reason: /no answer within 100 ms/,
    timeout: '100ms',
  },
  {
    name: 'a body that stops half-way for longer than the timeout',
    reply: () => {
      const stalled = new ReadableStream<Uint8Array>({
        start: (controller) => controller.enqueue(new TextEncoder().encode(`${'0'.repeat(35)}:3\r\n`)),
      });
      return new HttpResponse(stalled, { headers: { 'content-type': 'text/plain' } });
    },
    reason: /no answer within 100 ms/,
    timeout: '100ms',
  },
  { name: 'a 5xx', reply: () => new HttpResponse('upstream unavailable', { status: 503 }), reason: /answered 503/ },
  { name: 'a malformed body', reply: () => HttpResponse.html('<html><body>Attention required</body></html>'), reason: /malformed body/ },
  { name: 'an empty body', reply: () => new HttpResponse('', { status: 200 }), reason: /malformed body/ },
  { name: 'a network error', reply: () => HttpResponse.error(), reason: /request failed/ },
  {
    name: 'a redirect to http:// (never followed)',
    reply: () => new HttpResponse(null, { status: 302, headers: { location: 'http://api.pwnedpasswords.com/range/00000' } }),
    reason: /answered 302/,
  },
  {
    name: 'an answer of 320,000 bytes of range lines (dropped unread)',
    reply: () => new HttpResponse(`${'0'.repeat(35)}:0\r\n`.repeat(8_000), { headers: { 'content-type': 'text/plain' } }),
    reason: /answered more than 262144 bytes/,
  },
  {
    name: 'an answer of 320,000 bytes of range lines, streamed without a length',
    reply: () => {
      const line = new TextEncoder().encode(`${'0'.repeat(35)}:0\r\n`.repeat(1_000));
      let sent = 0;
      const stream = new ReadableStream<Uint8Array>({
        pull: (controller) => (sent++ < 8 ? controller.enqueue(line) : controller.close()),
      });
      return new HttpResponse(stream, { headers: { 'content-type': 'text/plain' } });
    },
    reason: /answered more than 262144 bytes/,
  },
];

describe.each(FLOWS)('$name', (flow) => {
  it('refuses a breached password as a listed rule (400), writing nothing', async () => {
    const api = useBreachedPasswordApi({ listed: { [PASSWORD]: 3_861_493 } });
    const warn = vi.spyOn(console, 'warn');
    const { res, inEffect } = await flow.attempt(PASSWORD);
    expectRefused(flow, res, [PASSWORD_MESSAGES.breached]);
    expect(await inEffect()).toBe(false);
    expect(api.requests).toHaveLength(1);
    expect(skipLines(warn, PASSWORD)).toEqual([]);
  });

  it('accepts a password the API does not list; only the 5-character prefix leaves, with Add-Padding', async () => {
    const api = useBreachedPasswordApi();
    const { res, inEffect } = await flow.attempt(PASSWORD);
    expect(res.status).toBe(flow.success);
    expect(await inEffect()).toBe(true);
    expect(api.requests).toHaveLength(1);
    const [request] = api.requests;
    const hash = sha1Hex(PASSWORD);
    expect(request!.url.pathname).toBe(`/range/${hash.slice(0, 5)}`);
    expect(request!.url.search).toBe('');
    expect(request!.body).toBe('');
    expect(request!.headers.get('add-padding')).toBe('true');
    const sent = `${request!.url.href}\n${[...request!.headers].join('\n')}`;
    expect(sent).not.toContain(hash.slice(5));
    expect(sent).not.toContain(PASSWORD);
  });

  it('accepts a password whose suffix is in the answer only as padding (count 0)', async () => {
    const api = useBreachedPasswordApi({ listed: { [PASSWORD]: 0 } });
    const { res, inEffect } = await flow.attempt(PASSWORD);
    expect(res.status).toBe(flow.success);
    expect(await inEffect()).toBe(true);
    expect(api.requests[0]!.answer).toContain(`\r\n${sha1Hex(PASSWORD).slice(5)}:0`);
  });

  it.each(FAIL_OPEN)('accepts the password after $name, with one log line', async ({ reply, reason, timeout }) => {
    if (timeout !== undefined) env({ BREACHED_PASSWORD_TIMEOUT: timeout });
    const api = useBreachedPasswordApi({ reply });
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const { res, inEffect } = await flow.attempt(PASSWORD);
    expect(res.status).toBe(flow.success);
    expect(await inEffect()).toBe(true);
    expect(api.requests).toHaveLength(1);
    const lines = skipLines(warn, PASSWORD);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(reason);
  });

  it('does not ask about a password that already breaks a local rule', async () => {
    const api = useBreachedPasswordApi({ listed: { 'Short1!': 12 } });
    const { res } = await flow.attempt('Short1!');
    expectRefused(flow, res, [PASSWORD_MESSAGES.tooShort]);
    expect(api.requests).toEqual([]);
  });

  it('adds no SQL statement', async () => {
    const counted = async () => (await countStatements(() => flow.attempt(PASSWORD).then(({ res }) => res.status))).statements;
    env({ BREACHED_PASSWORD_CHECK: 'off' });
    const without = await counted();
    env({ BREACHED_PASSWORD_CHECK: 'on' });
    const api = useBreachedPasswordApi();
    expect(await counted()).toBe(without);
    expect(api.requests).toHaveLength(1);
  });
});

describe('the check', () => {
  it('waits for the account on a reset: a password with the username in it is refused without asking', async () => {
    const api = useBreachedPasswordApi();
    const { user } = await createUser();
    const asked = await call(forgot, 'POST', '/api/password/forgot', { json: { email: user.email }, ip: uniqueIp() });
    const res = await call(reset, 'POST', '/api/password/reset', { json: { token: asked.body.token, password: `${user.username}-Q7!` } });
    expectRefused(FLOWS[3]!, res, [PASSWORD_MESSAGES.username, PASSWORD_MESSAGES.emailLocalPart]);
    expect(api.requests).toEqual([]);
  });

  it('hashes the password as it is stored (NFC): a decomposed spelling of a breached one is refused', async () => {
    const composed = 'Café-Quartz-4417!'.normalize('NFC');
    useBreachedPasswordApi({ listed: { [composed]: 52 } });
    const { res } = await FLOWS[0]!.attempt(composed.normalize('NFD'));
    expectRefused(FLOWS[0]!, res, [PASSWORD_MESSAGES.breached]);
  });

  it('asks BREACHED_PASSWORD_API_URL when it is set', async () => {
    env({ BREACHED_PASSWORD_API_URL: 'https://pwned.example.test/mirror/' });
    const api = useBreachedPasswordApi({ base: 'https://pwned.example.test/mirror', listed: { [PASSWORD]: 7 } });
    const { res } = await FLOWS[0]!.attempt(PASSWORD);
    expectRefused(FLOWS[0]!, res, [PASSWORD_MESSAGES.breached]);
    expect(api.requests.map((r) => r.url.pathname)).toEqual([`/mirror/range/${sha1Hex(PASSWORD).slice(0, 5)}`]);
  });
});

describe('BREACHED_PASSWORD_* settings', () => {
  const notTheTestRunner = { VITEST: '', VITEST_WORKER_ID: '', VITEST_POOL_ID: '', NODE_ENV: '' };

  it.each([
    ['the test runner', {}, false],
    ['netlify dev', { ...notTheTestRunner, NETLIFY_DEV: 'true', CONTEXT: 'dev' }, false],
    ['a deploy preview', { CONTEXT: 'deploy-preview' }, true],
    ['production', { CONTEXT: 'production' }, true],
    ['the built functions run by hand', notTheTestRunner, true],
    ['production with BREACHED_PASSWORD_CHECK=off', { CONTEXT: 'production', BREACHED_PASSWORD_CHECK: 'off' }, false],
    ['the test runner with BREACHED_PASSWORD_CHECK=on', { BREACHED_PASSWORD_CHECK: 'on' }, true],
  ])('the check is on by default only outside local development: %s → %s', (_, values, on) => {
    env({ BREACHED_PASSWORD_CHECK: undefined, ...values });
    expect(setting('breachedPasswordCheck')).toBe(on);
  });

  it('reads the API base and the timeout, with defaults', () => {
    expect([setting('breachedPasswordApiUrl'), setting('breachedPasswordTimeoutMs')]).toEqual([PWNED_PASSWORDS_API, 1_000]);
    env({ BREACHED_PASSWORD_API_URL: 'https://pwned.example.test/', BREACHED_PASSWORD_TIMEOUT: '750ms' });
    expect([setting('breachedPasswordApiUrl'), setting('breachedPasswordTimeoutMs')]).toEqual(['https://pwned.example.test', 750]);
  });

  it.each([
    ['production', { CONTEXT: 'production' }],
    ['a deploy preview', { CONTEXT: 'deploy-preview' }],
    ['a Netlify function whose CONTEXT is missing', { ...notTheTestRunner, AWS_LAMBDA_FUNCTION_NAME: 'register' }],
  ])('refuses an http:// or malformed BREACHED_PASSWORD_API_URL in a deploy context, naming it: %s', (_, values) => {
    for (const url of ['http://pwned.example.test', 'pwned.example.test']) {
      env({ ...values, BREACHED_PASSWORD_API_URL: url });
      expect(() => setting('breachedPasswordApiUrl')).toThrow(ConfigError);
      expect(() => setting('breachedPasswordApiUrl')).toThrow(/^BREACHED_PASSWORD_API_URL: must be an/);
    }
    env({ ...values, BREACHED_PASSWORD_API_URL: 'https://pwned.example.test/' });
    expect(setting('breachedPasswordApiUrl')).toBe('https://pwned.example.test');
  });

  it('takes an http:// mirror in local development', () => {
    env({ BREACHED_PASSWORD_API_URL: 'http://pwned.example.test/' });
    expect(setting('breachedPasswordApiUrl')).toBe('http://pwned.example.test');
  });

  it('fails open on a refused BREACHED_PASSWORD_API_URL: the password passes, asked of nobody, and the line names the variable', async () => {
    env({ CONTEXT: 'production', BREACHED_PASSWORD_API_URL: 'http://pwned.example.test' });
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    expect(await isBreached(PASSWORD)).toBe(false);
    expect(skipLines(warn, PASSWORD)).toEqual(['BREACHED_PASSWORD_API_URL is refused']);
    expect(warn.mock.calls.map(String).join('\n')).toContain(
      '"errorMessage":"BREACHED_PASSWORD_API_URL: must be an https URL in a deploy context"',
    );
  });

  it.each([
    ['BREACHED_PASSWORD_CHECK', 'yes', 'breachedPasswordCheck', /BREACHED_PASSWORD_CHECK: must be on or off/],
    [
      'BREACHED_PASSWORD_API_URL',
      'ftp://pwned.example.test',
      'breachedPasswordApiUrl',
      /BREACHED_PASSWORD_API_URL: must be an http or https URL/,
    ],
    ['BREACHED_PASSWORD_TIMEOUT', '20s', 'breachedPasswordTimeoutMs', /BREACHED_PASSWORD_TIMEOUT: must be at most 10s/],
    ['BREACHED_PASSWORD_TIMEOUT', 'soon', 'breachedPasswordTimeoutMs', /BREACHED_PASSWORD_TIMEOUT: must be a positive duration/],
  ] as const)('refuses %s=%s, naming it', (variable, value, name, message) => {
    env({ [variable]: value });
    expect(() => setting(name)).toThrow(ConfigError);
    expect(() => setting(name)).toThrow(message);
  });
});
