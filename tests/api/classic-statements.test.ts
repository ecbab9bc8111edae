// SQL statements per classic request: on the success path as each declaration
// states them (src/endpoints), and on the other paths as each function's header comment describes.
import { describe, expect, it } from 'vitest';
import profile from '../../netlify/functions/classic-profile.ts';
import resetPassword from '../../netlify/functions/classic-reset-password.ts';
import sessions from '../../netlify/functions/classic-sessions.ts';
import users from '../../netlify/functions/classic-users.ts';
import root from '../../netlify/functions/root.ts';
import { call, type CallOptions } from '../support/call.ts';
import { registerClassic } from '../support/classic.ts';
import { measured, stated } from '../support/statements.ts';
import { createUser, STRONG_PASSWORD, uniqueIp, uniqueName } from '../support/users.ts';

const send = (handler: typeof users, method: string, path: string, options: CallOptions = {}) =>
  measured(() => call(handler, method, path, { ip: uniqueIp(), ...options }));

describe('statements per classic request', () => {
  it('GET /: 0', async () => {
    expect(await send(root, 'GET', '/')).toEqual([200, stated('root', 'GET')]);
  });

  it('POST /users: 3, with its derived username free or taken; 0 for a body that breaks a rule; 3 for a registered e-mail', async () => {
    const email = `${uniqueName('count')}@example.com`;
    expect(await send(users, 'POST', '/users', { form: { email, password: STRONG_PASSWORD } })).toEqual([
      200,
      stated('classic-users', 'POST'),
    ]);
    expect(await send(users, 'POST', '/users', { form: { email: email.replace('.com', '.org'), password: STRONG_PASSWORD } })).toEqual([
      200,
      stated('classic-users', 'POST'),
    ]);
    expect(await send(users, 'POST', '/users', { form: { email, password: 'short' } })).toEqual([400, 0]);
    expect(await send(users, 'POST', '/users', { form: { email, password: STRONG_PASSWORD } })).toEqual([400, 3]);
  });

  it('POST /sessions: at most 2; 0 for an overlong password', async () => {
    const { email, password } = await registerClassic();
    expect(await send(sessions, 'POST', '/sessions', { form: { email, password } })).toEqual([200, stated('classic-sessions', 'POST')]);
    expect(await send(sessions, 'POST', '/sessions', { form: { email, password: 'Wrong-Password-1' } })).toEqual([401, 1]);
    expect(await send(sessions, 'POST', '/sessions', { form: { email: 'nobody@example.com', password } })).toEqual([401, 1]);
    expect(await send(sessions, 'POST', '/sessions', { form: { email, password: 'x'.repeat(129) } })).toEqual([401, 0]);
  });

  it('DELETE /sessions and GET /profile: 1, also when refused', async () => {
    const { token } = await createUser();
    const cookie = `session_id=${token}`;
    expect(await send(profile, 'GET', '/profile', { cookie })).toEqual([200, stated('classic-profile', 'GET')]);
    expect(await send(sessions, 'DELETE', '/sessions', { cookie })).toEqual([302, stated('classic-sessions', 'DELETE')]);
    expect(await send(sessions, 'DELETE', '/sessions', { cookie })).toEqual([403, 1]);
    expect(await send(profile, 'GET', '/profile', { cookie })).toEqual([403, 1]);
    expect(await send(profile, 'GET', '/profile')).toEqual([403, 0]);
  });

  it('POST /reset_password: 2, for an unknown e-mail too', async () => {
    const { user } = await createUser();
    expect(await send(resetPassword, 'POST', '/reset_password', { form: { email: user.email } })).toEqual([
      200,
      stated('classic-reset-password', 'POST'),
    ]);
    expect(await send(resetPassword, 'POST', '/reset_password', { form: { email: 'nobody@example.com' } })).toEqual([403, 2]);
  });

  it('PUT /reset_password: 2; 1 when the token or the account refuses; 0 for rules needing no account', async () => {
    const { user } = await createUser({ email: `${uniqueName('mail')}@example.com` });
    const issued = await call(resetPassword, 'POST', '/reset_password', { form: { email: user.email }, ip: uniqueIp() });
    const put = (new_password: string, reset_token = issued.body.reset_token as string) =>
      send(resetPassword, 'PUT', '/reset_password', { form: { email: user.email, reset_token, new_password } });
    expect(await put('password123456')).toEqual([400, 0]);
    expect(await put(`${user.username}-X9`)).toEqual([400, 1]);
    expect(await put('Granite-Meadow-58?', 'wrong-token')).toEqual([403, 1]);
    expect(await put('Granite-Meadow-58?')).toEqual([200, stated('classic-reset-password', 'PUT')]);
    expect(await put('Granite-Meadow-58?')).toEqual([403, 1]);
  });
});
