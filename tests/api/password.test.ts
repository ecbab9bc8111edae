import { afterEach, describe, expect, it } from 'vitest';
import forgot from '../../netlify/functions/password-forgot.ts';
import reset from '../../netlify/functions/password-reset.ts';
import login from '../../netlify/functions/login.ts';
import me from '../../netlify/functions/me.ts';
import { setClock } from '../../src/config/clock.ts';
import { createSession, destroySession } from '../../src/auth/sessions/sessions.ts';
import { call } from '../support/call.ts';
import { skipAhead } from '../support/clock.ts';
import { createUser, STRONG_PASSWORD, uniqueIp } from '../support/users.ts';

afterEach(() => setClock());

const NEW_PASSWORD = 'Granite-Meadow-58?';

async function resetToken(email: string): Promise<string> {
  const res = await call(forgot, 'POST', '/api/password/forgot', { json: { email }, ip: uniqueIp() });
  expect(res.status).toBe(202);
  return res.body.token;
}

describe('POST /api/password/forgot', () => {
  it('answers 202 with a 30-minute token for a known e-mail (development delivery)', async () => {
    const t0 = new Date('2031-08-01T10:00:00Z');
    setClock(() => t0);
    const { user } = await createUser();
    const res = await call(forgot, 'POST', '/api/password/forgot', { json: { email: user.email.toUpperCase() }, ip: uniqueIp() });
    expect(res.status).toBe(202);
    expect(res.body).toEqual({
      message: expect.any(String),
      token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      expiresAt: '2031-08-01T10:30:00.000Z',
    });
  });

  it('answers the same 202, without a token, for an unknown e-mail', async () => {
    const res = await call(forgot, 'POST', '/api/password/forgot', { json: { email: 'nobody@example.com' }, ip: uniqueIp() });
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ message: expect.any(String) });
  });

  it('answers 400 for a missing or invalid e-mail', async () => {
    for (const form of [{}, { email: 'nope' }] as Record<string, string>[]) {
      const res = await call(forgot, 'POST', '/api/password/forgot', { form, ip: uniqueIp() });
      expect(res.status).toBe(400);
      expect(Object.keys(res.body.error.details)).toEqual(['email']);
    }
  });
});

describe('POST /api/password/reset', () => {
  it('sets the new password and revokes every session', async () => {
    const { user, token: sessionToken } = await createUser();
    const other = await createSession(user.id);
    const token = await resetToken(user.email);
    const res = await call(reset, 'POST', '/api/password/reset', { json: { token, password: NEW_PASSWORD } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      user: { id: user.id, username: user.username, email: user.email, confirmed: true, createdAt: user.created_at.toISOString() },
      revokedSessions: 2,
    });
    for (const t of [sessionToken, other.token]) expect((await call(me, 'GET', '/api/me', { token: t })).status).toBe(401);
    const ip = uniqueIp();
    expect((await call(login, 'POST', '/api/login', { json: { email: user.email, password: STRONG_PASSWORD }, ip })).status).toBe(401);
    expect((await call(login, 'POST', '/api/login', { json: { email: user.email, password: NEW_PASSWORD }, ip })).status).toBe(200);
  });

  it('works for a user with no session at all', async () => {
    const { user, sessionId } = await createUser();
    await destroySession(sessionId);
    const res = await call(reset, 'POST', '/api/password/reset', { form: { token: await resetToken(user.email), password: NEW_PASSWORD } });
    expect(res.status).toBe(200);
    expect(res.body.revokedSessions).toBe(0);
  });

  it('answers 404 for an unknown token and for a used one', async () => {
    const { user } = await createUser();
    const token = await resetToken(user.email);
    expect((await call(reset, 'POST', '/api/password/reset', { json: { token: 'Q'.repeat(43), password: NEW_PASSWORD } })).status).toBe(
      404,
    );
    expect((await call(reset, 'POST', '/api/password/reset', { json: { token, password: NEW_PASSWORD } })).status).toBe(200);
    const used = await call(reset, 'POST', '/api/password/reset', { json: { token, password: 'Another-Strong-9!' } });
    expect(used.status).toBe(404);
    expect(used.body.error.code).toBe('not_found');
  });

  it('answers 404 for a token replaced by a newer request', async () => {
    const { user } = await createUser();
    const first = await resetToken(user.email);
    // A live token is kept for its first minute, so a stranger asking again cannot replace the one the owner is about to use.
    skipAhead();
    await resetToken(user.email);
    expect((await call(reset, 'POST', '/api/password/reset', { json: { token: first, password: NEW_PASSWORD } })).status).toBe(404);
  });

  it('answers 410 code_expired after 30 minutes', async () => {
    const t0 = new Date('2031-08-02T10:00:00Z');
    setClock(() => t0);
    const { user } = await createUser();
    const token = await resetToken(user.email);
    setClock(() => new Date(t0.getTime() + 30 * 60_000 + 1));
    const res = await call(reset, 'POST', '/api/password/reset', { json: { token, password: NEW_PASSWORD } });
    expect(res.status).toBe(410);
    expect(res.body.error.code).toBe('code_expired');
  });

  it('answers 400 for a refused password and leaves the token usable', async () => {
    const { user, token: sessionToken } = await createUser();
    const token = await resetToken(user.email);
    const weak = await call(reset, 'POST', '/api/password/reset', { json: { token, password: 'password' } });
    expect(weak.status).toBe(400);
    expect(weak.body.error.details.password).toEqual([
      'must be at least 12 characters',
      'is one of the most common passwords',
      'must contain at least 3 of: lower-case letters, upper-case letters, digits, symbols (or be at least 20 characters long)',
    ]);
    const personal = await call(reset, 'POST', '/api/password/reset', { json: { token, password: `${user.username.toUpperCase()}-9a` } });
    expect(personal.status).toBe(400);
    expect(personal.body.error.details.password).toContain('must not contain the username');
    expect((await call(me, 'GET', '/api/me', { token: sessionToken })).status).toBe(200);
    expect((await call(reset, 'POST', '/api/password/reset', { json: { token, password: NEW_PASSWORD } })).status).toBe(200);
  });

  it('answers 400 for a malformed token or missing fields, before looking anything up', async () => {
    const res = await call(reset, 'POST', '/api/password/reset', { json: { token: 'short', password: 'x' } });
    expect(res.status).toBe(400);
    expect(Object.keys(res.body.error.details).sort()).toEqual(['password', 'token']);
    const missing = await call(reset, 'POST', '/api/password/reset', { json: {} });
    expect(missing.body.error.details).toEqual({ token: ['is required'], password: ['is required'] });
  });
});
