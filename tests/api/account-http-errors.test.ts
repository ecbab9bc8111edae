// The transport-level errors every account endpoint shares: malformed JSON,
// an unsupported content type, an oversized body, a wrong method.
import { describe, expect, it } from 'vitest';
import login from '../../netlify/functions/login.ts';
import logout from '../../netlify/functions/logout.ts';
import me from '../../netlify/functions/me.ts';
import mePassword from '../../netlify/functions/me-password.ts';
import meSession from '../../netlify/functions/me-session.ts';
import meSessions from '../../netlify/functions/me-sessions.ts';
import forgot from '../../netlify/functions/password-forgot.ts';
import reset from '../../netlify/functions/password-reset.ts';
import confirm from '../../netlify/functions/register-confirm.ts';
import resend from '../../netlify/functions/register-resend.ts';
import register from '../../netlify/functions/register.ts';
import { call } from '../support/call.ts';
import { createUser, uniqueIp } from '../support/users.ts';

type Fn = Parameters<typeof call>[0];

interface Endpoint {
  name: string;
  fn: Fn;
  method: string;
  path: string;
  allow: string;
  wrongMethod: string;
  takesBody: boolean;
  authenticated: boolean;
}

const endpoints: Endpoint[] = [
  {
    name: 'register',
    fn: register,
    method: 'POST',
    path: '/api/register',
    allow: 'POST, OPTIONS',
    wrongMethod: 'GET',
    takesBody: true,
    authenticated: false,
  },
  {
    name: 'confirm',
    fn: confirm,
    method: 'GET',
    path: `/api/register/confirm/${'A'.repeat(43)}`,
    allow: 'GET, HEAD, POST, OPTIONS',
    wrongMethod: 'DELETE',
    takesBody: false,
    authenticated: false,
  },
  {
    name: 'resend',
    fn: resend,
    method: 'POST',
    path: '/api/register/resend',
    allow: 'POST, OPTIONS',
    wrongMethod: 'PUT',
    takesBody: true,
    authenticated: false,
  },
  {
    name: 'login',
    fn: login,
    method: 'POST',
    path: '/api/login',
    allow: 'POST, OPTIONS',
    wrongMethod: 'GET',
    takesBody: true,
    authenticated: false,
  },
  {
    name: 'logout',
    fn: logout,
    method: 'POST',
    path: '/api/logout',
    allow: 'POST, OPTIONS',
    wrongMethod: 'GET',
    takesBody: false,
    authenticated: true,
  },
  {
    name: 'me',
    fn: me,
    method: 'GET',
    path: '/api/me',
    allow: 'GET, HEAD, DELETE, OPTIONS',
    wrongMethod: 'POST',
    takesBody: false,
    authenticated: true,
  },
  {
    name: 'password change',
    fn: mePassword,
    method: 'PUT',
    path: '/api/me/password',
    allow: 'PUT, OPTIONS',
    wrongMethod: 'POST',
    takesBody: true,
    authenticated: true,
  },
  {
    name: 'sessions',
    fn: meSessions,
    method: 'GET',
    path: '/api/me/sessions',
    allow: 'GET, HEAD, DELETE, OPTIONS',
    wrongMethod: 'POST',
    takesBody: false,
    authenticated: true,
  },
  {
    name: 'session',
    fn: meSession,
    method: 'DELETE',
    path: '/api/me/sessions/1',
    allow: 'DELETE, OPTIONS',
    wrongMethod: 'PUT',
    takesBody: false,
    authenticated: true,
  },
  {
    name: 'forgot',
    fn: forgot,
    method: 'POST',
    path: '/api/password/forgot',
    allow: 'POST, OPTIONS',
    wrongMethod: 'GET',
    takesBody: true,
    authenticated: false,
  },
  {
    name: 'reset',
    fn: reset,
    method: 'POST',
    path: '/api/password/reset',
    allow: 'POST, OPTIONS',
    wrongMethod: 'PATCH',
    takesBody: true,
    authenticated: false,
  },
];

const withBody = endpoints.filter((e) => e.takesBody);
const auth = async (e: Endpoint) => (e.authenticated ? { token: (await createUser()).token } : {});

describe('account endpoints', () => {
  it.each(endpoints.map((e) => [e.name, e] as const))('%s: a wrong method is 405 with Allow', async (_, e) => {
    const res = await call(e.fn, e.wrongMethod, e.path, await auth(e));
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe(e.allow);
    expect(res.body.error.code).toBe('method_not_allowed');
  });

  it.each(endpoints.map((e) => [e.name, e] as const))('%s: OPTIONS lists the allowed methods', async (_, e) => {
    const res = await call(e.fn, 'OPTIONS', e.path);
    expect(res.status).toBe(204);
    expect(res.headers.get('allow')).toBe(e.allow);
  });

  it.each(withBody.map((e) => [e.name, e] as const))('%s: malformed JSON is 400 invalid_json', async (_, e) => {
    const res = await call(e.fn, e.method, e.path, {
      ...(await auth(e)),
      raw: '{"email": "a@example.com",',
      headers: { 'content-type': 'application/json' },
      ip: uniqueIp(),
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_json');
  });

  it.each(withBody.map((e) => [e.name, e] as const))('%s: another content type is 415', async (_, e) => {
    const res = await call(e.fn, e.method, e.path, {
      ...(await auth(e)),
      raw: 'email=a@example.com',
      headers: { 'content-type': 'text/plain' },
      ip: uniqueIp(),
    });
    expect(res.status).toBe(415);
    expect(res.body.error.code).toBe('unsupported_media_type');
  });

  it.each(withBody.map((e) => [e.name, e] as const))('%s: a body over 64 KiB is 413', async (_, e) => {
    const res = await call(e.fn, e.method, e.path, {
      ...(await auth(e)),
      json: { email: 'a@example.com', password: 'x'.repeat(70_000) },
      ip: uniqueIp(),
    });
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('payload_too_large');
  });

  it.each(withBody.map((e) => [e.name, e] as const))('%s: a JSON array or string is 400, not 500', async (_, e) => {
    for (const json of [[], 'text', null]) {
      const res = await call(e.fn, e.method, e.path, { ...(await auth(e)), json, ip: uniqueIp() });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('validation_failed');
    }
  });
});
