// Attacks on the admin routes: a user's token on every one of them, a
// service key on the user routes, an admin granting themselves, tampered ids
// and cursors.
import { describe, expect, it } from 'vitest';
import adminServiceKeys from '../../netlify/functions/admin-service-keys.ts';
import adminUsersIdBan from '../../netlify/functions/admin-users-id-ban.ts';
import adminUsersIdPasswordReset from '../../netlify/functions/admin-users-id-password-reset.ts';
import adminUsersIdRole from '../../netlify/functions/admin-users-id-role.ts';
import adminUsersIdSessions from '../../netlify/functions/admin-users-id-sessions.ts';
import adminUsersId from '../../netlify/functions/admin-users-id.ts';
import adminUsers from '../../netlify/functions/admin-users.ts';
import classicProfile from '../../netlify/functions/classic-profile.ts';
import me from '../../netlify/functions/me.ts';
import meSessions from '../../netlify/functions/me-sessions.ts';
import posts from '../../netlify/functions/posts.ts';
import token from '../../netlify/functions/token.ts';
import { getDb } from '../../src/db/connection.ts';
import { createAdmin } from '../support/admin.ts';
import { call } from '../support/call.ts';
import { createUser } from '../support/users.ts';

describe('the admin routes under attack', () => {
  it("a user's token (and a confirmed account's, at aal2) is refused by every admin route, changing nothing", async () => {
    const user = await createUser();
    const victim = await createUser();
    const id = victim.user.id;
    const tries = [
      call(adminUsers, 'GET', '/api/admin/users', { token: user.token }),
      call(adminUsersId, 'GET', `/api/admin/users/${id}`, { token: user.token }),
      call(adminUsersId, 'DELETE', `/api/admin/users/${id}`, { token: user.token }),
      call(adminUsersIdBan, 'POST', `/api/admin/users/${id}/ban`, { token: user.token, json: { reason: 'x' } }),
      call(adminUsersIdBan, 'DELETE', `/api/admin/users/${id}/ban`, { token: user.token }),
      call(adminUsersIdSessions, 'DELETE', `/api/admin/users/${id}/sessions`, { token: user.token }),
      call(adminUsersIdPasswordReset, 'POST', `/api/admin/users/${id}/password-reset`, { token: user.token }),
      call(adminUsersIdRole, 'PUT', `/api/admin/users/${user.user.id}/role`, { token: user.token, json: { role: 'admin' } }),
      call(adminServiceKeys, 'POST', '/api/admin/service-keys', { token: user.token, json: { name: 'x', scopes: ['users:write'] } }),
    ];
    for (const res of await Promise.all(tries)) expect([res.status, res.body.error.code]).toEqual([403, 'forbidden']);
    expect((await call(me, 'GET', '/api/me', { token: victim.token })).status).toBe(200);
    const roles = await getDb().selectFrom('users').select('role').where('id', 'in', [user.user.id, id]).execute();
    expect(roles.map((r) => r.role)).toEqual(['user', 'user']);
    expect(await getDb().selectFrom('admin_actions').select('id').where('target_user_id', 'in', [user.user.id, id]).execute()).toEqual([]);
  });

  it('a service key is no session: every user route answers 401', async () => {
    const admin = await createAdmin();
    const made = await call(adminServiceKeys, 'POST', '/api/admin/service-keys', {
      token: admin.token,
      json: { name: 'Both', scopes: ['users:read', 'users:write'] },
    });
    const secret: string = made.body.secret;
    expect((await call(me, 'GET', '/api/me', { token: secret })).status).toBe(401);
    expect((await call(meSessions, 'GET', '/api/me/sessions', { token: secret })).status).toBe(401);
    expect((await call(posts, 'POST', '/api/posts', { token: secret, json: { title: 't', body: 'b' } })).status).toBe(401);
    expect((await call(token, 'POST', '/api/token', { token: secret })).status).toBe(401);
    expect((await call(classicProfile, 'GET', '/profile', { cookie: `session_id=${secret}` })).status).toBe(403);
    // And an admin's session token, dressed as a key, is no key.
    expect((await call(adminUsers, 'GET', '/api/admin/users', { token: `sk_${admin.token}` })).status).toBe(401);
  });

  it('an admin cannot grant, revoke, ban or delete themselves, by any id spelling', async () => {
    const admin = await createAdmin();
    const self = admin.user.id;
    for (const role of ['admin', 'user']) {
      const res = await call(adminUsersIdRole, 'PUT', `/api/admin/users/${self}/role`, { token: admin.token, json: { role } });
      expect(res.status).toBe(403);
    }
    expect(
      (await call(adminUsersIdRole, 'PUT', `/api/admin/users/0${self}/role`, { token: admin.token, json: { role: 'user' } })).status,
    ).toBe(400);
    expect(
      (await call(adminUsersIdBan, 'POST', `/api/admin/users/${self}/ban`, { token: admin.token, json: { reason: 'x' } })).status,
    ).toBe(403);
    expect((await call(adminUsersId, 'DELETE', `/api/admin/users/${self}`, { token: admin.token })).status).toBe(403);
    const row = await getDb().selectFrom('users').select(['role', 'banned_at']).where('id', '=', self).executeTakeFirstOrThrow();
    expect(row).toEqual({ role: 'admin', banned_at: null });
  });

  it('tampered ids and cursors are 400, never another row', async () => {
    const admin = await createAdmin();
    for (const id of ['-1', '0', '1.5', '1e3', 'abc', '9007199254740993']) {
      expect((await call(adminUsersId, 'GET', `/api/admin/users/${id}`, { token: admin.token })).status).toBe(400);
    }
    const sessions = await call(meSessions, 'GET', '/api/me/sessions?pageSize=1', { token: admin.token });
    const foreign = Buffer.from(JSON.stringify(['sessions', 1])).toString('base64url');
    const keysCursor = Buffer.from(JSON.stringify(['service_keys', 1])).toString('base64url');
    for (const cursor of [foreign, keysCursor, sessions.body.nextCursor ?? 'x', 'WyJhZG1pbl91c2VycyIsMS41XQ']) {
      expect((await call(adminUsers, 'GET', `/api/admin/users?cursor=${cursor}`, { token: admin.token })).status).toBe(400);
    }
  });
});
