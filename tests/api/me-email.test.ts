// Changing the e-mail address: POST /api/me/email sends a code to
// the new address, GET or POST /api/me/email/confirm/{code} moves the account.
import { afterEach, describe, expect, it, vi } from 'vitest';
import login from '../../netlify/functions/login.ts';
import confirmChange from '../../netlify/functions/me-email-confirm.ts';
import changeEmail from '../../netlify/functions/me-email.ts';
import me from '../../netlify/functions/me.ts';
import forgot from '../../netlify/functions/password-forgot.ts';
import reset from '../../netlify/functions/password-reset.ts';
import { resetDeliveryWarnings } from '../../src/auth/codes/delivery.ts';
import { createSession } from '../../src/auth/sessions/sessions.ts';
import { getDb } from '../../src/db/connection.ts';
import { registerAccount, useMailProvider } from '../support/accounts.ts';
import { call } from '../support/call.ts';
import { countRows, itRefusesBadBodies } from '../support/content.ts';
import { envForFile, setEnv } from '../support/env.ts';
import { measured } from '../support/statements.ts';
import { createUser, uniqueIp, uniqueName, type TestUser } from '../support/users.ts';

envForFile({ RATE_LIMIT_LOGIN_ACCOUNT: '3/15m' });

let restoreMail: (() => void) | undefined;
afterEach(() => {
  restoreMail?.();
  restoreMail = undefined;
  vi.restoreAllMocks();
});

const freshEmail = () => `${uniqueName('moved')}@example.org`;

const request = (owner: TestUser, email: string, options: { password?: string; ip?: string } = {}) =>
  call(changeEmail, 'POST', '/api/me/email', {
    token: owner.token,
    json: { email, password: options.password ?? owner.password },
    ip: options.ip ?? uniqueIp(),
    headers: { 'user-agent': 'Mail-Changer/1.0' },
  });

const confirmPath = (code: string) => `/api/me/email/confirm/${code}`;

async function kinds(userId: number): Promise<string[]> {
  const rows = await getDb().selectFrom('security_events').select('kind').where('user_id', '=', userId).orderBy('id').execute();
  return rows.map((row) => row.kind);
}

async function liveCode(userId: number) {
  return getDb()
    .selectFrom('one_time_tokens')
    .select(['new_email', 'used_at'])
    .where('user_id', '=', userId)
    .where('purpose', '=', 'change_email')
    .execute();
}

describe('POST /api/me/email', () => {
  it('answers 202 with the pending address and, in local development, the code: 3 statements; the address stays until confirmed', async () => {
    const owner = await createUser();
    const email = freshEmail();
    const [status, statements] = await measured(() => request(owner, email));
    expect([status, statements]).toEqual([202, 3]);
    const res = await request(owner, email);
    expect(res.body).toEqual({ pendingEmail: email, expiresAt: expect.any(String), code: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) });
    const minutes = (Date.parse(res.body.expiresAt) - Date.now()) / 60_000;
    expect(minutes).toBeGreaterThan(9);
    expect(minutes).toBeLessThanOrEqual(10);
    // One pending change per account: the second request replaced the first.
    expect(await liveCode(owner.user.id)).toEqual([{ new_email: email, used_at: null }]);
    const current = await call(me, 'GET', '/api/me', { token: owner.token });
    expect(current.body.user.email).toBe(owner.user.email);
    const recorded = await getDb().selectFrom('security_events').selectAll().where('user_id', '=', owner.user.id).execute();
    expect(recorded.map((e) => [e.kind, e.user_agent])).toEqual([
      ['email_change_requested', 'Mail-Changer/1.0'],
      ['email_change_requested', 'Mail-Changer/1.0'],
    ]);
  });

  it('with a mail provider: the code to the new address, a notice without it to the old one, none in the response', async () => {
    const mail = useMailProvider();
    restoreMail = mail.restore;
    const owner = await createUser();
    const email = freshEmail();
    const res = await request(owner, email);
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ pendingEmail: email, expiresAt: expect.any(String) });
    expect(mail.sent.map((m) => [m.body.to, m.body.subject])).toEqual([
      [email, 'Confirm your new e-mail address'],
      [owner.user.email, 'Your e-mail address is being changed'],
    ]);
    const code = /code is: ([A-Za-z0-9_-]{43})/.exec(mail.sent[0]!.body.text)![1]!;
    expect(mail.sent[0]!.body.text).toContain(`/app/email?code=${code}`);
    expect(mail.sent[1]!.body.text).toContain(email);
    expect(mail.sent[1]!.body.text).not.toContain(code);
    expect(mail.sent[1]!.body.text).toContain('/app/forgot');
    expect((await call(confirmChange, 'GET', confirmPath(code))).body.user.email).toBe(email);
  });

  it('answers 400 with details.password for a wrong password, counted with the login’s, then 429: 2 statements each', async () => {
    const owner = await createUser();
    const ip = uniqueIp();
    for (let i = 0; i < 3; i++) {
      const res = await request(owner, freshEmail(), { password: 'Wrong-Password-1', ip });
      expect([res.status, Object.keys(res.body.error.details ?? {})]).toEqual([400, ['password']]);
    }
    expect(await measured(() => request(owner, freshEmail(), { password: 'Wrong-Password-1', ip }))).toEqual([429, 2]);
    // The same counter as a login's from this address: the right password is refused too.
    const refused = await request(owner, freshEmail(), { ip });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(
      (await call(login, 'POST', '/api/login', { json: { username: owner.user.username, password: owner.password }, ip })).status,
    ).toBe(429);
    expect(await liveCode(owner.user.id)).toEqual([]);
  });

  it('releases the counter after the right password: the owner’s own changes never lock them out', async () => {
    const owner = await createUser();
    const ip = uniqueIp();
    await request(owner, freshEmail(), { password: 'Wrong-Password-1', ip });
    await request(owner, freshEmail(), { password: 'Wrong-Password-1', ip });
    for (let i = 0; i < 5; i++) expect((await request(owner, freshEmail(), { ip })).status).toBe(202);
  });

  it('answers 409 email_taken when another account has the address, issuing nothing: 3 statements', async () => {
    const owner = await createUser();
    const other = await createUser();
    const [status, statements] = await measured(() => request(owner, other.user.email));
    expect([status, statements]).toEqual([409, 3]);
    const res = await request(owner, other.user.email.toUpperCase());
    expect(res.body.error.code).toBe('email_taken');
    expect(await liveCode(owner.user.id)).toEqual([]);
    expect(await kinds(owner.user.id)).toEqual([]);
  });

  it('answers 400 for the account’s own address and for a malformed one', async () => {
    const owner = await createUser();
    const same = await request(owner, owner.user.email);
    expect([same.status, same.body.error.details]).toEqual([400, { email: ['is already the address of this account'] }]);
    for (const json of [
      { email: 'not-an-address', password: owner.password },
      { password: owner.password },
      { email: freshEmail() },
      { email: freshEmail(), password: 'x', extra: 1 },
    ]) {
      const [status, statements] = await measured(() => call(changeEmail, 'POST', '/api/me/email', { token: owner.token, json }));
      expect([status, statements]).toEqual([400, 0]);
    }
    expect(await liveCode(owner.user.id)).toEqual([]);
  });

  it('answers 401 without a live session and 403 for a cookie from another origin, issuing nothing', async () => {
    const owner = await createUser();
    const json = { email: freshEmail(), password: owner.password };
    expect((await call(changeEmail, 'POST', '/api/me/email', { json })).status).toBe(401);
    const crossSite = await call(changeEmail, 'POST', '/api/me/email', {
      cookie: `session_id=${owner.token}`,
      headers: { origin: 'https://evil.example' },
      json,
    });
    expect(crossSite.status).toBe(403);
    await getDb().deleteFrom('sessions').where('id', '=', owner.sessionId).execute();
    expect((await request(owner, json.email)).status).toBe(401);
    expect(await liveCode(owner.user.id)).toEqual([]);
  });

  it('answers 503 in a deploy without a mail provider, before any statement, and never shows a code', async () => {
    const owner = await createUser();
    const restore = setEnv({ CONTEXT: 'production' });
    resetDeliveryWarnings();
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const [status, statements] = await measured(() => request(owner, freshEmail()));
      expect([status, statements]).toEqual([503, 0]);
      expect(error.mock.calls[0]![0]).toMatch(/MAIL_API_URL and MAIL_FROM/);
    } finally {
      restore();
      resetDeliveryWarnings();
    }
    expect(await liveCode(owner.user.id)).toEqual([]);
  });

  itRefusesBadBodies(changeEmail, 'POST', async () => ({ path: '/api/me/email', token: (await createUser()).token }));
});

describe('/api/me/email/confirm/{code}', () => {
  it('moves the account with the caller’s session kept and every other one ended, in 1 statement', async () => {
    const owner = await createUser();
    const elsewhere = await createSession(owner.user.id);
    const bystander = await createUser();
    const email = freshEmail();
    const { code } = (await request(owner, email)).body;
    // A reset token sent to the old address stops working with it.
    const resetToken = (await call(forgot, 'POST', '/api/password/forgot', { json: { email: owner.user.email }, ip: uniqueIp() })).body
      .token;

    const [status, statements] = await measured(() => call(confirmChange, 'POST', confirmPath(code), { token: owner.token }));
    expect([status, statements]).toEqual([200, 1]);

    const now = await call(me, 'GET', '/api/me', { token: owner.token });
    expect(now.body.user).toMatchObject({ id: owner.user.id, email });
    expect((await call(me, 'GET', '/api/me', { token: elsewhere.token })).status).toBe(401);
    expect((await call(me, 'GET', '/api/me', { token: bystander.token })).status).toBe(200);
    expect((await call(reset, 'POST', '/api/password/reset', { json: { token: resetToken, password: 'Granite-Meadow-58?' } })).status).toBe(
      404,
    );
    expect(await kinds(owner.user.id)).toEqual(['email_change_requested', 'reset_requested', 'email_changed']);
    // The new address logs in; the old one is free.
    expect((await call(login, 'POST', '/api/login', { json: { email, password: owner.password }, ip: uniqueIp() })).status).toBe(200);
    expect((await createUser({ email: owner.user.email })).user.email).toBe(owner.user.email);
  });

  it('answers 200 { user } from the e-mailed link without a session, ending every session of the account', async () => {
    const owner = await createUser();
    const email = freshEmail();
    const { code } = (await request(owner, email)).body;
    const res = await call(confirmChange, 'GET', confirmPath(code));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      user: { id: owner.user.id, username: owner.user.username, email, confirmed: true, createdAt: expect.any(String) },
    });
    expect(await countRows('sessions', { user_id: owner.user.id })).toBe(0);
  });

  it('keeps no session that is not the account’s own, nor a cookie on a change from another origin', async () => {
    const owner = await createUser();
    const other = await createUser();
    const { code } = (await request(owner, freshEmail())).body;
    expect((await call(confirmChange, 'POST', confirmPath(code), { token: other.token })).status).toBe(200);
    expect(await countRows('sessions', { user_id: owner.user.id })).toBe(0);
    expect(await countRows('sessions', { user_id: other.user.id })).toBe(1);

    const again = await createUser();
    const second = (await request(again, freshEmail())).body.code;
    const crossSite = await call(confirmChange, 'POST', confirmPath(second), {
      cookie: `session_id=${again.token}`,
      headers: { origin: 'https://evil.example' },
    });
    expect(crossSite.status).toBe(200);
    expect(await countRows('sessions', { user_id: again.user.id })).toBe(0);
  });

  it('answers 404 for an unknown code and for a used one, and 400 for a malformed one: nothing changes', async () => {
    const owner = await createUser();
    const { code } = (await request(owner, freshEmail())).body;
    expect((await call(confirmChange, 'POST', confirmPath('A'.repeat(43)))).status).toBe(404);
    expect((await call(confirmChange, 'GET', confirmPath(code))).status).toBe(200);
    const used = await measured(() => call(confirmChange, 'POST', confirmPath(code)));
    expect(used).toEqual([404, 1]);
    const malformed = await call(confirmChange, 'GET', confirmPath('short'));
    expect([malformed.status, malformed.body.error.code]).toEqual([400, 'validation_failed']);
    expect(await kinds(owner.user.id)).toEqual(['email_change_requested', 'email_changed']);
  });

  it('answers 404 for a code a newer request replaced, and for a registration code', async () => {
    const owner = await createUser();
    const first = (await request(owner, freshEmail())).body.code;
    const second = (await request(owner, freshEmail())).body;
    expect((await call(confirmChange, 'POST', confirmPath(first))).status).toBe(404);
    expect((await call(confirmChange, 'POST', confirmPath(second.code))).body.user.email).toBe(second.pendingEmail);
    const registered = await registerAccount();
    expect((await call(confirmChange, 'POST', confirmPath(registered.code))).status).toBe(404);
    expect(await countRows('users', { id: registered.userId })).toBe(1);
  });

  it('answers 410 code_expired after 10 minutes, and the account keeps its address', async () => {
    const owner = await createUser();
    const { code } = (await request(owner, freshEmail())).body;
    await getDb()
      .updateTable('one_time_tokens')
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where('user_id', '=', owner.user.id)
      .execute();
    const res = await call(confirmChange, 'GET', confirmPath(code));
    expect([res.status, res.body.error.code]).toEqual([410, 'code_expired']);
    expect((await call(me, 'GET', '/api/me', { token: owner.token })).body.user.email).toBe(owner.user.email);
  });

  it('answers 409 email_taken when another account took the address since, and the code stays unused', async () => {
    const owner = await createUser();
    const email = freshEmail();
    const { code } = (await request(owner, email)).body;
    const taker = await createUser({ email });
    const [status, statements] = await measured(() => call(confirmChange, 'POST', confirmPath(code), { token: owner.token }));
    expect([status, statements]).toEqual([409, 1]);
    expect(await liveCode(owner.user.id)).toEqual([{ new_email: email, used_at: null }]);
    expect((await call(me, 'GET', '/api/me', { token: owner.token })).body.user.email).toBe(owner.user.email);
    // Freed again, the same code works.
    await getDb().deleteFrom('users').where('id', '=', taker.user.id).execute();
    expect((await call(confirmChange, 'POST', confirmPath(code), { token: owner.token })).body.user.email).toBe(email);
  });
});
