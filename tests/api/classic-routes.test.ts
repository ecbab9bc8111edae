// The classic routes (the README, "Classic routes"), each with data, without data
// and in error: exact bodies, form and JSON alike, `{message}` on every error.
import { afterEach, describe, expect, it } from 'vitest';
import profile from '../../netlify/functions/classic-profile.ts';
import resetPassword from '../../netlify/functions/classic-reset-password.ts';
import sessions from '../../netlify/functions/classic-sessions.ts';
import users from '../../netlify/functions/classic-users.ts';
import root from '../../netlify/functions/root.ts';
import meProfile from '../../netlify/functions/me-profile.ts';
import { setClock } from '../../src/config/clock.ts';
import { PASSWORD_MESSAGES } from '../../src/auth/passwords/problems.ts';
import { createSession } from '../../src/auth/sessions/sessions.ts';
import { findUserBy } from '../../src/auth/accounts/users.ts';
import { MAX_BODY_BYTES } from '../../src/http/body.ts';
import { registerAccount, useMailProvider } from '../support/accounts.ts';
import { call, type CallOptions } from '../support/call.ts';
import { registerClassic, sessionCookieOf } from '../support/classic.ts';
import { skipAhead } from '../support/clock.ts';
import { setEnv } from '../support/env.ts';
import { createUser, STRONG_PASSWORD, uniqueIp, uniqueName } from '../support/users.ts';

afterEach(() => setClock());

const JSON_TYPE = 'application/json; charset=utf-8';
const NEW_PASSWORD = 'Granite-Meadow-58?';

const post = (handler: typeof users, path: string, options: CallOptions) => call(handler, 'POST', path, { ip: uniqueIp(), ...options });
const logIn = (form: Record<string, string>) => post(sessions, '/sessions', { form });
const profileOf = (cookie: string) => call(profile, 'GET', '/profile', { cookie });
const issueToken = async (email: string) => (await post(resetPassword, '/reset_password', { form: { email } })).body.reset_token as string;
const putReset = (form: Record<string, string>) => call(resetPassword, 'PUT', '/reset_password', { form });

/** 400 with exactly this message, and nothing else in the body. */
function expectMessage(res: { status: number; text: string; headers: Headers }, status: number, message: string) {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toBe(JSON_TYPE);
  expect(res.text).toBe(JSON.stringify({ message }));
}

describe('GET /', () => {
  it('welcomes a caller who has an account and a session', async () => {
    const { token } = await createUser();
    const res = await call(root, 'GET', '/?lang=fr', { cookie: `session_id=${token}` });
    expect(res.status).toBe(200);
    expect(res.text).toBe('{"message":"Bienvenue"}');
  });

  it('welcomes an anonymous caller', async () => {
    const res = await call(root, 'GET', '/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(JSON_TYPE);
    expect(res.text).toBe('{"message":"Bienvenue"}');
  });

  it('answers another method with 405 and Allow', async () => {
    const res = await call(root, 'DELETE', '/');
    expectMessage(res, 405, 'Use GET on this path.');
    expect(res.headers.get('allow')).toBe('GET, HEAD, OPTIONS');
  });
});

describe('POST /users', () => {
  it('creates a confirmed account from a form, numbering the derived username when others share it', async () => {
    const stem = uniqueName('bob');
    await registerClassic({ email: `${stem}@example.com` });
    await registerClassic({ email: `${stem}@example.org` });
    const email = `${stem}@example.net`;
    const res = await post(users, '/users', { form: { email, password: STRONG_PASSWORD } });
    expect(res.status).toBe(200);
    expect(res.text).toBe(JSON.stringify({ email, message: 'user created' }));
    const user = await findUserBy({ email });
    expect(user).toMatchObject({ username: `${stem}_3`, confirmed_at: expect.any(Date) });
    expect((await logIn({ email, password: STRONG_PASSWORD })).status).toBe(200);
  });

  it('creates the first account of a name from JSON, under the bare derived username, answering its stored e-mail', async () => {
    const stem = uniqueName('ann');
    const res = await post(users, '/users', { json: { email: `${stem.toUpperCase()}@Example.COM`, password: STRONG_PASSWORD } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ email: `${stem}@example.com`, message: 'user created' });
    expect((await findUserBy({ email: `${stem}@example.com` })).username).toBe(stem);
  });

  it('answers 400 "email already registered" for a registered e-mail, in any case', async () => {
    const { email } = await registerClassic();
    expectMessage(await post(users, '/users', { form: { email, password: NEW_PASSWORD } }), 400, 'email already registered');
    expectMessage(
      await post(users, '/users', { json: { email: email.toUpperCase(), password: NEW_PASSWORD } }),
      400,
      'email already registered',
    );
    const api = await registerAccount();
    expectMessage(await post(users, '/users', { form: { email: api.email, password: NEW_PASSWORD } }), 400, 'email already registered');
  });

  it('answers 400 naming every missing, empty, extra or malformed field, and stores nothing', async () => {
    const email = `${uniqueName('bad')}@example.com`;
    const cases: [Record<string, string>, string][] = [
      [{}, 'email is required; password is required'],
      [{ email }, 'password is required'],
      [{ password: STRONG_PASSWORD }, 'email is required'],
      [{ email: '', password: STRONG_PASSWORD }, 'email must be a valid e-mail address'],
      [{ email: 'not-an-address', password: STRONG_PASSWORD }, 'email must be a valid e-mail address'],
      [{ email, password: STRONG_PASSWORD, username: 'chosen' }, 'username is not a known field'],
      [{ email, password: '' }, `password ${PASSWORD_MESSAGES.tooShort}; password ${PASSWORD_MESSAGES.classes}`],
    ];
    for (const [form, message] of cases) expectMessage(await post(users, '/users', { form }), 400, message);
    // A repeated name is refused as the body is read, before the fields are checked (so a body of repeats costs linear time).
    expectMessage(
      await post(users, '/users', {
        raw: `email=${email}&email=${email}&password=x`,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      }),
      400,
      'email must be sent once',
    );
    expectMessage(await post(users, '/users', { json: { email, password: 123456789012 } }), 400, 'password must be a string');
    await expect(findUserBy({ email })).rejects.toMatchObject({ status: 404 });
  });

  it('answers 400 for a password the policy refuses, listing every rule it breaks', async () => {
    const email = `alexandra_${uniqueName('x')}@example.com`;
    const res = await post(users, '/users', { form: { email, password: 'password1234' } });
    expectMessage(res, 400, `password ${PASSWORD_MESSAGES.common}; password ${PASSWORD_MESSAGES.classes}`);
    const own = await post(users, '/users', { form: { email, password: `${email.split('@')[0]}-Aa1` } });
    expect(own.body.message).toContain(`password ${PASSWORD_MESSAGES.emailLocalPart}`);
    expect(own.body.message).toContain(`password ${PASSWORD_MESSAGES.username}`);
  });

  it('answers 415, 400 and 413 for bodies it cannot read, and 405 for GET', async () => {
    expectMessage(
      await post(users, '/users', { raw: 'email=a', headers: { 'content-type': 'text/plain' } }),
      415,
      'Send application/json, application/x-www-form-urlencoded or multipart/form-data.',
    );
    expectMessage(
      await post(users, '/users', { raw: '{"email":', headers: { 'content-type': 'application/json' } }),
      400,
      'The body is not valid JSON.',
    );
    expectMessage(await post(users, '/users', { json: [] }), 400, 'body must be an object');
    const big = await post(users, '/users', { form: { email: 'a@example.com', password: 'x'.repeat(MAX_BODY_BYTES) } });
    expect(big.status).toBe(413);
    const get = await call(users, 'GET', '/users');
    expectMessage(get, 405, 'Use POST on this path.');
    expect(get.headers.get('allow')).toBe('POST, OPTIONS');
  });

  it('accepts multipart forms', async () => {
    const email = `${uniqueName('multi')}@example.com`;
    const form = new FormData();
    form.set('email', email);
    form.set('password', STRONG_PASSWORD);
    const res = await post(users, '/users', { raw: form });
    expect(res.body).toEqual({ email, message: 'user created' });
  });
});

describe('POST /sessions', () => {
  it('logs in a user who already has sessions and a profile, setting the session cookie', async () => {
    const { user, password, token } = await createUser();
    await call(meProfile, 'PATCH', '/api/me/profile', { token, json: { location: 'Lyon' } });
    const res = await logIn({ email: user.email.toUpperCase(), password });
    expect(res.status).toBe(200);
    expect(res.text).toBe(JSON.stringify({ email: user.email, message: 'logged in' }));
    expect(res.headers.get('set-cookie')).toMatch(/^session_id=[\w.-]+; HttpOnly; SameSite=Lax; Path=\/; Max-Age=2592000$/);
    expect((await profileOf(sessionCookieOf(res.headers))).body).toEqual({ email: user.email });
  });

  it('logs in a fresh account from JSON', async () => {
    const { email, password } = await registerClassic();
    const res = await post(sessions, '/sessions', { json: { email, password } });
    expect(res.body).toEqual({ email, message: 'logged in' });
    expect(sessionCookieOf(res.headers)).toMatch(/^session_id=/);
  });

  it('answers 401 without a cookie for a wrong password or an unknown e-mail, with the same body', async () => {
    const { email } = await registerClassic();
    const wrong = await logIn({ email, password: 'Wrong-Password-1' });
    const unknown = await logIn({ email: 'nobody@example.com', password: 'Wrong-Password-1' });
    for (const res of [wrong, unknown]) {
      expectMessage(res, 401, 'The username or e-mail address and password do not match an account.');
      expect(res.headers.get('set-cookie')).toBeNull();
    }
  });

  it('answers 400 for a missing, empty or extra field, without a cookie', async () => {
    const cases: [Record<string, string>, string][] = [
      [{}, 'email is required; password is required'],
      [{ email: 'a@example.com' }, 'password is required'],
      [{ email: '', password: '' }, 'email must not be empty; password must not be empty'],
      [{ username: 'ann', password: STRONG_PASSWORD }, 'email is required; username is not a known field'],
    ];
    for (const [form, message] of cases) {
      const res = await logIn(form);
      expectMessage(res, 400, message);
      expect(res.headers.get('set-cookie')).toBeNull();
    }
  });

  it('answers 403 for an account of /api/register that is not confirmed yet, only after the right password', async () => {
    const acct = await registerAccount();
    expect((await logIn({ email: acct.email, password: 'Wrong-Password-1' })).status).toBe(401);
    const res = await logIn({ email: acct.email, password: acct.password });
    expectMessage(res, 403, 'Confirm your e-mail address with the code you were sent, then log in.');
    expect(res.headers.get('set-cookie')).toBeNull();
  });
});

describe('DELETE /sessions', () => {
  it('destroys only the session of the cookie, redirects to / and clears the cookie', async () => {
    const { user, token } = await createUser();
    const other = await createSession(user.id);
    const res = await call(sessions, 'DELETE', '/sessions', {
      cookie: `session_id=${token}`,
      headers: { origin: 'http://localhost:8888' },
    });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/');
    expect(res.headers.get('set-cookie')).toBe('session_id=; HttpOnly; SameSite=Lax; Path=/; Max-Age=0');
    expect(res.text).toBe('');
    expect((await profileOf(`session_id=${token}`)).status).toBe(403);
    expect((await profileOf(`session_id=${other.token}`)).status).toBe(200);
  });

  it('logs out the only session of a fresh account', async () => {
    const { email, password } = await registerClassic();
    const cookie = sessionCookieOf((await logIn({ email, password })).headers);
    expect((await call(sessions, 'DELETE', '/sessions', { cookie })).status).toBe(302);
    expect((await profileOf(cookie)).status).toBe(403);
  });

  it('answers 403 without a session, with a destroyed or a forged one, and to another origin', async () => {
    const { token } = await createUser();
    const crossSite = await call(sessions, 'DELETE', '/sessions', {
      cookie: `session_id=${token}`,
      headers: { origin: 'https://evil.example' },
    });
    expectMessage(crossSite, 403, 'Cross-origin requests may not use the session cookie.');
    expect((await profileOf(`session_id=${token}`)).status).toBe(200);

    await call(sessions, 'DELETE', '/sessions', { cookie: `session_id=${token}` });
    for (const cookie of [undefined, `session_id=${token}`, 'session_id=forged.token.value', 'other=1']) {
      const res = await call(sessions, 'DELETE', '/sessions', { cookie });
      expectMessage(res, 403, 'Authentication is required: send a valid token.');
      expect(res.headers.get('set-cookie')).toBeNull();
    }
  });
});

describe('GET /profile', () => {
  it('answers only the e-mail of a user whose profile is filled in', async () => {
    const { user, token } = await createUser();
    expect((await call(meProfile, 'PATCH', '/api/me/profile', { token, json: { bio: 'Hello', location: 'Turin' } })).status).toBe(200);
    const res = await profileOf(`session_id=${token}`);
    expect(res.status).toBe(200);
    expect(res.text).toBe(JSON.stringify({ email: user.email }));
  });

  it('answers the e-mail of a fresh account with an empty profile, by cookie or Bearer token', async () => {
    const { email, password } = await registerClassic();
    const cookie = sessionCookieOf((await logIn({ email, password })).headers);
    expect((await profileOf(cookie)).body).toEqual({ email });
    expect((await call(profile, 'GET', '/profile', { token: cookie.slice('session_id='.length) })).body).toEqual({ email });
  });

  it('answers 403 without a cookie, with a forged one, or once the session has expired', async () => {
    const { token } = await createUser();
    for (const cookie of [undefined, 'session_id=', 'session_id=forged']) {
      expectMessage(await call(profile, 'GET', '/profile', { cookie }), 403, 'Authentication is required: send a valid token.');
    }
    setClock(() => new Date(Date.now() + 8 * 24 * 3600_000));
    expect((await profileOf(`session_id=${token}`)).status).toBe(403);
  });
});

describe('POST /reset_password', () => {
  it('replaces the pending token of an account that already asked', async () => {
    const { email } = await registerClassic();
    const first = await issueToken(email);
    // A live token is kept for its first minute, so a stranger asking again cannot replace the one the owner is about to use.
    skipAhead();
    const res = await post(resetPassword, '/reset_password', { form: { email } });
    expect(res.status).toBe(200);
    expect(Object.keys(res.body)).toEqual(['email', 'reset_token']);
    expect(res.body).toEqual({ email, reset_token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) });
    expect(res.body.reset_token).not.toBe(first);
    expect((await putReset({ email, reset_token: first, new_password: NEW_PASSWORD })).status).toBe(403);
  });

  it('gives a first token from JSON, for the e-mail in any case', async () => {
    const { user } = await createUser();
    const res = await post(resetPassword, '/reset_password', { json: { email: user.email.toUpperCase() } });
    expect(res.body).toEqual({ email: user.email, reset_token: expect.any(String) });
  });

  it('e-mails the token instead when a mail provider is configured', async () => {
    const mail = useMailProvider();
    try {
      const { user } = await createUser();
      const res = await post(resetPassword, '/reset_password', { form: { email: user.email } });
      expect(res.status).toBe(200);
      expect(res.text).toBe(JSON.stringify({ email: user.email }));
      expect(mail.sent).toHaveLength(1);
      expect(mail.sent[0]!.body.to).toBe(user.email);
      const token = /reset token is: ([\w-]{43})/.exec(mail.sent[0]!.body.text)![1]!;
      expect((await putReset({ email: user.email, reset_token: token, new_password: NEW_PASSWORD })).status).toBe(200);
    } finally {
      mail.restore();
    }
  });

  it('never puts the token in the body in production: it is e-mailed', async () => {
    const restore = setEnv({ CONTEXT: 'production' });
    const mail = useMailProvider();
    try {
      const { user } = await createUser();
      expect((await post(resetPassword, '/reset_password', { form: { email: user.email } })).body).toEqual({ email: user.email });
      expect(mail.sent.map((m) => m.body.to)).toEqual([user.email]);
    } finally {
      mail.restore();
      restore();
    }
  });

  it('answers 403 for an unknown e-mail and 400 for a missing, empty, invalid or extra field', async () => {
    expectMessage(
      await post(resetPassword, '/reset_password', { form: { email: 'nobody@example.com' } }),
      403,
      'No account uses that e-mail address.',
    );
    const cases: [Record<string, string>, string][] = [
      [{}, 'email is required'],
      [{ email: '' }, 'email must be a valid e-mail address'],
      [{ email: 'nope' }, 'email must be a valid e-mail address'],
      [{ email: 'a@example.com', reset_token: 'x' }, 'reset_token is not a known field'],
    ];
    for (const [form, message] of cases) expectMessage(await post(resetPassword, '/reset_password', { form }), 400, message);
  });
});

describe('PUT /reset_password', () => {
  it('sets the password, consumes the token and revokes every session of an account that has several', async () => {
    const { user, password, token: session } = await createUser();
    const other = await createSession(user.id);
    const resetToken = await issueToken(user.email);
    const res = await putReset({ email: user.email, reset_token: resetToken, new_password: NEW_PASSWORD });
    expect(res.status).toBe(200);
    expect(res.text).toBe(JSON.stringify({ email: user.email, message: 'Password updated' }));
    for (const token of [session, other.token]) expect((await profileOf(`session_id=${token}`)).status).toBe(403);
    expect((await logIn({ email: user.email, password })).status).toBe(401);
    expect((await logIn({ email: user.email, password: NEW_PASSWORD })).status).toBe(200);
  });

  it('resets a fresh account without sessions from JSON, the e-mail in any case', async () => {
    const { email } = await registerClassic();
    const resetToken = await issueToken(email);
    const res = await call(resetPassword, 'PUT', '/reset_password', {
      json: { email: email.toUpperCase(), reset_token: resetToken, new_password: NEW_PASSWORD },
    });
    expect(res.body).toEqual({ email, message: 'Password updated' });
  });

  it("answers 403 for a wrong, used, expired or another account's token", async () => {
    const mine = await registerClassic();
    const theirs = await registerClassic();
    const theirToken = await issueToken(theirs.email);
    const put = (reset_token: string, email = mine.email) => putReset({ email, reset_token, new_password: NEW_PASSWORD });
    const unknown = 'This code is unknown or has already been used.';
    expectMessage(await put('wrong-token'), 403, unknown);
    expectMessage(await put(theirToken), 403, unknown);
    expect((await put(theirToken, theirs.email)).status).toBe(200);
    expectMessage(await put(theirToken, theirs.email), 403, unknown);

    const t0 = Date.now();
    const expiring = await issueToken(mine.email);
    setClock(() => new Date(t0 + 31 * 60_000));
    expectMessage(await put(expiring), 403, 'This code has expired; ask for a new one.');
  });

  it('answers 400 for a refused password and keeps the token usable', async () => {
    const { user } = await createUser({ username: uniqueName('marguerite'), email: `${uniqueName('mail')}@example.com` });
    const resetToken = await issueToken(user.email);
    expectMessage(
      await putReset({ email: user.email, reset_token: resetToken, new_password: 'zqxjv' }),
      400,
      `new_password ${PASSWORD_MESSAGES.tooShort}; new_password ${PASSWORD_MESSAGES.classes}`,
    );
    // The username rule needs the account the token belongs to.
    const withName = await putReset({ email: user.email, reset_token: resetToken, new_password: `${user.username.toUpperCase()}-x1` });
    expectMessage(withName, 400, `new_password ${PASSWORD_MESSAGES.username}`);
    expect((await putReset({ email: user.email, reset_token: resetToken, new_password: NEW_PASSWORD })).status).toBe(200);
  });

  it('answers 400 for a missing, empty or extra field', async () => {
    const cases: [Record<string, string>, string][] = [
      [{}, 'email is required; reset_token is required; new_password is required'],
      [{ email: 'a@example.com', reset_token: '', new_password: NEW_PASSWORD }, 'reset_token must not be empty'],
      [{ email: 'a@example.com', reset_token: 'x', new_password: NEW_PASSWORD, password: NEW_PASSWORD }, 'password is not a known field'],
    ];
    for (const [form, message] of cases) expectMessage(await putReset(form), 400, message);
    const get = await call(resetPassword, 'GET', '/reset_password');
    expect(get.headers.get('allow')).toBe('POST, PUT, OPTIONS');
  });
});
