// Errors nobody planned for: an exception inside a
// handler whose message names a table and a secret gives the generic 500 body
// on both surfaces with none of its text; the log line says what failed and
// where (never the message, which may quote a secret) and names the
// declared path, never a secret from the request's path (a confirmation code).
import pg from 'pg';
import { afterEach, describe, expect, it, vi } from 'vitest';
import postsId from '../../netlify/functions/posts-id.ts';
import classicSessions from '../../netlify/functions/classic-sessions.ts';
import login from '../../netlify/functions/login.ts';
import confirm from '../../netlify/functions/register-confirm.ts';
import { confirmEmail } from '../../src/auth/signup/confirmation.ts';
import { checkLogin } from '../../src/auth/login/login.ts';
import { call } from '../support/call.ts';
import { captureLogs } from '../support/logs.ts';
import { createUser } from '../support/users.ts';
import { expectUnavailable, responseProblems } from './harness.ts';

vi.mock('../../src/auth/login/login.ts', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/auth/login/login.ts')>();
  return { ...original, checkLogin: vi.fn(original.checkLogin) };
});
vi.mock('../../src/auth/signup/confirmation.ts', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/auth/signup/confirmation.ts')>();
  return { ...original, confirmEmail: vi.fn(original.confirmEmail) };
});

const SECRET = process.env.JWT_SECRET!;
const leaky = () => new Error(`insert into "sessions" failed: relation "users" is locked; key ${SECRET}`);
const CODE = 'Q'.repeat(43);

afterEach(() => vi.restoreAllMocks());

describe('an unexpected error inside a handler', () => {
  it('is the generic 500 on the JSON API, with nothing of its message', async () => {
    const logs = captureLogs();
    vi.mocked(checkLogin).mockRejectedValueOnce(leaky());
    const res = await call(login, 'POST', '/api/login', { json: { username: 'someone', password: 'x' } });
    expect(res.status).toBe(500);
    expect(res.body).toEqual({ error: { code: 'internal_error', message: 'Something went wrong on our side.' } });
    expect(res.text).not.toMatch(/sessions|users|relation|insert/i);
    expect(res.text).not.toContain(SECRET);
    // The operator's line says what failed and where (the frames, in local development), without the message.
    expect(logs.of('unhandled_error')).toEqual([
      expect.objectContaining({ route: '/api/login', errorName: 'Error', stack: expect.stringMatching(/^ {4}at /) }),
    ]);
    expect(logs.raw.join('\n')).not.toMatch(/relation|sessions/);
    expect(logs.raw.join('\n')).not.toContain(SECRET);
  });

  it('is the generic 500 on the classic routes, with nothing of its message', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    vi.mocked(checkLogin).mockRejectedValueOnce(leaky());
    const res = await call(classicSessions, 'POST', '/sessions', { form: { email: 'someone@example.com', password: 'x' } });
    expect(res.status).toBe(500);
    expect(res.body).toEqual({ message: 'Something went wrong on our side.' });
    expect(res.text).not.toContain(SECRET);
    // Nothing but its status is wrong with it: no stack, SQL, driver text or secret.
    expect(responseProblems(res, 'classic')).toEqual(['status 500']);
  });
});

describe('log lines of a path that carries a secret', () => {
  it('name the declared path, not the confirmation code, on a 500', async () => {
    const logs = captureLogs();
    vi.mocked(confirmEmail).mockRejectedValueOnce(new Error('boom'));
    expect((await call(confirm, 'GET', `/api/register/confirm/${CODE}`)).status).toBe(500);
    expect(logs.lines().map((line) => [line.event, line.route])).toEqual([
      ['unhandled_error', '/api/register/confirm/:code'],
      ['request', '/api/register/confirm/:code'],
    ]);
    expect(logs.raw.join('\n')).not.toContain(CODE);
  });

  it('every line names the declared path, never the requested one, whatever its parameters', async () => {
    const logs = captureLogs();
    expect((await call(postsId, 'GET', '/api/posts/424242?pageSize=2')).status).toBe(404);
    expect(logs.of('request')).toEqual([expect.objectContaining({ route: '/api/posts/:id', status: 404 })]);
    expect(logs.raw.join('\n')).not.toContain('424242');
  });

  it('and on a 503', async () => {
    const logs = captureLogs();
    vi.mocked(confirmEmail).mockRejectedValueOnce(
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
    );
    expectUnavailable(await call(confirm, 'POST', `/api/register/confirm/${CODE}`), 'api');
    expect(logs.of('database_unavailable')).toEqual([
      expect.objectContaining({ level: 'error', route: '/api/register/confirm/:code', method: 'POST', errorCode: 'ECONNREFUSED' }),
    ]);
    expect(logs.raw.join('\n')).not.toContain(CODE);
  });
});

/** A deadlock as Postgres reports it: two transactions, each waiting on the row the other holds. */
async function realDeadlock(): Promise<unknown> {
  const ids = [(await createUser()).user.id, (await createUser()).user.id];
  const clients = [0, 1].map(() => new pg.Client({ connectionString: process.env.DATABASE_URL }));
  await Promise.all(clients.map((c) => c.connect()));
  try {
    const touch = (c: pg.Client, id: number) => c.query('UPDATE users SET updated_at = now() WHERE id = $1', [id]);
    for (const [i, c] of clients.entries()) {
      await c.query('BEGIN');
      await touch(c, ids[i]!);
    }
    const crossed = await Promise.allSettled(clients.map((c, i) => touch(c, ids[1 - i]!)));
    return crossed.find((r) => r.status === 'rejected')?.reason;
  } finally {
    await Promise.all(clients.map(async (c) => c.query('ROLLBACK').finally(() => c.end())));
  }
}

describe('a deadlock Postgres broke', () => {
  it('is a 503 to retry at once, not a 500; the log line names it', async () => {
    const deadlock = await realDeadlock();
    expect((deadlock as { code?: string }).code).toBe('40P01');
    const logs = captureLogs();
    vi.mocked(confirmEmail).mockRejectedValueOnce(deadlock);
    const res = await call(confirm, 'POST', `/api/register/confirm/${CODE}`);
    expectUnavailable(res, 'api');
    expect(res.headers.get('retry-after')).toBe('1');
    expect(logs.of('transaction_conflict')).toEqual([
      expect.objectContaining({ level: 'error', route: '/api/register/confirm/:code', errorCode: '40P01' }),
    ]);
  });
});
