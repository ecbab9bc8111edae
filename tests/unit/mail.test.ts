import { http, HttpResponse } from 'msw';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { deliverSecret, resetDeliveryWarnings } from '../../src/auth/codes/delivery.ts';
import { newToken } from '../../src/auth/codes/tokens.ts';
import { ConfigError, setting } from '../../src/config/settings.ts';
import { MailDeliveryError, sendMail } from '../../src/mail/send.ts';
import { MAIL_URL, useMailProvider } from '../support/accounts.ts';
import { envPerTest } from '../support/env.ts';
import { captureLogs } from '../support/logs.ts';
import { outbound } from '../support/outbound-http.ts';

const settings = { url: MAIL_URL, apiKey: 'k-1', from: 'no-reply@example.test' };
const message = { to: 'ann@example.com', subject: 'Hi', text: 'Hello' };
const holder = { id: 7, username: 'ann', email: 'ann@example.com' };

const env = envPerTest();
afterEach(() => vi.restoreAllMocks());

describe('sendMail', () => {
  it('POSTs {from, to, subject, text} as JSON with the key as a Bearer token', async () => {
    let seen: { auth: string | null; type: string | null; body: unknown } | undefined;
    outbound.use(
      http.post(MAIL_URL, async ({ request }) => {
        seen = { auth: request.headers.get('authorization'), type: request.headers.get('content-type'), body: await request.json() };
        return HttpResponse.json({ ok: true });
      }),
    );
    await sendMail(settings, message);
    expect(seen).toEqual({ auth: 'Bearer k-1', type: 'application/json', body: { from: settings.from, ...message } });
  });

  it('sends no Authorization header without a key', async () => {
    let auth: string | null = 'unset';
    outbound.use(
      http.post(MAIL_URL, ({ request }) => {
        auth = request.headers.get('authorization');
        return HttpResponse.json({});
      }),
    );
    await sendMail({ ...settings, apiKey: undefined }, message);
    expect(auth).toBeNull();
  });

  it('fails on an error status or a network error', async () => {
    outbound.use(http.post(MAIL_URL, () => HttpResponse.json({ error: 'quota' }, { status: 429 })));
    await expect(sendMail(settings, message)).rejects.toThrow(new MailDeliveryError('mail provider answered 429'));
    outbound.use(http.post(MAIL_URL, () => HttpResponse.error()));
    await expect(sendMail(settings, message)).rejects.toBeInstanceOf(MailDeliveryError);
  });
});

describe('mail settings', () => {
  it('mean no provider without MAIL_API_URL', () => {
    expect(setting('mail')).toBeUndefined();
  });

  it('need MAIL_FROM and a valid URL', () => {
    env({ MAIL_API_URL: MAIL_URL });
    expect(() => setting('mail')).toThrow(new ConfigError('MAIL_FROM is required when MAIL_API_URL is set'));
    env({ MAIL_FROM: 'a@example.test', MAIL_API_URL: 'ftp://mail.example.test' });
    expect(() => setting('mail')).toThrow(/MAIL_API_URL/);
  });
});

describe('deliverSecret', () => {
  const notice = () => ({ to: holder, token: newToken('confirm_email'), appUrl: 'https://auth.example.test/app' });

  it('returns the secret in development, without a provider, and logs that it did, without it', async () => {
    const logs = captureLogs();
    const n = notice();
    expect(await deliverSecret(n)).toEqual({ revealed: true });
    expect(logs.lines()).toEqual([
      expect.objectContaining({ level: 'info', event: 'code_in_response', purpose: 'confirm_email', accountId: holder.id }),
    ]);
    expect(logs.raw.join('\n')).not.toContain(n.token.secret);
  });

  it('never returns it in production: without a provider it refuses (503) and says once which variables are missing', async () => {
    env({ CONTEXT: 'production' });
    resetDeliveryWarnings();
    const error = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const n = notice();
    await expect(deliverSecret(n)).rejects.toMatchObject({ status: 503, code: 'service_unavailable' });
    await expect(deliverSecret(n)).rejects.toMatchObject({ status: 503 });
    expect(error).toHaveBeenCalledTimes(1);
    expect(error.mock.calls[0]![0]).toMatch(/MAIL_API_URL and MAIL_FROM/);
    expect(error.mock.calls.flat().join(' ')).not.toContain(n.token.secret);
  });

  it('e-mails the code and its link through the provider', async () => {
    const mail = useMailProvider();
    try {
      const n = notice();
      expect(await deliverSecret(n)).toEqual({ revealed: false });
      expect(mail.sent).toHaveLength(1);
      expect(mail.sent[0]!.authorization).toBe('Bearer mail-key-123');
      expect(mail.sent[0]!.body).toMatchObject({
        from: 'Accounts <no-reply@example.test>',
        to: holder.email,
        subject: 'Confirm your account',
      });
      expect(mail.sent[0]!.body.text).toContain(`https://auth.example.test/app/confirm?code=${n.token.secret}`);
      expect(mail.sent[0]!.body.text).toContain('10 minutes');
    } finally {
      mail.restore();
    }
  });

  it('turns a provider failure into 503, or only a log line (no secret) when sent in the background', async () => {
    const mail = useMailProvider(500);
    const error = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      await expect(deliverSecret(notice())).rejects.toMatchObject({ status: 503, code: 'service_unavailable' });
      const background: Promise<unknown>[] = [];
      const n = notice();
      expect(await deliverSecret(n, (work) => background.push(work))).toEqual({ revealed: false });
      await Promise.all(background);
      expect(mail.sent).toHaveLength(2);
      expect(error).toHaveBeenCalledTimes(2);
      expect(error.mock.calls.flat().join(' ')).not.toContain(n.token.secret);
    } finally {
      mail.restore();
    }
  });
});
