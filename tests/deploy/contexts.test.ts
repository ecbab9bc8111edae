// The same account flows under every context a function can run in. Codes and
// reset tokens leave in a response only in local development (netlify dev, the
// tests), never in a log line; in a deploy preview, a branch deploy or production
// they go by e-mail, and without a mail provider the routes that would issue
// one answer 503 and write nothing.
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import classicReset from '../../netlify/functions/classic-reset-password.ts';
import forgot from '../../netlify/functions/password-forgot.ts';
import register from '../../netlify/functions/register.ts';
import resend from '../../netlify/functions/register-resend.ts';
import { resetDeliveryWarnings } from '../../src/auth/codes/delivery.ts';
import { getDb } from '../../src/db/connection.ts';
import { useMailProvider, type SentMail } from '../support/accounts.ts';
import { useBreachedPasswordApi, type RangeRequest } from '../support/breached-passwords.ts';
import { call, type CallResult } from '../support/call.ts';
import { skipAhead } from '../support/clock.ts';
import { setEnv } from '../support/env.ts';
import { captureLogs, type LogLine } from '../support/logs.ts';
import { createUser, STRONG_PASSWORD, uniqueIp, uniqueName } from '../support/users.ts';

/** A code or token: 32 random bytes in base64url. */
const SECRET = /[A-Za-z0-9_-]{43}/;

interface Environment {
  name: string;
  env: Record<string, string>;
  local: boolean;
}

/** Outside the test runner: no VITEST, no NODE_ENV=test (an empty value counts as unset). */
const notTheTestRunner = { VITEST: '', VITEST_WORKER_ID: '', VITEST_POOL_ID: '', NODE_ENV: '' };
const ENVIRONMENTS: Environment[] = [
  { name: 'the test runner', env: {}, local: true },
  { name: 'netlify dev (CONTEXT=dev)', env: { ...notTheTestRunner, NETLIFY_DEV: 'true', CONTEXT: 'dev' }, local: true },
  { name: 'a deploy preview', env: { CONTEXT: 'deploy-preview' }, local: false },
  { name: 'a branch deploy', env: { CONTEXT: 'branch-deploy' }, local: false },
  { name: 'production', env: { CONTEXT: 'production' }, local: false },
  { name: 'a Netlify function whose CONTEXT is missing', env: { ...notTheTestRunner, AWS_LAMBDA_FUNCTION_NAME: 'register' }, local: false },
  { name: 'the built functions run by hand (no netlify dev)', env: notTheTestRunner, local: false },
];

interface Observed {
  responses: CallResult[];
  /** The log lines but the `request` line of each response. */
  logs: LogLine[];
  /** Every log line as written. */
  raw: string[];
  sent: SentMail[];
  email: string;
  /** Requests to the breached-password API (msw). */
  breachChecks: RangeRequest[];
}

/** Register, resend, forgot (JSON API) and the classic reset request, capturing every response, log line and e-mail. */
async function flows(environment: Environment, withMail: boolean): Promise<Observed> {
  const username = uniqueName('ctx');
  const email = `${username}@example.com`;
  const { user } = await createUser();
  const mail = withMail ? useMailProvider() : undefined;
  const breachApi = useBreachedPasswordApi();
  const restoreEnv = setEnv(environment.env);
  resetDeliveryWarnings();
  const logs = captureLogs();
  try {
    const ip = uniqueIp();
    const responses = [await call(register, 'POST', '/api/register', { json: { username, email, password: STRONG_PASSWORD }, ip })];
    // A minute later: a live code or token younger than that is kept, not sent again.
    skipAhead();
    responses.push(await call(resend, 'POST', '/api/register/resend', { json: { email }, ip }));
    responses.push(await call(forgot, 'POST', '/api/password/forgot', { json: { email: user.email }, ip }));
    skipAhead();
    responses.push(await call(classicReset, 'POST', '/reset_password', { form: { email: user.email }, ip }));
    expect(logs.of('request').map((line) => line.status)).toEqual(responses.map((r) => r.status));
    return {
      responses,
      logs: logs.lines().filter((line) => line.event !== 'request'),
      raw: logs.raw,
      sent: mail?.sent ?? [],
      email,
      breachChecks: breachApi.requests,
    };
  } finally {
    restoreEnv();
    logs.restore();
    mail?.restore();
  }
}

async function accountExists(email: string): Promise<boolean> {
  const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM users WHERE email = ${email}`.execute(getDb());
  return rows[0]!.n === 1;
}

afterEach(() => resetDeliveryWarnings());

describe.each(ENVIRONMENTS)('in $name', (environment) => {
  it('with a mail provider: every code and token goes by e-mail, none in a response or a log line', async () => {
    const { responses, raw, sent, breachChecks } = await flows(environment, true);
    expect(responses.map((r) => r.status)).toEqual([201, 202, 202, 200]);
    // The registration's new password: checked against breaches in a deploy, not in local development.
    expect(breachChecks).toHaveLength(environment.local ? 0 : 1);
    expect(sent.map((m) => m.body.subject)).toEqual([
      'Confirm your account',
      'Confirm your account',
      'Reset your password',
      'Reset your password',
    ]);
    const secrets = sent.map((m) => SECRET.exec(m.body.text)![0]);
    const visible = [...responses.map((r) => r.text), ...raw].join('\n');
    for (const secret of secrets) expect(visible).not.toContain(secret);
    expect(visible).not.toMatch(SECRET);
  });

  if (environment.local) {
    it('without one: codes and tokens come back in the responses (local development), and are never logged', async () => {
      const { responses, logs, raw } = await flows(environment, false);
      expect(responses.map((r) => r.status)).toEqual([201, 202, 202, 200]);
      const [registered, resent, forgotten, classic] = responses.map((r) => r.body);
      expect(registered.confirmation.code).toMatch(SECRET);
      expect(resent.confirmation.code).toMatch(SECRET);
      expect(forgotten.token).toMatch(SECRET);
      expect(classic.reset_token).toMatch(SECRET);
      expect(logs.map((line) => [line.event, line.purpose])).toEqual([
        ['code_in_response', 'confirm_email'],
        ['code_in_response', 'confirm_email'],
        ['code_in_response', 'reset_password'],
        ['code_in_response', 'reset_password'],
      ]);
      expect(raw.join('\n')).not.toMatch(SECRET);
    });
  } else {
    it('without one: 503 on every route that must send, nothing written, one log line naming the variables', async () => {
      const { responses, logs, raw, email } = await flows(environment, false);
      expect(responses.map((r) => r.status)).toEqual([503, 503, 503, 503]);
      expect(responses.slice(0, 3).map((r) => r.body.error.code)).toEqual([
        'service_unavailable',
        'service_unavailable',
        'service_unavailable',
      ]);
      expect(responses[3]!.body).toEqual({ message: expect.any(String) });
      expect(await accountExists(email)).toBe(false);
      expect(logs).toEqual([
        expect.objectContaining({
          level: 'error',
          event: 'mail_not_configured',
          message: expect.stringMatching(/^set MAIL_API_URL and MAIL_FROM \(and MAIL_API_KEY\)/),
        }),
      ]);
      expect([...responses.map((r) => r.text), ...raw].join('\n')).not.toMatch(SECRET);
    });
  }
});

describe('RETURN_CODES_IN_RESPONSES, the explicit opt-in', () => {
  it('returns codes outside netlify dev and the tests, off any Netlify deploy', async () => {
    const environment = ENVIRONMENTS.find((e) => e.name.startsWith('the built functions'))!;
    const { responses } = await flows({ ...environment, env: { ...environment.env, RETURN_CODES_IN_RESPONSES: 'true' } }, false);
    expect(responses.map((r) => r.status)).toEqual([201, 202, 202, 200]);
    expect(responses[0]!.body.confirmation.code).toMatch(SECRET);
  });

  const deploys = ENVIRONMENTS.filter((e) => !e.local && !e.name.startsWith('the built functions'));
  it.each(deploys)('is refused in $name', async (environment) => {
    const { responses, logs } = await flows({ ...environment, env: { ...environment.env, RETURN_CODES_IN_RESPONSES: 'true' } }, false);
    expect(responses.map((r) => r.status)).toEqual([503, 503, 503, 503]);
    expect(logs.map((line) => line.event)).toEqual(['return_codes_refused', 'mail_not_configured']);
    expect(logs[0]!.message).toMatch(/^RETURN_CODES_IN_RESPONSES is refused in a .+ deploy/);
  });
});

describe('links in e-mails', () => {
  const SITE = 'https://auth.example.test';
  const PREVIEW = 'https://deploy-preview-7--auth.netlify.app';

  /** Register and ask for a reset from a Host an attacker chose; the two messages sent. */
  async function messages(env: Record<string, string>): Promise<string[]> {
    const mail = useMailProvider();
    useBreachedPasswordApi();
    const restoreEnv = setEnv({ URL: SITE, DEPLOY_PRIME_URL: PREVIEW, ...env });
    try {
      const username = uniqueName('link');
      const { user } = await createUser();
      const post = (path: string, body: unknown) =>
        new Request(`https://evil.example${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
      const context = { ip: uniqueIp(), params: {} } as never;
      expect(
        (await register(post('/api/register', { username, email: `${username}@example.com`, password: STRONG_PASSWORD }), context)).status,
      ).toBe(201);
      expect((await forgot(post('/api/password/forgot', { email: user.email }), context)).status).toBe(202);
      return mail.sent.map((m) => m.body.text);
    } finally {
      restoreEnv();
      mail.restore();
    }
  }

  it.each([
    ['deploy-preview', PREVIEW],
    ['branch-deploy', PREVIEW],
    ['production', SITE],
  ])('in %s point at %s, never at the Host of the request', async (context, base) => {
    const [confirm, reset] = await messages({ CONTEXT: context });
    // The web pages of this deploy (APP_URL unset): /app/confirm and /app/reset.
    expect(confirm).toMatch(new RegExp(`${base}/app/confirm\\?code=[A-Za-z0-9_-]{43}`));
    expect(reset).toMatch(new RegExp(`${base}/app/reset\\?token=[A-Za-z0-9_-]{43}`));
    expect([confirm, reset].join('\n')).not.toContain('evil.example');
  });

  it('point at APP_URL when a front end serves the confirm and reset pages', async () => {
    const [confirm, reset] = await messages({ CONTEXT: 'deploy-preview', APP_URL: 'https://app.example.test/' });
    expect(confirm).toMatch(/https:\/\/app\.example\.test\/confirm\?code=[A-Za-z0-9_-]{43}/);
    expect(reset).toMatch(/https:\/\/app\.example\.test\/reset\?token=[A-Za-z0-9_-]{43}/);
  });
});
