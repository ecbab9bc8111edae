// The account flow over real HTTP through netlify dev: register, confirm by
// the e-mailed link's GET, log in, use the cookie and the Bearer token, change
// the password, log out; a used code stays 404 despite netlify dev's retries.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FLOW_TIMEOUT, START_TIMEOUT, startNetlifyDev, type DevServer } from '../support/netlify-dev.ts';

let server: DevServer;

beforeAll(async () => {
  server = await startNetlifyDev({ DATABASE_URL: process.env.DATABASE_URL! });
}, START_TIMEOUT);
afterAll(async () => server?.stop());

async function send(method: string, path: string, options: { json?: unknown; token?: string; cookie?: string } = {}) {
  const headers: Record<string, string> = {};
  if (options.json !== undefined) headers['content-type'] = 'application/json';
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.cookie) headers.cookie = options.cookie;
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers,
    body: options.json === undefined ? undefined : JSON.stringify(options.json),
    redirect: 'manual',
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : null };
}

describe('accounts under netlify dev', { timeout: FLOW_TIMEOUT }, () => {
  it('runs an account from registration to logout', async () => {
    const account = { username: 'e2e_walker', email: 'e2e.walker@example.com', password: 'Violet-Harbor-73!' };
    const registered = await send('POST', '/api/register', { json: account });
    expect(registered.status).toBe(201);
    const code = registered.body.confirmation.code as string;
    expect(code).toMatch(/^[A-Za-z0-9_-]{43}$/);

    expect((await send('POST', '/api/login', { json: { username: account.username, password: account.password } })).status).toBe(403);
    expect((await send('GET', `/api/register/confirm/${code}`)).body.user.confirmed).toBe(true);
    const reused = await send('GET', `/api/register/confirm/${code}`);
    expect(reused).toMatchObject({ status: 404, body: { error: { code: 'not_found' } } });

    const loggedIn = await send('POST', '/api/login', { json: { email: account.email, password: account.password } });
    expect(loggedIn.status).toBe(200);
    // netlify dev serves plain http: no Secure attribute, or browsers would drop the cookie.
    expect(loggedIn.headers.get('set-cookie')).toMatch(/^session_id=[^;]+; HttpOnly; SameSite=Lax; Path=\/; Max-Age=\d+$/);
    const cookie = loggedIn.headers.get('set-cookie')!.split(';')[0]!;
    const token = loggedIn.body.token as string;

    expect((await send('GET', '/api/me', { cookie })).body.user.username).toBe(account.username);
    expect((await send('GET', '/api/me/sessions', { token })).body.items).toEqual([expect.objectContaining({ current: true })]);
    const changed = await send('PUT', '/api/me/password', {
      token,
      json: { currentPassword: account.password, newPassword: 'Granite-Meadow-58?' },
    });
    expect(changed).toMatchObject({ status: 200, body: { revokedSessions: 0 } });

    const forgot = await send('POST', '/api/password/forgot', { json: { email: account.email } });
    expect(forgot.status).toBe(202);
    expect((await send('POST', '/api/password/reset', { json: { token: forgot.body.token, password: 'Copper-Lantern-26#' } })).status).toBe(
      200,
    );
    expect((await send('GET', '/api/me', { token })).status).toBe(401);

    const again = await send('POST', '/api/login', { json: { username: account.username, password: 'Copper-Lantern-26#' } });
    expect((await send('POST', '/api/logout', { token: again.body.token })).status).toBe(204);
    expect((await send('GET', '/api/me', { token: again.body.token })).status).toBe(401);
  });
});
