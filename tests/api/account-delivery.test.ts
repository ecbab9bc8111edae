// Delivery of codes and tokens through the HTTP mail provider (msw stands in
// for it), and what production never reveals.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Context } from '@netlify/functions';
import confirm from '../../netlify/functions/register-confirm.ts';
import forgot from '../../netlify/functions/password-forgot.ts';
import register from '../../netlify/functions/register.ts';
import resend from '../../netlify/functions/register-resend.ts';
import reset from '../../netlify/functions/password-reset.ts';
import { findUserBy } from '../../src/auth/accounts/users.ts';
import { resetDeliveryWarnings } from '../../src/auth/codes/delivery.ts';
import { call } from '../support/call.ts';
import { registerAccount, useMailProvider } from '../support/accounts.ts';
import { useBreachedPasswordApi } from '../support/breached-passwords.ts';
import { skipAhead } from '../support/clock.ts';
import { envPerTest } from '../support/env.ts';
import { captureLogs } from '../support/logs.ts';
import { createUser, STRONG_PASSWORD, uniqueIp, uniqueName } from '../support/users.ts';

const env = envPerTest();
let restore: (() => void) | undefined;
afterEach(() => {
  restore?.();
  restore = undefined;
  vi.restoreAllMocks();
});

function provider(status = 200) {
  const mail = useMailProvider(status);
  restore = mail.restore;
  return mail.sent;
}

const newAccount = () => {
  const username = uniqueName('mail');
  return { username, email: `${username}@example.com`, password: STRONG_PASSWORD };
};

/** The code or token a message carries. */
const secretIn = (text: string) => /(?:code|token) is: ([A-Za-z0-9_-]{43})/.exec(text)![1]!;

describe('with a mail provider', () => {
  it('e-mails the confirmation code and link instead of returning it', async () => {
    const sent = provider();
    env({ URL: 'https://auth.example.test' });
    const account = newAccount();
    // A request whose Host an attacker chose: links must not point there.
    const req = new Request('https://evil.example/api/register', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(account),
    });
    const res = await register(req, { ip: uniqueIp(), params: {} } as unknown as Context);
    expect(res.status).toBe(201);
    expect((await res.json()).confirmation).toEqual({ expiresAt: expect.any(String) });
    expect(sent).toHaveLength(1);
    expect(sent[0]!.authorization).toBe('Bearer mail-key-123');
    expect(sent[0]!.body).toMatchObject({ from: 'Accounts <no-reply@example.test>', to: account.email, subject: 'Confirm your account' });
    const code = secretIn(sent[0]!.body.text);
    expect(sent[0]!.body.text).not.toContain('evil.example');
    // The link opens the confirmation page; opening it uses nothing up (the page's button does).
    expect(sent[0]!.body.text).toContain(`https://auth.example.test/app/confirm?code=${code}`);
    expect((await call(confirm, 'GET', `/api/register/confirm/${code}`)).status).toBe(200);
  });

  it('e-mails a resent code and a reset token, returning neither', async () => {
    const acct = await registerAccount();
    const { user } = await createUser();
    const sent = provider();
    // The code registration sent is kept for its first minute, so a stranger asking again cannot replace the one the owner is about to use.
    skipAhead();
    const resent = await call(resend, 'POST', '/api/register/resend', { json: { email: acct.email }, ip: uniqueIp() });
    expect(resent.body).toEqual({ message: expect.any(String) });
    const forgotten = await call(forgot, 'POST', '/api/password/forgot', { json: { email: user.email }, ip: uniqueIp() });
    expect(forgotten.body).toEqual({ message: expect.any(String) });
    expect(sent.map((m) => [m.body.to, m.body.subject])).toEqual([
      [acct.email, 'Confirm your account'],
      [user.email, 'Reset your password'],
    ]);
    const token = secretIn(sent[1]!.body.text);
    expect(sent[1]!.body.text).toContain(`/app/reset?token=${token}`);
    expect((await call(reset, 'POST', '/api/password/reset', { json: { token, password: 'Granite-Meadow-58?' } })).status).toBe(200);
  });

  it('points the links at APP_URL when it is set, and refuses a malformed one by name', async () => {
    const sent = provider();
    env({ URL: 'https://auth.example.test', APP_URL: 'https://www.example.test/account/' });
    const { user } = await createUser();
    await call(forgot, 'POST', '/api/password/forgot', { json: { email: user.email }, ip: uniqueIp() });
    expect(sent[0]!.body.text).toContain(`https://www.example.test/account/reset?token=${secretIn(sent[0]!.body.text)}`);
    env({ APP_URL: 'ftp://files.example.test' });
    const logged = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const refused = await call(forgot, 'POST', '/api/password/forgot', { json: { email: user.email }, ip: uniqueIp() });
    expect(refused.status).toBe(500);
    expect(logged.mock.calls.flat().join(' ')).toContain('APP_URL');
    expect(sent).toHaveLength(1);
  });

  it('sends nothing for an unknown address', async () => {
    const sent = provider();
    await call(forgot, 'POST', '/api/password/forgot', { json: { email: 'nobody@example.com' }, ip: uniqueIp() });
    await call(resend, 'POST', '/api/register/resend', { json: { email: 'nobody@example.com' }, ip: uniqueIp() });
    expect(sent).toEqual([]);
  });

  it('answers 503 to a registration whose e-mail fails, and keeps nothing of it', async () => {
    provider(500);
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const account = newAccount();
    const res = await call(register, 'POST', '/api/register', { json: account, ip: uniqueIp() });
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe('service_unavailable');
    await expect(findUserBy({ email: account.email })).rejects.toMatchObject({ status: 404 });
    restore!();
    restore = undefined;
    expect((await call(register, 'POST', '/api/register', { json: account, ip: uniqueIp() })).status).toBe(201);
  });

  it('still answers 202 when a reset e-mail fails: the failure is logged, not revealed', async () => {
    const { user } = await createUser();
    const sent = provider(500);
    const error = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const res = await call(forgot, 'POST', '/api/password/forgot', { json: { email: user.email }, ip: uniqueIp() });
    expect(res.status).toBe(202);
    expect(sent).toHaveLength(1);
    expect(error).toHaveBeenCalledTimes(1);
    expect(error.mock.calls.flat().join(' ')).not.toContain(secretIn(sent[0]!.body.text));
  });

  it("sends in the background through the platform's waitUntil, after the response", async () => {
    const { user } = await createUser();
    const sent = provider();
    const background: Promise<unknown>[] = [];
    const req = new Request('http://localhost:8888/api/password/forgot', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: user.email }),
    });
    const context = { ip: uniqueIp(), params: {}, waitUntil: (work: Promise<unknown>) => background.push(work) } as unknown as Context;
    const res = await forgot(req, context);
    expect(res.status).toBe(202);
    expect(background).toHaveLength(1);
    await Promise.all(background);
    expect(sent).toHaveLength(1);
  });
});

describe('in production (CONTEXT=production)', () => {
  // The breached-password check is on in a deploy: msw answers for Have I Been Pwned.
  beforeEach(() => void useBreachedPasswordApi());

  it('never returns a code or token: they are e-mailed', async () => {
    env({ CONTEXT: 'production' });
    const sent = provider();
    const account = newAccount();
    const registered = await call(register, 'POST', '/api/register', { json: account, ip: uniqueIp() });
    expect(registered.status).toBe(201);
    expect(registered.body.confirmation).toEqual({ expiresAt: expect.any(String) });
    skipAhead();
    const resent = await call(resend, 'POST', '/api/register/resend', { json: { email: account.email }, ip: uniqueIp() });
    expect(resent.body).toEqual({ message: expect.any(String) });
    const forgotten = await call(forgot, 'POST', '/api/password/forgot', { json: { email: account.email }, ip: uniqueIp() });
    expect(forgotten.body).toEqual({ message: expect.any(String) });
    expect(sent).toHaveLength(3);
  });

  it('answers 503 without a mail provider and creates no account that nobody could confirm', async () => {
    env({ CONTEXT: 'production' });
    resetDeliveryWarnings();
    const logs = captureLogs();
    const account = newAccount();
    const registered = await call(register, 'POST', '/api/register', { json: account, ip: uniqueIp() });
    expect(registered.status).toBe(503);
    expect(registered.body.error.code).toBe('service_unavailable');
    await expect(findUserBy({ email: account.email })).rejects.toMatchObject({ status: 404 });
    expect(logs.lines().map((line) => [line.level, line.event])).toEqual([
      ['error', 'mail_not_configured'],
      ['error', 'request'],
    ]);
    expect(logs.of('mail_not_configured')[0]!.message).toMatch(/MAIL_API_URL and MAIL_FROM/);
  });
});
