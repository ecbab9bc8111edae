import { afterEach, describe, expect, it } from 'vitest';
import classicResetPassword from '../../netlify/functions/classic-reset-password.ts';
import classicUsers from '../../netlify/functions/classic-users.ts';
import forgot from '../../netlify/functions/password-forgot.ts';
import confirm from '../../netlify/functions/register-confirm.ts';
import register from '../../netlify/functions/register.ts';
import resend from '../../netlify/functions/register-resend.ts';
import login from '../../netlify/functions/login.ts';
import { PASSWORD_MESSAGES } from '../../src/auth/passwords/problems.ts';
import { setClock } from '../../src/config/clock.ts';
import { call } from '../support/call.ts';
import { registerAccount } from '../support/accounts.ts';
import { skipAhead } from '../support/clock.ts';
import { createUser, STRONG_PASSWORD, uniqueIp, uniqueName } from '../support/users.ts';

afterEach(() => setClock());

const body = (overrides: Record<string, unknown> = {}) => {
  const username = uniqueName('api');
  return { username, email: `${username}@example.com`, password: STRONG_PASSWORD, ...overrides };
};

describe('POST /api/register', () => {
  it('creates an inactive account and returns its 10-minute code (development delivery)', async () => {
    const t0 = new Date('2031-07-01T09:00:00Z');
    setClock(() => t0);
    const data = body({ username: uniqueName('Mixed_Case'), email: `${uniqueName('Ann')}@Example.COM` });
    const res = await call(register, 'POST', '/api/register', { json: data, ip: uniqueIp() });
    expect(res.status).toBe(201);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(res.body).toEqual({
      user: {
        id: expect.any(Number),
        username: (data.username as string).toLowerCase(),
        email: (data.email as string).toLowerCase(),
        confirmed: false,
        createdAt: expect.any(String),
      },
      confirmation: { expiresAt: '2031-07-01T09:10:00.000Z', code: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) },
    });
    expect(res.text).not.toMatch(/scrypt|password/i);
  });

  it('accepts a form body and a lower-case 20+ character passphrase', async () => {
    const data = body({ password: 'correct horse battery staple' });
    const res = await call(register, 'POST', '/api/register', { form: data as Record<string, string>, ip: uniqueIp() });
    expect(res.status).toBe(201);
    expect(res.body.user.confirmed).toBe(false);
  });

  it('answers 400 listing every broken rule of every field', async () => {
    const res = await call(register, 'POST', '/api/register', {
      json: { username: '9lives', email: `${'x'.repeat(250)}@example.com`, password: 'password' },
      ip: uniqueIp(),
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
    expect(res.body.error.details).toEqual({
      username: ['must start with a letter'],
      // A 250-character local part breaks both rules (a local part has at most 64).
      email: ['must be at most 254 characters', 'must be a valid e-mail address'],
      password: [
        'must be at least 12 characters',
        'is one of the most common passwords',
        'must contain at least 3 of: lower-case letters, upper-case letters, digits, symbols (or be at least 20 characters long)',
      ],
    });
  });

  it('answers 400 for missing, mistyped and unknown fields', async () => {
    const res = await call(register, 'POST', '/api/register', { json: { username: 42, admin: true }, ip: uniqueIp() });
    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual({
      username: ['must be a string'],
      email: ['is required'],
      password: ['is required'],
      admin: ['is not a known field'],
    });
  });

  it('refuses a password containing the username or the e-mail local part', async () => {
    const username = uniqueName('kim');
    const res = await call(register, 'POST', '/api/register', {
      json: { username, email: `kimberly@example.com`, password: `X9-${username.toUpperCase()}-kimberly` },
      ip: uniqueIp(),
    });
    expect(res.body.error.details.password).toEqual([
      'must not contain the username',
      'must not contain the part of the e-mail address before the @',
    ]);
  });

  it('accepts every address form mail delivers: an apostrophe, an internationalised domain or top-level domain in ASCII', async () => {
    const tag = uniqueName('m');
    for (const email of [`o'brien.${tag}@example.com`, `${tag}@xn--bcher-kva.example`, `${tag}@example.xn--p1ai`]) {
      const res = await call(register, 'POST', '/api/register', { json: body({ email }), ip: uniqueIp() });
      expect(res.status, res.text).toBe(201);
      expect(res.body.user.email).toBe(email);
      const resent = await call(resend, 'POST', '/api/register/resend', { json: { email }, ip: uniqueIp() });
      expect(resent.status, resent.text).toBe(202);
      const classicEmail = `${email.split('@')[0]}.classic@${email.split('@')[1]}`;
      const classic = await call(classicUsers, 'POST', '/users', {
        form: { email: classicEmail, password: STRONG_PASSWORD },
        ip: uniqueIp(),
      });
      expect(classic.status, classic.text).toBe(200);
      // The password's ways back take the same addresses: a reset is issued for each.
      const forgotten = await call(forgot, 'POST', '/api/password/forgot', { json: { email }, ip: uniqueIp() });
      expect([forgotten.status, typeof forgotten.body.token], forgotten.text).toEqual([202, 'string']);
      const classicReset = await call(classicResetPassword, 'POST', '/reset_password', { form: { email: classicEmail }, ip: uniqueIp() });
      expect([classicReset.status, typeof classicReset.body.reset_token], classicReset.text).toEqual([200, 'string']);
    }
  });

  it('answers 409 username_taken and (for a confirmed account) email_taken, ignoring case', async () => {
    const first = await registerAccount();
    expect((await call(confirm, 'POST', `/api/register/confirm/${first.code}`)).status).toBe(200);
    const byName = await call(register, 'POST', '/api/register', {
      json: body({ username: first.username.toUpperCase() }),
      ip: uniqueIp(),
    });
    expect(byName.status).toBe(409);
    expect(byName.body.error.code).toBe('username_taken');
    const byEmail = await call(register, 'POST', '/api/register', { json: body({ email: first.email.toUpperCase() }), ip: uniqueIp() });
    expect(byEmail.status).toBe(409);
    expect(byEmail.body.error.code).toBe('email_taken');
  });
});

describe('GET or POST /api/register/confirm/{code}', () => {
  it.each(['GET', 'POST'])('%s confirms the account once', async (method) => {
    const acct = await registerAccount();
    const res = await call(confirm, method, `/api/register/confirm/${acct.code}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      user: { id: acct.userId, username: acct.username, email: acct.email, confirmed: true, createdAt: expect.any(String) },
    });
    const again = await call(confirm, method, `/api/register/confirm/${acct.code}`);
    expect(again.status).toBe(404);
    expect(again.body.error.code).toBe('not_found');
    const loggedIn = await call(login, 'POST', '/api/login', {
      json: { username: acct.username, password: acct.password },
      ip: uniqueIp(),
    });
    expect(loggedIn.status).toBe(200);
  });

  it('answers 404 for a well-formed code nobody was sent', async () => {
    const res = await call(confirm, 'GET', `/api/register/confirm/${'Z'.repeat(43)}`);
    expect(res.status).toBe(404);
  });

  it.each(['abc', 'A'.repeat(42), 'A'.repeat(44), `${'A'.repeat(42)}%21`, `${'A'.repeat(42)}=`])(
    'answers 400 for the malformed code %s',
    async (code) => {
      const res = await call(confirm, 'GET', `/api/register/confirm/${code}`);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('validation_failed');
      expect(Object.keys(res.body.error.details)).toEqual(['code']);
    },
  );

  it('answers 410 code_expired once 10 minutes have passed, and 200 just before', async () => {
    const t0 = new Date('2031-07-02T09:00:00Z');
    setClock(() => t0);
    const late = await registerAccount();
    const onTime = await registerAccount();
    setClock(() => new Date(t0.getTime() + 9 * 60_000 + 59_000));
    expect((await call(confirm, 'GET', `/api/register/confirm/${onTime.code}`)).status).toBe(200);
    setClock(() => new Date(t0.getTime() + 10 * 60_000));
    const res = await call(confirm, 'GET', `/api/register/confirm/${late.code}`);
    expect(res.status).toBe(410);
    expect(res.body.error.code).toBe('code_expired');
  });

  it('gives one 200 and one 404 to two concurrent confirmations', async () => {
    const acct = await registerAccount();
    const statuses = await Promise.all([
      call(confirm, 'POST', `/api/register/confirm/${acct.code}`),
      call(confirm, 'POST', `/api/register/confirm/${acct.code}`),
    ]).then((all) => all.map((r) => r.status).sort());
    expect(statuses).toEqual([200, 404]);
  });

  it.each(['PUT', 'PATCH', 'DELETE'])('answers %s with 405 and Allow', async (method) => {
    const res = await call(confirm, method, `/api/register/confirm/${'A'.repeat(43)}`);
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, HEAD, POST, OPTIONS');
  });
});

describe('POST /api/register/resend', () => {
  it('replaces the code of an unconfirmed account with a new one', async () => {
    const acct = await registerAccount();
    // A live code is kept for its first minute, so a stranger asking again cannot replace the one the owner is about to use.
    skipAhead();
    const res = await call(resend, 'POST', '/api/register/resend', { json: { email: acct.email.toUpperCase() }, ip: uniqueIp() });
    expect(res.status).toBe(202);
    expect(res.body.confirmation).toEqual({ code: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/), expiresAt: expect.any(String) });
    expect(res.body.confirmation.code).not.toBe(acct.code);
    expect((await call(confirm, 'GET', `/api/register/confirm/${acct.code}`)).status).toBe(404);
    expect((await call(confirm, 'GET', `/api/register/confirm/${res.body.confirmation.code}`)).status).toBe(200);
  });

  it('answers 202 without a code for an unknown or an already proven address', async () => {
    const { user } = await createUser();
    for (const email of ['nobody@example.com', user.email]) {
      const res = await call(resend, 'POST', '/api/register/resend', { json: { email }, ip: uniqueIp() });
      expect(res.status).toBe(202);
      expect(res.body).toEqual({ message: expect.any(String) });
    }
  });

  it('answers 400 for a missing or invalid e-mail', async () => {
    for (const json of [{}, { email: 'not-an-address' }, { email: ['a@example.com'] }]) {
      const res = await call(resend, 'POST', '/api/register/resend', { json, ip: uniqueIp() });
      expect(res.status).toBe(400);
      expect(Object.keys(res.body.error.details)).toEqual(['email']);
    }
  });
});

describe('passwords that only look long', () => {
  it('are refused on both surfaces, each broken rule listed', async () => {
    for (const [password, rules] of [
      [' '.repeat(20), [PASSWORD_MESSAGES.invisible, PASSWORD_MESSAGES.distinct]],
      ['\u200b'.repeat(20), [PASSWORD_MESSAGES.invisible, PASSWORD_MESSAGES.distinct]],
      ['a'.repeat(20), [PASSWORD_MESSAGES.distinct]],
    ] as const) {
      const name = uniqueName('looks');
      const api = await call(register, 'POST', '/api/register', {
        json: { username: name, email: `${name}@example.com`, password },
        ip: uniqueIp(),
      });
      expect(api.status).toBe(400);
      expect(api.body.error.details).toEqual({ password: [...rules] });
      const classic = await call(classicUsers, 'POST', '/users', { form: { email: `${name}_c@example.com`, password }, ip: uniqueIp() });
      expect(classic.status).toBe(400);
      expect(classic.body.message).toBe(rules.map((rule) => `password ${rule}`).join('; '));
    }
  });
});
