// What an admin does to an account: ban and unban (the login refused on both
// surfaces, every session ended, a racing login left with nothing usable),
// ending sessions, the role, deletion; each in both trails, naming the actor.
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import adminUsersIdBan from '../../netlify/functions/admin-users-id-ban.ts';
import adminUsersIdPasswordReset from '../../netlify/functions/admin-users-id-password-reset.ts';
import adminUsersIdRole from '../../netlify/functions/admin-users-id-role.ts';
import adminUsersIdSessions from '../../netlify/functions/admin-users-id-sessions.ts';
import adminUsersId from '../../netlify/functions/admin-users-id.ts';
import adminUsers from '../../netlify/functions/admin-users.ts';
import classicSessions from '../../netlify/functions/classic-sessions.ts';
import login from '../../netlify/functions/login.ts';
import me from '../../netlify/functions/me.ts';
import passwordReset from '../../netlify/functions/password-reset.ts';
import meSessions from '../../netlify/functions/me-sessions.ts';
import { setRoleByEmail } from '../../src/auth/admin/roles.ts';
import { getDb } from '../../src/db/connection.ts';
import { createAdmin } from '../support/admin.ts';
import { call } from '../support/call.ts';
import { envPerTest } from '../support/env.ts';
import { MAIL_URL } from '../support/accounts.ts';
import { outbound } from '../support/outbound-http.ts';
import { measured } from '../support/statements.ts';
import { createUser, STRONG_PASSWORD, uniqueIp } from '../support/users.ts';

const env = envPerTest();

const eventsOf = async (userId: number) =>
  (await getDb().selectFrom('security_events').select('kind').where('user_id', '=', userId).orderBy('id').execute()).map((e) => e.kind);
const trailOf = (userId: number) =>
  getDb().selectFrom('admin_actions').selectAll().where('target_user_id', '=', userId).orderBy('id').execute();
const loginAs = (email: string) => call(login, 'POST', '/api/login', { json: { email, password: STRONG_PASSWORD }, ip: uniqueIp() });

describe('POST and DELETE /api/admin/users/{id}/ban', () => {
  it('ends every session at once and refuses the login with 403 account_banned on both surfaces, until lifted', async () => {
    const admin = await createAdmin();
    const target = await createUser();
    const path = `/api/admin/users/${target.user.id}/ban`;
    const banned = await call(adminUsersIdBan, 'POST', path, { token: admin.token, json: { reason: 'Spam' } });
    expect([banned.status, banned.body]).toEqual([200, { revokedSessions: 1 }]);
    expect((await call(me, 'GET', '/api/me', { token: target.token })).status).toBe(401);
    const refused = await loginAs(target.user.email);
    expect([refused.status, refused.body.error.code]).toEqual([403, 'account_banned']);
    const classic = await call(classicSessions, 'POST', '/sessions', {
      form: { email: target.user.email, password: STRONG_PASSWORD },
      ip: uniqueIp(),
    });
    expect([classic.status, classic.body]).toEqual([403, { message: 'This account is suspended.' }]);
    expect(classic.headers.get('set-cookie')).toBeNull();
    const detail = await call(adminUsersId, 'GET', `/api/admin/users/${target.user.id}`, { token: admin.token });
    expect(detail.body.user.ban).toMatchObject({ reason: 'Spam', until: null });
    const listed = await call(adminUsers, 'GET', `/api/admin/users?q=${target.user.username}&state=banned`, { token: admin.token });
    expect(listed.body.items.map((u: { id: number }) => u.id)).toEqual([target.user.id]);

    expect((await call(adminUsersIdBan, 'DELETE', path, { token: admin.token })).status).toBe(204);
    expect((await loginAs(target.user.email)).status).toBe(200);
    expect(await eventsOf(target.user.id)).toEqual([
      'account_banned',
      'login_failed',
      'login_failed',
      'account_unbanned',
      'login_succeeded',
    ]);
    const trail = await trailOf(target.user.id);
    expect(trail.map((t) => [t.action, t.actor_user_id, t.actor_name, t.detail])).toEqual([
      ['user_banned', admin.user.id, admin.user.username, 'Spam'],
      ['user_unbanned', admin.user.id, admin.user.username, null],
    ]);
    const failed = await getDb()
      .selectFrom('security_events')
      .select('reason')
      .where('user_id', '=', target.user.id)
      .where('kind', '=', 'login_failed')
      .execute();
    expect(failed.map((f) => f.reason)).toEqual(['banned', 'banned']);
  });

  it('ends by itself at its end time', async () => {
    const admin = await createAdmin();
    const target = await createUser();
    const until = new Date(Date.now() + 60_000).toISOString();
    const res = await call(adminUsersIdBan, 'POST', `/api/admin/users/${target.user.id}/ban`, {
      token: admin.token,
      json: { reason: 'Cool off', until },
    });
    expect(res.status).toBe(200);
    expect((await loginAs(target.user.email)).status).toBe(403);
    await getDb()
      .updateTable('users')
      .set({ banned_until: new Date(Date.now() - 1000) })
      .where('id', '=', target.user.id)
      .execute();
    expect((await loginAs(target.user.email)).status).toBe(200);
  });

  it('a login racing the ban never keeps a usable session', async () => {
    const admin = await createAdmin();
    for (let round = 0; round < 5; round++) {
      const target = await createUser();
      const [logged] = await Promise.all([
        loginAs(target.user.email),
        call(adminUsersIdBan, 'POST', `/api/admin/users/${target.user.id}/ban`, { token: admin.token, json: { reason: 'Race' } }),
      ]);
      expect([200, 403]).toContain(logged.status);
      if (logged.status === 200) expect((await call(me, 'GET', '/api/me', { token: logged.body.token })).status).toBe(401);
      expect((await call(meSessions, 'GET', '/api/me/sessions', { token: target.token })).status).toBe(401);
    }
  });

  it('refuses validation errors, an unknown user, the admin themselves, a user and an aal1 admin', async () => {
    const admin = await createAdmin();
    const target = await createUser();
    const path = `/api/admin/users/${target.user.id}/ban`;
    for (const json of [
      {},
      { reason: ' ' },
      { reason: 'x', until: '2001-01-01T00:00:00Z' },
      { reason: 'x', until: 'soon' },
      { reason: 'x', extra: 1 },
    ]) {
      expect((await call(adminUsersIdBan, 'POST', path, { token: admin.token, json })).status).toBe(400);
    }
    expect(
      (await call(adminUsersIdBan, 'POST', '/api/admin/users/999999999999/ban', { token: admin.token, json: { reason: 'x' } })).status,
    ).toBe(404);
    const self = await call(adminUsersIdBan, 'POST', `/api/admin/users/${admin.user.id}/ban`, {
      token: admin.token,
      json: { reason: 'x' },
    });
    expect([self.status, self.body.error.code]).toEqual([403, 'forbidden']);
    expect((await call(adminUsersIdBan, 'POST', path, { token: target.token, json: { reason: 'x' } })).status).toBe(403);
    const aal1 = await createAdmin({ aal: 'aal1' });
    const step = await call(adminUsersIdBan, 'POST', path, { token: aal1.token, json: { reason: 'x' } });
    expect([step.status, step.body.error.code]).toEqual([403, 'aal2_required']);
    expect((await call(adminUsersIdBan, 'POST', path, { json: { reason: 'x' } })).status).toBe(401);
    expect(await trailOf(target.user.id)).toEqual([]);
  });
});

describe('DELETE /api/admin/users/{id}/sessions', () => {
  it('ends every session of the user in one statement, recorded in both trails', async () => {
    const admin = await createAdmin();
    const target = await createUser();
    const res = await measured(() =>
      call(adminUsersIdSessions, 'DELETE', `/api/admin/users/${target.user.id}/sessions`, { token: admin.token }),
    );
    expect(res).toEqual([200, 1]);
    expect((await call(me, 'GET', '/api/me', { token: target.token })).status).toBe(401);
    expect(await eventsOf(target.user.id)).toEqual(['sessions_ended_by_admin']);
    expect((await trailOf(target.user.id)).map((t) => t.action)).toEqual(['sessions_ended']);
    expect((await call(adminUsersIdSessions, 'DELETE', '/api/admin/users/999999999999/sessions', { token: admin.token })).status).toBe(404);
  });
});

describe('PUT /api/admin/users/{id}/role', () => {
  it('grants and revokes the role to others, never to oneself', async () => {
    const admin = await createAdmin();
    const other = await createUser();
    const path = `/api/admin/users/${other.user.id}/role`;
    expect((await call(adminUsersIdRole, 'PUT', path, { token: admin.token, json: { role: 'admin' } })).status).toBe(204);
    expect((await getDb().selectFrom('users').select('role').where('id', '=', other.user.id).executeTakeFirstOrThrow()).role).toBe('admin');
    expect((await call(adminUsersIdRole, 'PUT', path, { token: admin.token, json: { role: 'user' } })).status).toBe(204);
    expect(await eventsOf(other.user.id)).toEqual(['role_granted', 'role_revoked']);
    const self = await call(adminUsersIdRole, 'PUT', `/api/admin/users/${admin.user.id}/role`, {
      token: admin.token,
      json: { role: 'user' },
    });
    expect([self.status, self.body.error.code]).toEqual([403, 'forbidden']);
    expect((await call(adminUsersIdRole, 'PUT', path, { token: admin.token, json: { role: 'root' } })).status).toBe(400);
  });

  it('the command line grants the role by e-mail, recorded in both trails', async () => {
    const user = await createUser();
    expect(await setRoleByEmail(getDb(), user.user.email.toUpperCase(), 'admin')).toEqual({
      id: user.user.id,
      username: user.user.username,
      changed: true,
    });
    expect(await setRoleByEmail(getDb(), user.user.email, 'admin')).toMatchObject({ changed: false });
    expect(await setRoleByEmail(getDb(), 'nobody@example.com', 'admin')).toBeUndefined();
    expect(await eventsOf(user.user.id)).toEqual(['role_granted']);
    expect((await trailOf(user.user.id)).map((t) => [t.action, t.actor_name, t.actor_user_id])).toEqual([
      ['role_granted', 'command line', null],
    ]);
  });
});

describe('DELETE /api/admin/users/{id}', () => {
  it('deletes another account, keeps the admin trail, refuses one own', async () => {
    const admin = await createAdmin();
    const target = await createUser();
    expect((await call(adminUsersId, 'DELETE', `/api/admin/users/${target.user.id}`, { token: admin.token })).status).toBe(204);
    expect(await getDb().selectFrom('users').select('id').where('id', '=', target.user.id).executeTakeFirst()).toBeUndefined();
    expect((await trailOf(target.user.id)).map((t) => t.action)).toEqual(['user_deleted']);
    expect((await call(adminUsersId, 'DELETE', `/api/admin/users/${target.user.id}`, { token: admin.token })).status).toBe(404);
    expect((await call(adminUsersId, 'DELETE', `/api/admin/users/${admin.user.id}`, { token: admin.token })).status).toBe(403);
  });
});

describe('POST /api/admin/users/{id}/password-reset', () => {
  it('e-mails the user a working reset link, never the admin, recorded in both trails', async () => {
    env({ MAIL_API_URL: MAIL_URL, MAIL_FROM: 'Accounts <no-reply@example.test>' });
    const sent: { to: string; text: string }[] = [];
    outbound.use(
      http.post(MAIL_URL, async ({ request }) => {
        sent.push((await request.json()) as { to: string; text: string });
        return HttpResponse.json({ id: 'msg' });
      }),
    );
    const admin = await createAdmin();
    const target = await createUser();
    const res = await call(adminUsersIdPasswordReset, 'POST', `/api/admin/users/${target.user.id}/password-reset`, { token: admin.token });
    expect([res.status, res.body]).toEqual([202, { sent: true }]);
    expect(sent.map((m) => m.to)).toEqual([target.user.email]);
    const resetToken = /token=([A-Za-z0-9_-]{43})/.exec(sent[0]!.text)![1]!;
    const reset = await call(passwordReset, 'POST', '/api/password/reset', { json: { token: resetToken, password: 'Copper-Lantern-26#' } });
    expect(reset.status).toBe(200);
    expect((await trailOf(target.user.id)).map((t) => t.action)).toEqual(['reset_sent']);
    expect(await eventsOf(target.user.id)).toContain('reset_sent_by_admin');
    expect(
      (await call(adminUsersIdPasswordReset, 'POST', '/api/admin/users/999999999999/password-reset', { token: admin.token })).status,
    ).toBe(404);
  });
});
