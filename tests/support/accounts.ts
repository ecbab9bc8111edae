// Fixtures for the account API tests: a registration through the real
// endpoint, and a capturing mail provider.
import { http, HttpResponse } from 'msw';
import register from '../../netlify/functions/register.ts';
import { call } from './call.ts';
import { setEnv } from './env.ts';
import { STRONG_PASSWORD, uniqueIp, uniqueName } from './users.ts';
import { outbound } from './outbound-http.ts';

export interface Registered {
  username: string;
  email: string;
  password: string;
  userId: number;
  code: string;
}

/** Registers through POST /api/register (development delivery: the code is in the response). */
export async function registerAccount(options: { username?: string; password?: string; ip?: string } = {}): Promise<Registered> {
  const username = options.username ?? uniqueName();
  const email = `${username}@example.com`;
  const password = options.password ?? STRONG_PASSWORD;
  const res = await call(register, 'POST', '/api/register', { json: { username, email, password }, ip: options.ip ?? uniqueIp() });
  if (res.status !== 201) throw new Error(`register answered ${res.status}: ${res.text}`);
  return { username, email, password, userId: res.body.user.id, code: res.body.confirmation.code };
}

export const MAIL_URL = 'https://mail.example.test/v1/send';

export interface SentMail {
  authorization: string | null;
  body: { from: string; to: string; subject: string; text: string };
}

/**
 * Configure a mail provider (MAIL_* variables) answered by msw with `status`;
 * returns the list every sent message lands in. Call `restore` afterwards.
 */
export function useMailProvider(status = 200): { sent: SentMail[]; restore: () => void } {
  const restore = setEnv({ MAIL_API_URL: MAIL_URL, MAIL_API_KEY: 'mail-key-123', MAIL_FROM: 'Accounts <no-reply@example.test>' });
  const sent: SentMail[] = [];
  outbound.use(
    http.post(MAIL_URL, async ({ request }) => {
      sent.push({ authorization: request.headers.get('authorization'), body: (await request.json()) as SentMail['body'] });
      return status < 300 ? HttpResponse.json({ id: `msg_${sent.length}` }, { status }) : HttpResponse.json({ error: 'down' }, { status });
    }),
  );
  return { sent, restore };
}
