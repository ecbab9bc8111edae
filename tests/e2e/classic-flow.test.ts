// The classic routes over real HTTP through netlify dev, as a form-and-cookie
// client walks them; the 403s stay 403 despite netlify dev's retries of them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FLOW_TIMEOUT, START_TIMEOUT, startNetlifyDev, type DevServer } from '../support/netlify-dev.ts';

let server: DevServer;

beforeAll(async () => {
  server = await startNetlifyDev({ DATABASE_URL: process.env.DATABASE_URL! });
}, START_TIMEOUT);
afterAll(async () => server?.stop());

interface Sent {
  status: number;
  headers: Headers;
  text: string;
}

async function send(method: string, path: string, options: { form?: Record<string, string>; cookie?: string } = {}): Promise<Sent> {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: options.cookie ? { cookie: options.cookie } : {},
    body: options.form && new URLSearchParams(options.form),
    redirect: 'manual',
  });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

function expectAnswer(res: Sent, status: number, body: unknown) {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
  expect(res.text).toBe(JSON.stringify(body));
}

describe('classic routes under netlify dev', { timeout: FLOW_TIMEOUT }, () => {
  it('runs the full flow: register, log in, profile, log out, reset the password', async () => {
    const email = 'classic.walker@example.com';
    const password = 'Violet-Harbor-73!';
    const newPassword = 'Granite-Meadow-58?';

    expectAnswer(await send('POST', '/users', { form: { email, password } }), 200, { email, message: 'user created' });
    expectAnswer(await send('POST', '/users', { form: { email, password } }), 400, { message: 'email already registered' });

    const wrong = await send('POST', '/sessions', { form: { email, password: 'Wrong-Password-1' } });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('set-cookie')).toBeNull();
    expect((await send('GET', '/profile')).status).toBe(403);

    const loggedIn = await send('POST', '/sessions', { form: { email, password } });
    expectAnswer(loggedIn, 200, { email, message: 'logged in' });
    // netlify dev serves plain http: no Secure attribute, or the client would drop the cookie.
    expect(loggedIn.headers.get('set-cookie')).toMatch(/^session_id=[^;]+; HttpOnly; SameSite=Lax; Path=\/; Max-Age=\d+$/);
    const cookie = loggedIn.headers.get('set-cookie')!.split(';')[0]!;
    expectAnswer(await send('GET', '/profile', { cookie }), 200, { email });

    const loggedOut = await send('DELETE', '/sessions', { cookie });
    expect(loggedOut.status).toBe(302);
    expect(loggedOut.headers.get('set-cookie')).toMatch(/^session_id=; .*Max-Age=0/);
    // Following the redirect as form clients do (a 302 turns the next request into a GET).
    expectAnswer(await send('GET', new URL(loggedOut.headers.get('location')!, server.url).pathname), 200, { message: 'Bienvenue' });
    expect((await send('GET', '/profile', { cookie })).status).toBe(403);
    expect((await send('DELETE', '/sessions', { cookie })).status).toBe(403);

    const requested = await send('POST', '/reset_password', { form: { email } });
    expect(requested.status).toBe(200);
    const resetToken = JSON.parse(requested.text).reset_token as string;
    expectAnswer(requested, 200, { email, reset_token: resetToken });

    const update = (reset_token: string) => send('PUT', '/reset_password', { form: { email, reset_token, new_password: newPassword } });
    expect((await update(`${resetToken.slice(1)}x`)).status).toBe(403);
    expectAnswer(await update(resetToken), 200, { email, message: 'Password updated' });
    expect((await update(resetToken)).status).toBe(403);

    expect((await send('POST', '/sessions', { form: { email, password } })).status).toBe(401);
    expectAnswer(await send('POST', '/sessions', { form: { email, password: newPassword } }), 200, { email, message: 'logged in' });
  });

  it('keeps 403 for an unknown e-mail on POST /reset_password', async () => {
    const res = await send('POST', '/reset_password', { form: { email: 'nobody.here@example.com' } });
    expectAnswer(res, 403, { message: 'No account uses that e-mail address.' });
  });
});
