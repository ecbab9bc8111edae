// A deploy-shaped run: the shipped bundles (dist/functions, built by the test
// run's global setup exactly as `npm run build` builds them for Netlify), not
// the sources, under CONTEXT=production and CONTEXT=deploy-preview, with msw
// as the mail provider. Each context imports its own copy of the bundles, so
// each reads its own settings, as a separate deploy would.
import type { Context } from '@netlify/functions';
import { http, HttpResponse } from 'msw';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { FUNCTIONS_OUT } from '../../src/cli/function-bundles.ts';
import { useBreachedPasswordApi, type RangeRequest } from '../support/breached-passwords.ts';
import { outbound } from '../support/outbound-http.ts';
import { STRONG_PASSWORD, uniqueIp, uniqueName } from '../support/users.ts';

type Shipped = (req: Request, context: Context) => Promise<Response>;

const MAIL = 'https://api.mail.example.test/emails';
const SITE = 'https://auth.example.test';
const PREVIEW = 'https://deploy-preview-3--auth.netlify.app';
const SECRET = /[A-Za-z0-9_-]{43}/;

const saved = { ...process.env };
afterAll(() => {
  for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
  Object.assign(process.env, saved);
});

describe.each([
  ['production', SITE],
  ['deploy-preview', PREVIEW],
])('the shipped functions under CONTEXT=%s', (context, base) => {
  const sent: { to: string; text: string }[] = [];
  const logs: string[] = [];
  let breachChecks: RangeRequest[] = [];
  const load = async (name: string) => ((await import(`${FUNCTIONS_OUT}${name}.mjs?context=${context}`)) as { default: Shipped }).default;
  const send = async (fn: Shipped, method: string, path: string, body?: unknown, token?: string) => {
    const headers: Record<string, string> = body === undefined ? {} : { 'content-type': 'application/json' };
    if (token !== undefined) headers.authorization = `Bearer ${token}`;
    const req = new Request(`${base}${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    const res = await fn(req, { ip, params: {} } as unknown as Context);
    const text = await res.text();
    return { status: res.status, headers: res.headers, text, body: text === '' ? null : JSON.parse(text) };
  };
  const ip = uniqueIp();

  beforeAll(() => {
    // The deploy's variables, before its copy of the bundles reads any of them. Not the test runner's.
    Object.assign(process.env, {
      CONTEXT: context,
      URL: SITE,
      DEPLOY_PRIME_URL: PREVIEW,
      NETLIFY_DEV: '',
      VITEST: '',
      NODE_ENV: '',
      MAIL_API_URL: MAIL,
      MAIL_API_KEY: 'mail-key',
      MAIL_FROM: 'Accounts <no-reply@example.test>',
    });
    outbound.use(
      http.post(MAIL, async ({ request }) => {
        const body = (await request.json()) as { to: string; text: string };
        sent.push(body);
        return HttpResponse.json({ id: `m${sent.length}` });
      }),
    );
    // On by default in a deploy: Have I Been Pwned's range API, answered by msw.
    breachChecks = useBreachedPasswordApi().requests;
    for (const level of ['log', 'info', 'warn', 'error'] as const) {
      vi.spyOn(console, level).mockImplementation((...args: unknown[]) => void logs.push(args.map(String).join(' ')));
    }
  });
  afterAll(() => vi.restoreAllMocks());

  it('registers, confirms by the e-mailed link, logs in, resets the password: no code in any response or log line', async () => {
    const [register, confirm, login, me, forgot, reset, notFound] = (await Promise.all(
      ['register', 'register-confirm', 'login', 'me', 'password-forgot', 'password-reset', 'api-not-found'].map(load),
    )) as [Shipped, Shipped, Shipped, Shipped, Shipped, Shipped, Shipped];
    const username = uniqueName('ship');
    const email = `${username}@example.com`;
    const responses: string[] = [];
    const registered = await send(register, 'POST', '/api/register', { username, email, password: STRONG_PASSWORD });
    responses.push(registered.text);
    expect(registered.status).toBe(201);
    expect(registered.body.confirmation).toEqual({ expiresAt: expect.any(String) });
    const link = new RegExp(`${base}/app/confirm\\?code=(${SECRET.source})`).exec(sent.at(-1)!.text)!;
    expect(link).not.toBeNull();
    expect((await send(confirm, 'GET', `/api/register/confirm/${link[1]}`)).status).toBe(200);
    const session = await send(login, 'POST', '/api/login', { username, password: STRONG_PASSWORD });
    expect(session.status).toBe(200);
    const mine = await send(me, 'GET', '/api/me', undefined, session.body.token);
    expect(mine.body.user.username).toBe(username);
    const asked = await send(forgot, 'POST', '/api/password/forgot', { email });
    responses.push(asked.text);
    expect(asked.status).toBe(202);
    const token = new RegExp(`reset token is: (${SECRET.source})`).exec(sent.at(-1)!.text)![1]!;
    expect(sent.at(-1)!.text).toContain(`${base}/app/reset?token=${token}`);
    expect((await send(reset, 'POST', '/api/password/reset', { token, password: 'Granite-Meadow-58?' })).status).toBe(200);
    expect([...responses, ...logs].join('\n')).not.toMatch(SECRET);
    // Both new passwords (the registration's, the reset's) were checked against breaches.
    expect(breachChecks).toHaveLength(2);
    const missing = await send(notFound, 'GET', '/api/nope');
    expect([missing.status, missing.body.error.code, missing.headers.get('strict-transport-security')]).toEqual([
      404,
      'not_found',
      'max-age=31536000',
    ]);
  });
});
