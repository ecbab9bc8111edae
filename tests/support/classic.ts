// Fixtures for the classic routes: an account made through POST /users and
// the `session_id` cookie of a response.
import users from '../../netlify/functions/classic-users.ts';
import { call } from './call.ts';
import { STRONG_PASSWORD, uniqueIp, uniqueName } from './users.ts';

export interface ClassicAccount {
  email: string;
  password: string;
}

/** Registers through POST /users with a form body, as classic clients do. */
export async function registerClassic(options: { email?: string; password?: string } = {}): Promise<ClassicAccount> {
  const email = options.email ?? `${uniqueName('classic')}@example.com`;
  const password = options.password ?? STRONG_PASSWORD;
  const res = await call(users, 'POST', '/users', { form: { email, password }, ip: uniqueIp() });
  if (res.status !== 200) throw new Error(`POST /users answered ${res.status}: ${res.text}`);
  return { email, password };
}

/** `session_id=<token>` from a Set-Cookie header, ready for a Cookie header. */
export function sessionCookieOf(headers: Headers): string {
  const cookie = headers.get('set-cookie')?.split(';')[0];
  if (!cookie?.startsWith('session_id=')) throw new Error(`no session cookie in ${headers.get('set-cookie')}`);
  return cookie;
}
