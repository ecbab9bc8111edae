// Security notices: what a change to an account e-mails its owner (msw stands
// in for the mail provider). Each goes to the right address with no secret in
// it, after the answer, and a provider that fails or hangs changes nothing in
// the answer.
import type { Context } from '@netlify/functions';
import { http, HttpResponse } from 'msw';
import { afterEach, describe, expect, it, vi } from 'vitest';
import classicReset from '../../netlify/functions/classic-reset-password.ts';
import loginMfa from '../../netlify/functions/login-mfa.ts';
import login from '../../netlify/functions/login.ts';
import confirmChange from '../../netlify/functions/me-email-confirm.ts';
import changeEmail from '../../netlify/functions/me-email.ts';
import mfa from '../../netlify/functions/me-mfa-totp.ts';
import mePassword from '../../netlify/functions/me-password.ts';
import forgot from '../../netlify/functions/password-forgot.ts';
import reset from '../../netlify/functions/password-reset.ts';
import { limitFor } from '../../src/rate-limit/limits.ts';
import { MAIL_URL, type SentMail, useMailProvider } from '../support/accounts.ts';
import { BASE_URL, call } from '../support/call.ts';
import { envPerTest } from '../support/env.ts';
import { captureLogs } from '../support/logs.ts';
import { codeAt, enableMfa } from '../support/mfa.ts';
import { outbound } from '../support/outbound-http.ts';
import { createUser, STRONG_PASSWORD, uniqueIp } from '../support/users.ts';

const env = envPerTest();
let restore: (() => void) | undefined;
afterEach(() => {
  restore?.();
  restore = undefined;
  vi.restoreAllMocks();
});

function provider(status = 200): SentMail[] {
  const mail = useMailProvider(status);
  restore = mail.restore;
  return mail.sent;
}

const NEW_PASSWORD = 'Granite-Meadow-58?';
const AGENT = 'Notice-Test/1.0';
const secretIn = (text: string) => /(?:code|token) is: ([A-Za-z0-9_-]{43})/.exec(text)![1]!;

/** The message of `subject`, checked for what every notice says and never says. */
function notice(sent: SentMail[], subject: string, to: string, secrets: string[] = []) {
  const found = sent.filter((m) => m.body.subject === subject);
  expect(found.map((m) => m.body.to)).toEqual([to]);
  const { text } = found[0]!.body;
  expect(text).toContain('/app/forgot');
  expect(text).toMatch(/When: \d{4}-\d\d-\d\dT/);
  for (const secret of [STRONG_PASSWORD, NEW_PASSWORD, ...secrets]) expect(text).not.toContain(secret);
  return text;
}

const changePassword = (token: string, headers: Record<string, string> = { 'user-agent': AGENT }) =>
  call(mePassword, 'PUT', '/api/me/password', {
    token,
    headers,
    json: { currentPassword: STRONG_PASSWORD, newPassword: NEW_PASSWORD },
    ip: uniqueIp(),
  });

async function secondStep(username: string, code: string, password = STRONG_PASSWORD) {
  const first = await call(login, 'POST', '/api/login', { json: { username, password }, ip: uniqueIp() });
  expect(first.status).toBe(403);
  return call(loginMfa, 'POST', '/api/login/mfa', { json: { mfaToken: first.body.error.mfaToken, code }, ip: uniqueIp() });
}

describe('a notice for each change', () => {
  it('a password change: to the account, naming when, the address and the device as untrusted text', async () => {
    const sent = provider();
    const { user, token } = await createUser();
    // NEL (U+0085) breaks a line for some mail readers; a header may carry it, and a tab.
    const res = await changePassword(token, { 'user-agent': 'Evil\u0085Subject:\thi' });
    expect(res.status).toBe(200);
    const text = notice(sent, 'Your password was changed', user.email);
    // One quoted line: what the client sent cannot start a line of its own.
    expect(text).toContain('Device, as it described itself: "Evil Subject: hi"');
    expect(text).toMatch(/From the address: "198\.51\.\d+\.\d+"/);
  });

  it('a completed reset, on /api and on the classic route', async () => {
    const sent = provider();
    for (const classic of [false, true]) {
      const { user } = await createUser();
      await call(forgot, 'POST', '/api/password/forgot', { json: { email: user.email }, ip: uniqueIp() });
      const token = secretIn(sent.at(-1)!.body.text);
      const res = classic
        ? await call(classicReset, 'PUT', '/reset_password', {
            json: { email: user.email, reset_token: token, new_password: NEW_PASSWORD },
          })
        : await call(reset, 'POST', '/api/password/reset', { json: { token, password: NEW_PASSWORD } });
      expect(res.status).toBe(200);
      expect(notice(sent, 'Your password was changed', user.email, [token])).toContain('reset with a link sent to this address');
      sent.splice(0);
    }
  });

  it('an e-mail change: at the request and at the confirmation, to the old address, without the code', async () => {
    const sent = provider();
    const { user, token } = await createUser();
    const email = `moved-${user.username}@example.org`;
    expect(
      (await call(changeEmail, 'POST', '/api/me/email', { token, json: { email, password: STRONG_PASSWORD }, ip: uniqueIp() })).status,
    ).toBe(202);
    const code = secretIn(sent[0]!.body.text);
    expect(notice(sent, 'Your e-mail address is being changed', user.email, [code])).toContain(email);
    const res = await call(confirmChange, 'POST', `/api/me/email/confirm/${code}`, { headers: { 'user-agent': AGENT } });
    expect(res.status).toBe(200);
    const text = notice(sent, 'Your e-mail address was changed', user.email, [code]);
    expect(text).toContain(`changed to ${email}`);
    expect(text).toContain(`"${AGENT}"`);
  });

  it('a second factor turned on, then off (with a recovery code: one notice, saying so)', async () => {
    const sent = provider();
    const { user, token } = await createUser();
    const { secret, recoveryCodes } = await enableMfa(token);
    notice(sent, 'Two-step verification was turned on', user.email, [secret, ...recoveryCodes]);
    const removed = await call(mfa, 'DELETE', '/api/me/mfa/totp', { token, json: { password: STRONG_PASSWORD, code: recoveryCodes[0]! } });
    expect(removed.status).toBe(204);
    const text = notice(sent, 'Two-step verification was turned off', user.email, [secret, ...recoveryCodes]);
    expect(text).toContain('A recovery code was used');
    expect(sent).toHaveLength(2);
  });

  it('a recovery code used to log in, with how many are left; a TOTP code sends nothing', async () => {
    const { user, token } = await createUser();
    const { secret, recoveryCodes } = await enableMfa(token);
    const sent = provider();
    expect((await secondStep(user.username, codeAt(secret))).status).toBe(200);
    expect(sent).toEqual([]);
    expect((await secondStep(user.username, recoveryCodes[3]!)).status).toBe(200);
    const text = notice(sent, 'A recovery code was used to sign in', user.email, [secret, ...recoveryCodes]);
    expect(text).toContain('9 of them are left');
  });

  it('wrong codes over RATE_LIMIT_MFA: one notice, from the attempt that went over, not one per refusal', async () => {
    const { user, token } = await createUser();
    await enableMfa(token);
    const sent = provider();
    const { count } = limitFor('mfa');
    const statuses: number[] = [];
    for (let i = 0; i < count + 3; i++) statuses.push((await secondStep(user.username, '000000')).status);
    expect(statuses.filter((s) => s === 429)).toHaveLength(3);
    notice(sent, 'Wrong two-step verification codes on your account', user.email);
    expect(sent).toHaveLength(1);
  });
});

describe('delivery never touches the answer', () => {
  it('answers before a provider that hangs has answered: the notice goes through waitUntil', async () => {
    env({ MAIL_API_URL: MAIL_URL, MAIL_FROM: 'Accounts <no-reply@example.test>' });
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const received: string[] = [];
    outbound.use(
      http.post(MAIL_URL, async ({ request }) => {
        received.push(((await request.json()) as { subject: string }).subject);
        await held;
        return HttpResponse.json({ id: 'late' });
      }),
    );
    const { token } = await createUser();
    const background: Promise<unknown>[] = [];
    const req = new Request(`${BASE_URL}/api/me/password`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ currentPassword: STRONG_PASSWORD, newPassword: NEW_PASSWORD }),
    });
    const context = { ip: uniqueIp(), params: {}, waitUntil: (work: Promise<unknown>) => background.push(work) } as unknown as Context;
    const res = await mePassword(req, context);
    expect(res.status).toBe(200);
    expect(background).toHaveLength(1);
    release();
    await Promise.all(background);
    expect(received).toEqual(['Your password was changed']);
  });

  it('a provider failure: the same answer, and a mail_not_sent line without the address', async () => {
    const sent = provider(500);
    const logs = captureLogs();
    const { user, token } = await createUser();
    const res = await changePassword(token);
    expect([res.status, Object.keys(res.body)]).toEqual([200, ['revokedSessions']]);
    expect(sent).toHaveLength(1);
    expect(logs.of('mail_not_sent')).toEqual([
      expect.objectContaining({ level: 'error', purpose: 'password_changed', accountId: user.id, reason: 'mail provider answered 500' }),
    ]);
    expect(logs.raw.join('\n')).not.toContain(user.email);
  });

  it('without a mail provider: a line in local development, and no 503 in a deploy (a notice is no code someone must get)', async () => {
    const logs = captureLogs();
    const { user, token } = await createUser();
    expect((await changePassword(token)).status).toBe(200);
    expect(logs.of('notice_not_sent')).toEqual([expect.objectContaining({ purpose: 'password_changed', accountId: user.id })]);
    env({ CONTEXT: 'deploy-preview', BREACHED_PASSWORD_CHECK: 'off' });
    const other = await createUser();
    expect((await changePassword(other.token)).status).toBe(200);
  });
});
