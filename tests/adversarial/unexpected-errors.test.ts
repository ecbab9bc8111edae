// Errors nobody planned for (issue 14, items 10 and 17): an exception inside a
// handler whose message names a table and a secret gives the generic 500 body
// on both surfaces with none of its text; the log line keeps the detail but
// never a secret from the request's path (a confirmation code).
import { afterEach, describe, expect, it, vi } from 'vitest';
import classicSessions from '../../netlify/functions/classic-sessions.ts';
import login from '../../netlify/functions/login.ts';
import confirm from '../../netlify/functions/register-confirm.ts';
import { confirmEmail } from '../../src/auth/signup/confirmation.ts';
import { checkLogin } from '../../src/auth/login/login.ts';
import { loggableRoute } from '../../src/http/route.ts';
import { call } from '../support/call.ts';
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
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    vi.mocked(checkLogin).mockRejectedValueOnce(leaky());
    const res = await call(login, 'POST', '/api/login', { json: { username: 'someone', password: 'x' } });
    expect(res.status).toBe(500);
    expect(res.body).toEqual({ error: { code: 'internal_error', message: 'Something went wrong on our side.' } });
    expect(res.text).not.toMatch(/sessions|users|relation|insert/i);
    expect(res.text).not.toContain(SECRET);
    // The detail goes to the log, for the operator.
    expect(log.mock.calls.flat().map(String).join('\n')).toContain('relation "users"');
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
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    vi.mocked(confirmEmail).mockRejectedValueOnce(new Error('boom'));
    expect((await call(confirm, 'GET', `/api/register/confirm/${CODE}`)).status).toBe(500);
    const logged = log.mock.calls.flat().map(String).join('\n');
    expect(logged).toContain('/api/register/confirm/:code');
    expect(logged).not.toContain(CODE);
  });

  it('loggableRoute gives any log line the same rule: the declared path where a segment is a secret, else the pathname', () => {
    const req = (path: string) => new Request(`http://localhost${path}`);
    expect(loggableRoute('/api/register/confirm/:code', req(`/api/register/confirm/${CODE}?x=1`))).toBe('/api/register/confirm/:code');
    expect(loggableRoute('/api/posts/:id', req('/api/posts/42?pageSize=2'))).toBe('/api/posts/42');
  });

  it('and on a 503', async () => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    vi.mocked(confirmEmail).mockRejectedValueOnce(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }));
    expectUnavailable(await call(confirm, 'POST', `/api/register/confirm/${CODE}`), 'api');
    const logged = log.mock.calls.flat().map(String).join('\n');
    expect(logged).toContain('[service_unavailable] POST /api/register/confirm/:code');
    expect(logged).not.toContain(CODE);
  });
});
