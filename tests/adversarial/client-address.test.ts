// Requests without a client address: every function that
// counts by address refuses with 503 and a log line instead of counting
// everyone in one shared bucket, and writes nothing.
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import classicResetPassword from '../../netlify/functions/classic-reset-password.ts';
import classicSessions from '../../netlify/functions/classic-sessions.ts';
import classicUsers from '../../netlify/functions/classic-users.ts';
import login from '../../netlify/functions/login.ts';
import me from '../../netlify/functions/me.ts';
import forgot from '../../netlify/functions/password-forgot.ts';
import resend from '../../netlify/functions/register-resend.ts';
import register from '../../netlify/functions/register.ts';
import { getDb } from '../../src/db/connection.ts';
import { call } from '../support/call.ts';
import { createUser, STRONG_PASSWORD, type TestUser } from '../support/users.ts';
import { expectUnavailable, snapshotTables } from './harness.ts';

let owner: TestUser;
beforeAll(async () => {
  owner = await createUser();
});
afterEach(() => vi.restoreAllMocks());

const cases = () =>
  [
    ['POST /api/login', login, '/api/login', { json: { username: owner.user.username, password: owner.password } }, 'api'],
    ['POST /sessions', classicSessions, '/sessions', { form: { email: owner.user.email, password: owner.password } }, 'classic'],
    [
      'POST /api/register',
      register,
      '/api/register',
      { json: { username: 'no_address', email: 'no_address@example.com', password: STRONG_PASSWORD } },
      'api',
    ],
    ['POST /users', classicUsers, '/users', { form: { email: 'no_address_2@example.com', password: STRONG_PASSWORD } }, 'classic'],
    ['POST /api/register/resend', resend, '/api/register/resend', { json: { email: owner.user.email } }, 'api'],
    ['POST /api/password/forgot', forgot, '/api/password/forgot', { json: { email: owner.user.email } }, 'api'],
    ['POST /reset_password', classicResetPassword, '/reset_password', { form: { email: owner.user.email } }, 'classic'],
  ] as const;

describe('a request whose client address the platform did not give', () => {
  it('is refused with 503 and a log line by every function that counts by address, and changes nothing', async () => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    const before = await snapshotTables();
    const counters = await getDb().selectFrom('rate_limits').select('bucket').execute();
    for (const [name, handler, path, options, style] of cases()) {
      const res = await call(handler, 'POST', path, { ...options, ip: '' });
      expectUnavailable(res, style);
      expect(log.mock.calls.flat().join('\n'), name).toContain('client_address_missing');
      log.mockClear();
    }
    expect(await snapshotTables()).toBe(before);
    expect(await getDb().selectFrom('rate_limits').select('bucket').execute()).toEqual(counters);
  });

  it('is still answered by the functions that count nothing by address', async () => {
    const res = await call(me, 'GET', '/api/me', { token: owner.token, ip: '' });
    expect(res.status).toBe(200);
    expect(res.body.user.id).toBe(owner.user.id);
  });
});
