// Rate limits over HTTP: 429 rate_limited with Retry-After, counted per the
// platform's client address (never X-Forwarded-For). Login runs on the
// documented defaults; the others are lowered here to keep the test short.
import { describe, expect, it } from 'vitest';
import forgot from '../../netlify/functions/password-forgot.ts';
import login from '../../netlify/functions/login.ts';
import reset from '../../netlify/functions/password-reset.ts';
import register from '../../netlify/functions/register.ts';
import resend from '../../netlify/functions/register-resend.ts';
import { call } from '../support/call.ts';
import { skipAhead } from '../support/clock.ts';
import { envForFile } from '../support/env.ts';
import { createUser, STRONG_PASSWORD, uniqueIp, uniqueName } from '../support/users.ts';

envForFile({ RATE_LIMIT_REGISTER_IP: '3/10m', RATE_LIMIT_EMAIL: '2/10m', RATE_LIMIT_EMAIL_IP: '4/10m' });

// biome-ignore lint/suspicious/noExplicitAny: the body is a CallResult body (see tests/support/call.ts)
function expectLimited(res: { status: number; headers: Headers; body: any }, maxSeconds: number) {
  expect(res.status).toBe(429);
  expect(res.body.error.code).toBe('rate_limited');
  const retryAfter = Number(res.headers.get('retry-after'));
  expect(Number.isInteger(retryAfter)).toBe(true);
  expect(retryAfter).toBeGreaterThan(0);
  expect(retryAfter).toBeLessThanOrEqual(maxSeconds);
}

describe('login limits (defaults: 10 failures per account and address, 50 per address, in 15 minutes)', () => {
  it('survives 1,000 guesses at one account from one address: the owner still logs in from theirs', async () => {
    const { user, password } = await createUser();
    const attacker = uniqueIp();
    const statuses = new Map<number, number>();
    for (let i = 0; i < 1000; i++) {
      const res = await call(login, 'POST', '/api/login', { json: { username: user.username, password: `Guess-${i}-Aa!` }, ip: attacker });
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
    }
    expect(Object.fromEntries(statuses)).toEqual({ 401: 10, 429: 990 });
    // Even the right password is refused from the attacker's address…
    expectLimited(await call(login, 'POST', '/api/login', { json: { username: user.username, password }, ip: attacker }), 15 * 60);
    // …but not from the owner's, and the owner's success leaves the attacker's counter alone.
    const owner = await call(login, 'POST', '/api/login', { json: { email: user.email, password }, ip: uniqueIp() });
    expect(owner.status).toBe(200);
    expect((await call(login, 'POST', '/api/login', { json: { username: user.username, password }, ip: attacker })).status).toBe(429);
  });

  it('limits failures per address across accounts', async () => {
    const ip = uniqueIp();
    for (let i = 0; i < 50; i++) {
      const res = await call(login, 'POST', '/api/login', { json: { username: `ghost_${i}`, password: 'Guess-1-Aa!' }, ip });
      expect(res.status).toBe(401);
    }
    const { user, password } = await createUser();
    expectLimited(await call(login, 'POST', '/api/login', { json: { username: user.username, password }, ip }), 15 * 60);
  });

  it('ignores X-Forwarded-For: the platform address is the one counted', async () => {
    const { user, password } = await createUser();
    const ip = uniqueIp();
    for (let i = 0; i < 10; i++) {
      await call(login, 'POST', '/api/login', {
        json: { username: user.username, password: 'Guess-1-Aa!' },
        ip,
        headers: { 'x-forwarded-for': `192.0.2.${i}` },
      });
    }
    const res = await call(login, 'POST', '/api/login', {
      json: { username: user.username, password },
      ip,
      headers: { 'x-forwarded-for': uniqueIp() },
    });
    expect(res.status).toBe(429);
  });
});

describe('registration limit per address', () => {
  it('refuses the registration over the limit, counting only valid requests', async () => {
    const ip = uniqueIp();
    const attempt = () => {
      const username = uniqueName('rl');
      return call(register, 'POST', '/api/register', {
        json: { username, email: `${username}@example.com`, password: STRONG_PASSWORD },
        ip,
      });
    };
    // An invalid body changes nothing, the counter included.
    expect((await call(register, 'POST', '/api/register', { json: {}, ip })).status).toBe(400);
    for (let i = 0; i < 3; i++) expect((await attempt()).status).toBe(201);
    expectLimited(await attempt(), 10 * 60);
    expect((await attempt()).status).toBe(429);
    const elsewhere = uniqueName('rl');
    const other = await call(register, 'POST', '/api/register', {
      json: { username: elsewhere, email: `${elsewhere}@example.com`, password: STRONG_PASSWORD },
      ip: uniqueIp(),
    });
    expect(other.status).toBe(201);
  });
});

describe('resend and forgot limits', () => {
  it('share a counter per e-mail address, from any client address; over it, 202 with nothing issued', async () => {
    const { user } = await createUser();
    const first = await call(forgot, 'POST', '/api/password/forgot', { json: { email: user.email }, ip: uniqueIp() });
    expect(first.status).toBe(202);
    expect((await call(resend, 'POST', '/api/register/resend', { json: { email: user.email.toUpperCase() }, ip: uniqueIp() })).status).toBe(
      202,
    );
    skipAhead();
    const over = await call(forgot, 'POST', '/api/password/forgot', { json: { email: user.email }, ip: uniqueIp() });
    expect(over.status).toBe(202);
    expect(over.body).toEqual({ message: expect.any(String) });
    expect((await call(resend, 'POST', '/api/register/resend', { json: { email: user.email }, ip: uniqueIp() })).status).toBe(202);
    // The first token is still the live one.
    expect(
      (await call(reset, 'POST', '/api/password/reset', { json: { token: first.body.token, password: 'Granite-Meadow-58?' } })).status,
    ).toBe(200);
  });

  it('count per client address across e-mail addresses, known or not', async () => {
    const ip = uniqueIp();
    for (let i = 0; i < 4; i++) {
      const fn = i % 2 ? forgot : resend;
      const path = i % 2 ? '/api/password/forgot' : '/api/register/resend';
      expect((await call(fn, 'POST', path, { json: { email: `${uniqueName('x')}@example.com` }, ip })).status).toBe(202);
    }
    expectLimited(await call(forgot, 'POST', '/api/password/forgot', { json: { email: `${uniqueName('x')}@example.com` }, ip }), 10 * 60);
  });
});
