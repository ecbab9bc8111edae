// The classic routes and /api are one service: the same accounts, sessions,
// reset tokens, password policy and rate-limit counters.
import { describe, expect, it } from 'vitest';
import profile from '../../netlify/functions/classic-profile.ts';
import resetPassword from '../../netlify/functions/classic-reset-password.ts';
import sessions from '../../netlify/functions/classic-sessions.ts';
import users from '../../netlify/functions/classic-users.ts';
import login from '../../netlify/functions/login.ts';
import logout from '../../netlify/functions/logout.ts';
import me from '../../netlify/functions/me.ts';
import forgot from '../../netlify/functions/password-forgot.ts';
import reset from '../../netlify/functions/password-reset.ts';
import register from '../../netlify/functions/register.ts';
import { call } from '../support/call.ts';
import { registerClassic, sessionCookieOf } from '../support/classic.ts';
import { envForFile } from '../support/env.ts';
import { createUser, STRONG_PASSWORD, uniqueIp, uniqueName } from '../support/users.ts';

envForFile({ RATE_LIMIT_REGISTER_IP: '3/10m', RATE_LIMIT_EMAIL: '3/10m' });

const NEW_PASSWORD = 'Granite-Meadow-58?';

describe('accounts and sessions across the two surfaces', () => {
  it('lets an account made on /users log in on /api/login by its derived username and by its e-mail', async () => {
    const stem = uniqueName('dora');
    const { email, password } = await registerClassic({ email: `${stem.replace('_', '.')}+signup@Example.com` });
    const byName = await call(login, 'POST', '/api/login', { json: { username: stem, password }, ip: uniqueIp() });
    expect(byName.status).toBe(200);
    expect(byName.body.user).toMatchObject({ username: stem, email: email.toLowerCase(), confirmed: true });
    const byEmail = await call(login, 'POST', '/api/login', { json: { email, password }, ip: uniqueIp() });
    expect(byEmail.body.user.username).toBe(stem);
  });

  it('honours a /sessions cookie as a Bearer token on /api/me, and an /api/login session on /profile', async () => {
    const { email, password } = await registerClassic();
    const cookie = sessionCookieOf((await call(sessions, 'POST', '/sessions', { form: { email, password }, ip: uniqueIp() })).headers);
    const token = cookie.slice('session_id='.length);
    expect((await call(me, 'GET', '/api/me', { token })).body.user.email).toBe(email);

    const api = await call(login, 'POST', '/api/login', { json: { email, password }, ip: uniqueIp() });
    expect((await call(profile, 'GET', '/profile', { cookie: sessionCookieOf(api.headers) })).body).toEqual({ email });
    expect((await call(profile, 'GET', '/profile', { token: api.body.token })).body).toEqual({ email });
  });

  it('ends a session on either surface for both', async () => {
    const { token: a } = await createUser();
    expect((await call(sessions, 'DELETE', '/sessions', { cookie: `session_id=${a}` })).status).toBe(302);
    expect((await call(me, 'GET', '/api/me', { token: a })).status).toBe(401);
    const { token: b } = await createUser();
    expect((await call(logout, 'POST', '/api/logout', { token: b })).status).toBe(204);
    expect((await call(profile, 'GET', '/profile', { cookie: `session_id=${b}` })).status).toBe(403);
  });

  it('shares reset tokens: one from /api/password/forgot works on PUT /reset_password and the reverse', async () => {
    const { user } = await createUser();
    const fromApi = await call(forgot, 'POST', '/api/password/forgot', { json: { email: user.email }, ip: uniqueIp() });
    const put = await call(resetPassword, 'PUT', '/reset_password', {
      form: { email: user.email, reset_token: fromApi.body.token, new_password: NEW_PASSWORD },
    });
    expect(put.status).toBe(200);
    const fromClassic = await call(resetPassword, 'POST', '/reset_password', { form: { email: user.email }, ip: uniqueIp() });
    const post = await call(reset, 'POST', '/api/password/reset', {
      json: { token: fromClassic.body.reset_token, password: STRONG_PASSWORD },
    });
    expect(post.status).toBe(200);
  });

  it('refuses the same passwords with the same rules on /users and /api/register', async () => {
    const username = uniqueName('pol');
    for (const password of ['password1234', 'alllowercaseletters', `${username}-Aa1!`]) {
      const api = await call(register, 'POST', '/api/register', {
        json: { username, email: `${username}@example.com`, password },
        ip: uniqueIp(),
      });
      const classic = await call(users, 'POST', '/users', { form: { email: `${username}@example.com`, password }, ip: uniqueIp() });
      expect(classic.status).toBe(400);
      expect(classic.body.message).toBe(api.body.error.details.password.map((rule: string) => `password ${rule}`).join('; '));
    }
  });
});

describe('shared rate-limit counters', () => {
  it('counts failed logins on /sessions and /api/login together (10 per account and address)', async () => {
    const { user, password } = await createUser();
    const ip = uniqueIp();
    for (let i = 0; i < 5; i++) {
      expect((await call(sessions, 'POST', '/sessions', { form: { email: user.email, password: `Guess-${i}-Aa!` }, ip })).status).toBe(401);
      expect((await call(login, 'POST', '/api/login', { json: { username: user.username, password: `Guess-${i}-Aa!` }, ip })).status).toBe(
        401,
      );
    }
    const classic = await call(sessions, 'POST', '/sessions', { form: { email: user.email, password }, ip });
    expect(classic.status).toBe(429);
    expect(classic.body).toEqual({ message: 'Too many requests; try again later.' });
    expect(Number(classic.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await call(login, 'POST', '/api/login', { json: { email: user.email, password }, ip })).status).toBe(429);
  });

  it('counts registrations on /users and /api/register together (lowered to 3 per address)', async () => {
    const ip = uniqueIp();
    const classic = () =>
      call(users, 'POST', '/users', { form: { email: `${uniqueName('rl')}@example.com`, password: STRONG_PASSWORD }, ip });
    const name = uniqueName('rl');
    expect((await classic()).status).toBe(200);
    expect(
      (
        await call(register, 'POST', '/api/register', {
          json: { username: name, email: `${name}@example.com`, password: STRONG_PASSWORD },
          ip,
        })
      ).status,
    ).toBe(201);
    expect((await classic()).status).toBe(200);
    const refused = await classic();
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
  });

  it('counts reset requests per e-mail on /reset_password and /api/password/forgot together (lowered to 3)', async () => {
    const { user } = await createUser();
    const classic = () => call(resetPassword, 'POST', '/reset_password', { form: { email: user.email }, ip: uniqueIp() });
    expect((await classic()).status).toBe(200);
    expect((await call(forgot, 'POST', '/api/password/forgot', { json: { email: user.email }, ip: uniqueIp() })).status).toBe(202);
    expect((await classic()).status).toBe(200);
    // Over the per-e-mail limit nothing is issued, and the answer is as usual (it tells nothing about the account): no token.
    const over = await classic();
    expect(over.status).toBe(200);
    expect(over.body).toEqual({ email: user.email });
    // An unknown e-mail is still told apart on this route, over the limit too.
    const probe = () => call(resetPassword, 'POST', '/reset_password', { form: { email: 'ghost@example.com' }, ip: uniqueIp() });
    expect([(await probe()).status, (await probe()).status, (await probe()).status, (await probe()).status]).toEqual([403, 403, 403, 403]);
  });
});
