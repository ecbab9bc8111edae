// The service's log lines are JSON objects, one a line, that
// carry the request id, the declared route, method, status, duration and the
// account when known, and never a password, code, token or cookie; every
// response carries X-Request-Id, Netlify's x-nf-request-id when there is one.
import { readdir, readFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import notFound from '../../netlify/functions/api-not-found.ts';
import classicSessions from '../../netlify/functions/classic-sessions.ts';
import health from '../../netlify/functions/health.ts';
import login from '../../netlify/functions/login.ts';
import me from '../../netlify/functions/me.ts';
import scheduledPurge from '../../netlify/functions/purge.ts';
import confirm from '../../netlify/functions/register-confirm.ts';
import register from '../../netlify/functions/register.ts';
import { checkLogin } from '../../src/auth/login/login.ts';
import { ConfigError } from '../../src/config/settings.ts';
import { log } from '../../src/log/log.ts';
import { openApiDocument } from '../../src/openapi/document.ts';
import { call, type CallResult } from '../support/call.ts';
import { envPerTest } from '../support/env.ts';
import { captureLogs, type CapturedLogs, type LogLine } from '../support/logs.ts';
import { createUser, STRONG_PASSWORD, uniqueIp, uniqueName } from '../support/users.ts';

vi.mock('../../src/auth/login/login.ts', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/auth/login/login.ts')>();
  return { ...original, checkLogin: vi.fn(original.checkLogin) };
});

const ISO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const WRONG_PASSWORD = 'Not-The-Password-42!';

const env = envPerTest();
let logs: CapturedLogs;
beforeEach(() => {
  logs = captureLogs();
});
afterEach(() => logs.restore());

/** Every line is a JSON object with a time, a level and an event; none holds any of `secrets`. */
function expectCleanLines(secrets: string[]): LogLine[] {
  const lines = logs.lines();
  expect(lines.length).toBeGreaterThan(0);
  for (const line of lines) {
    expect(line.time).toMatch(ISO_TIME);
    expect(['info', 'warn', 'error']).toContain(line.level);
    expect(line.event).toMatch(/^[a-z_]+$/);
  }
  for (const secret of secrets) {
    expect(secret.length).toBeGreaterThan(8);
    for (const raw of logs.raw) expect(raw).not.toContain(secret);
  }
  return lines;
}

/** The one `request` line of the response `res`, found by its X-Request-Id. */
function requestLine(res: CallResult): LogLine {
  const id = res.headers.get('x-request-id');
  expect(id).toBeTruthy();
  const found = logs.of('request').filter((line) => line.requestId === id);
  expect(found).toHaveLength(1);
  return found[0]!;
}

const cookieValue = (res: CallResult) => /session_id=([^;]+)/.exec(res.headers.get('set-cookie') ?? '')![1]!;

describe('a login with a wrong password', () => {
  it('logs one request line: the id Netlify gave, the declared route, 401, the account tried, and not the password', async () => {
    const { user } = await createUser();
    const res = await call(login, 'POST', '/api/login', {
      json: { username: user.username, password: WRONG_PASSWORD },
      headers: { 'x-nf-request-id': '01HZX3Q4W5E6R7T8Y9U0I1O2P3' },
      ip: uniqueIp(),
    });
    expect(res.status).toBe(401);
    expect(res.headers.get('x-request-id')).toBe('01HZX3Q4W5E6R7T8Y9U0I1O2P3');
    expectCleanLines([WRONG_PASSWORD]);
    expect(logs.lines()).toEqual([
      {
        time: expect.stringMatching(ISO_TIME),
        level: 'info',
        event: 'request',
        requestId: '01HZX3Q4W5E6R7T8Y9U0I1O2P3',
        route: '/api/login',
        method: 'POST',
        accountId: user.id,
        status: 401,
        durationMs: expect.any(Number),
      },
    ]);
  });
});

describe('an unexpected error', () => {
  it('logs its class and stack frames, never its message, and the 500 request line at level error', async () => {
    const { user } = await createUser();
    // A message that holds what the request sent, as a driver's error text may.
    vi.mocked(checkLogin).mockRejectedValueOnce(new TypeError(`cannot read "${WRONG_PASSWORD}" of undefined`));
    const res = await call(login, 'POST', '/api/login', { json: { username: user.username, password: WRONG_PASSWORD }, ip: uniqueIp() });
    expect(res.status).toBe(500);
    expect(res.body).toEqual({ error: { code: 'internal_error', message: 'Something went wrong on our side.' } });
    expectCleanLines([WRONG_PASSWORD]);
    const [unhandled] = logs.of('unhandled_error');
    expect(unhandled).toMatchObject({ level: 'error', route: '/api/login', method: 'POST', errorName: 'TypeError' });
    expect(unhandled!.requestId).toBe(res.headers.get('x-request-id'));
    // Local development (the tests): the frames, to find the line that threw.
    expect(unhandled!.stack).toMatch(/^ {4}at .+logs\.test\.ts/);
    expect(requestLine(res)).toMatchObject({ level: 'error', status: 500 });
  });

  it('logs no stack in a deploy, and a code only from a fixed vocabulary (SQLSTATE, errno)', async () => {
    env({ CONTEXT: 'production' });
    vi.mocked(checkLogin).mockRejectedValueOnce(
      Object.assign(new Error('duplicate key value (email)=(someone@example.com)'), { code: '23505' }),
    );
    await call(login, 'POST', '/api/login', { json: { username: 'anyone', password: WRONG_PASSWORD }, ip: uniqueIp() });
    vi.mocked(checkLogin).mockRejectedValueOnce(Object.assign(new Error('no'), { code: 'free text, not a code' }));
    await call(login, 'POST', '/api/login', { json: { username: 'anyone', password: WRONG_PASSWORD }, ip: uniqueIp() });
    expectCleanLines(['someone@example.com', WRONG_PASSWORD]);
    expect(logs.of('unhandled_error')).toEqual([
      {
        time: expect.any(String),
        level: 'error',
        event: 'unhandled_error',
        requestId: expect.stringMatching(UUID),
        route: '/api/login',
        method: 'POST',
        errorName: 'Error',
        errorCode: '23505',
      },
      {
        time: expect.any(String),
        level: 'error',
        event: 'unhandled_error',
        requestId: expect.stringMatching(UUID),
        route: '/api/login',
        method: 'POST',
        errorName: 'Error',
      },
    ]);
  });

  it('keeps the message of a configuration error, which names a variable and never its value', () => {
    log('error', 'configuration_error', {}, new ConfigError('APP_URL: must be an http or https URL'));
    log('warn', 'odd', { note: 'x'.repeat(5000) }, 'thrown text');
    const [config, odd] = logs.lines();
    expect(config).toMatchObject({ errorName: 'ConfigError', errorMessage: 'APP_URL: must be an http or https URL' });
    expect(odd).toMatchObject({ level: 'warn', errorName: 'string', note: `${'x'.repeat(4000)}…` });
    expect(logs.raw.join('\n')).not.toContain('thrown text');
  });
});

describe('a registration, its confirmation code and the session that follows', () => {
  it('log the code and the account, never the password, the code, the token or the cookie', async () => {
    const username = uniqueName('logs');
    const ip = uniqueIp();
    const registered = await call(register, 'POST', '/api/register', {
      json: { username, email: `${username}@example.com`, password: STRONG_PASSWORD },
      ip,
    });
    expect(registered.status).toBe(201);
    const code: string = registered.body.confirmation.code;
    const accountId: number = registered.body.user.id;
    const confirmed = await call(confirm, 'GET', `/api/register/confirm/${code}`, { headers: { 'x-nf-request-id': 'confirm-1' } });
    expect(confirmed.status).toBe(200);
    const loggedIn = await call(login, 'POST', '/api/login', { json: { username, password: STRONG_PASSWORD }, ip });
    expect(loggedIn.status).toBe(200);
    const token: string = loggedIn.body.token;
    const cookie = cookieValue(loggedIn);
    const viaCookie = await call(me, 'GET', '/api/me', { cookie: `session_id=${cookie}` });
    const viaBearer = await call(me, 'GET', '/api/me', { token });
    expect([viaCookie.status, viaBearer.status]).toEqual([200, 200]);

    expectCleanLines([STRONG_PASSWORD, code, token, cookie]);
    expect(requestLine(registered)).toMatchObject({ route: '/api/register', method: 'POST', status: 201, accountId });
    expect(logs.of('code_in_response')).toEqual([
      expect.objectContaining({ level: 'info', requestId: registered.headers.get('x-request-id'), purpose: 'confirm_email', accountId }),
    ]);
    // The declared path, not the requested one: the code is in the path.
    expect(requestLine(confirmed)).toMatchObject({
      requestId: 'confirm-1',
      route: '/api/register/confirm/:code',
      method: 'GET',
      status: 200,
      accountId,
    });
    for (const res of [loggedIn, viaCookie, viaBearer]) expect(requestLine(res)).toMatchObject({ status: 200, accountId });
    expect(logs.lines().every((line) => line.event === 'request' || line.event === 'code_in_response')).toBe(true);
  });
});

describe('X-Request-Id', () => {
  it('is on every kind of answer, equal to x-nf-request-id when given and to the request line', async () => {
    const { user } = await createUser();
    const lockedOut = uniqueIp();
    const wrong = (ip: string) => ({ json: { username: user.username, password: WRONG_PASSWORD }, ip });
    let attempts = 0;
    while ((await call(login, 'POST', '/api/login', wrong(lockedOut))).status !== 429) {
      attempts += 1;
      expect(attempts).toBeLessThan(20);
    }
    type Send = (headers: Record<string, string>) => Promise<CallResult>;
    const answers: [string, Send, number][] = [
      ['catch-all 404', (headers) => call(notFound, 'GET', '/api/nope', { headers }), 404],
      ['405', (headers) => call(health, 'DELETE', '/api/health', { headers }), 405],
      ['OPTIONS', (headers) => call(login, 'OPTIONS', '/api/login', { headers }), 204],
      ['HEAD', (headers) => call(health, 'HEAD', '/api/health', { headers }), 200],
      ['401', (headers) => call(me, 'GET', '/api/me', { headers }), 401],
      ['400', (headers) => call(login, 'POST', '/api/login', { json: {}, headers }), 400],
      ['wrong password', (headers) => call(login, 'POST', '/api/login', { ...wrong(uniqueIp()), headers }), 401],
      ['429', (headers) => call(login, 'POST', '/api/login', { ...wrong(lockedOut), headers }), 429],
      [
        'classic route',
        (headers) =>
          call(classicSessions, 'POST', '/sessions', { form: { email: user.email, password: WRONG_PASSWORD }, ip: uniqueIp(), headers }),
        401,
      ],
    ];
    const generatedIds = new Set<string>();
    for (const [name, send, status] of answers) {
      const generated = await send({});
      expect(generated.status, name).toBe(status);
      expect(generated.headers.get('x-request-id'), name).toMatch(UUID);
      expect(requestLine(generated), name).toMatchObject({ status });
      generatedIds.add(generated.headers.get('x-request-id')!);
      const given = `given-${name.replace(/\W/g, '')}`;
      const withId = await send({ 'x-nf-request-id': given });
      expect(withId.headers.get('x-request-id'), name).toBe(given);
      expect(requestLine(withId), name).toMatchObject({ requestId: given, status });
    }
    // Random, not a counter: no two answers share an id.
    expect(generatedIds.size).toBe(answers.length);
  });

  it('is documented on every answer of every operation of the OpenAPI document', () => {
    type Response = { $ref?: string; headers?: object };
    type Document = {
      paths: Record<string, Record<string, { responses: Record<string, Response> }>>;
      components: { responses: Record<string, Response> };
    };
    const document = openApiDocument() as unknown as Document;
    let answers = 0;
    for (const operations of Object.values(document.paths)) {
      for (const { responses } of Object.values(operations)) {
        for (const [status, response] of Object.entries(responses)) {
          const resolved = response.$ref ? document.components.responses[response.$ref.split('/').at(-1)!]! : response;
          expect(resolved.headers, status).toHaveProperty('X-Request-Id');
          answers += 1;
        }
      }
    }
    expect(answers).toBeGreaterThan(100);
  });

  it('ignores an x-nf-request-id of an odd form and makes its own', async () => {
    for (const odd of ['has space', 'x'.repeat(129), '{"json":1}', '../etc/passwd']) {
      const res = await call(health, 'GET', '/api/health', { headers: { 'x-nf-request-id': odd } });
      expect(res.headers.get('x-request-id'), odd).toMatch(UUID);
    }
  });

  it('comes with the scheduled purge, whose steps are logged one line each', async () => {
    const res = await scheduledPurge(
      new Request('http://localhost/.netlify/functions/purge', { method: 'POST', headers: { 'x-nf-request-id': 'purge-run-7' } }),
    );
    expect(res.status).toBe(204);
    expect(res.headers.get('x-request-id')).toBe('purge-run-7');
    const steps = logs.of('purge_step');
    expect(steps.length).toBeGreaterThanOrEqual(5);
    for (const step of steps)
      expect(step).toMatchObject({ requestId: 'purge-run-7', route: 'purge', step: expect.any(String), deleted: expect.any(Number) });
    expect(logs.of('request')).toEqual([expect.objectContaining({ requestId: 'purge-run-7', route: 'purge', status: 204 })]);
  });
});

describe('the code', () => {
  it('writes its log lines through src/log only: no console call in src/ or netlify/functions but the npm scripts and the web pages', async () => {
    const root = new URL('../../', import.meta.url);
    const files = [
      ...(await readdir(new URL('src/', root), { recursive: true })).map((file) => `src/${file}`),
      ...(await readdir(new URL('netlify/functions/', root))).map((file) => `netlify/functions/${file}`),
    ].filter((file) => /\.tsx?$/.test(file) && !/^src\/(cli|web|log)\//.test(file));
    expect(files.length).toBeGreaterThan(100);
    const offenders: string[] = [];
    for (const file of files) if (/\bconsole\.\w+\(/.test(await readFile(new URL(file, root), 'utf8'))) offenders.push(file);
    expect(offenders).toEqual([]);
  });
});
