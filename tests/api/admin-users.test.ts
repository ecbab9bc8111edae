// The admin search and a user's detail: who may read them (an admin at aal2,
// a key with users:read), their 401/403/404/400, the filters and the cursor.
import { describe, expect, it } from 'vitest';
import adminUsersId from '../../netlify/functions/admin-users-id.ts';
import adminUsers from '../../netlify/functions/admin-users.ts';
import { getDb } from '../../src/db/connection.ts';
import { createAdmin } from '../support/admin.ts';
import { call } from '../support/call.ts';
import { measured } from '../support/statements.ts';
import { createUser, uniqueName } from '../support/users.ts';

describe('GET /api/admin/users', () => {
  it('finds users by e-mail or username prefix, any case, in one statement', async () => {
    const admin = await createAdmin();
    const tag = uniqueName('find');
    const a = await createUser({ username: `${tag}_a` });
    const b = await createUser({ username: `${tag}_b`, email: `${uniqueName('other')}@example.com` });
    expect(await measured(() => call(adminUsers, 'GET', `/api/admin/users?q=${tag.toUpperCase()}`, { token: admin.token }))).toEqual([
      200, 1,
    ]);
    const byName = await call(adminUsers, 'GET', `/api/admin/users?q=${tag}`, { token: admin.token });
    expect(byName.body.items.map((u: { id: number }) => u.id)).toEqual([a.user.id, b.user.id]);
    expect(byName.body.items[0]).toMatchObject({ username: a.user.username, email: a.user.email, role: 'user', ban: null, mfa: false });
    const byEmail = await call(adminUsers, 'GET', `/api/admin/users?q=${encodeURIComponent(b.user.email.slice(0, 12))}`, {
      token: admin.token,
    });
    expect(byEmail.body.items.map((u: { id: number }) => u.id)).toContain(b.user.id);
  });

  it('takes LIKE characters literally', async () => {
    const admin = await createAdmin();
    const res = await call(adminUsers, 'GET', '/api/admin/users?q=%25', { token: admin.token });
    expect(res.status).toBe(200);
    expect(res.body.items).toEqual([]);
  });

  it('filters by role and state, and pages by cursor', async () => {
    const admin = await createAdmin();
    const tag = uniqueName('page');
    const made = [];
    for (let i = 0; i < 3; i++) made.push(await createUser({ username: `${tag}_${i}`, confirmed: false }));
    const first = await call(adminUsers, 'GET', `/api/admin/users?q=${tag}&state=unconfirmed&pageSize=2`, { token: admin.token });
    expect(first.body.items.map((u: { id: number }) => u.id)).toEqual([made[0]!.user.id, made[1]!.user.id]);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await call(adminUsers, 'GET', `/api/admin/users?q=${tag}&state=unconfirmed&pageSize=2&cursor=${first.body.nextCursor}`, {
      token: admin.token,
    });
    expect(second.body.items.map((u: { id: number }) => u.id)).toEqual([made[2]!.user.id]);
    expect(second.body.nextCursor).toBeNull();
    const admins = await call(adminUsers, 'GET', `/api/admin/users?q=${admin.user.username}&role=admin`, { token: admin.token });
    expect(admins.body.items.map((u: { id: number }) => u.id)).toEqual([admin.user.id]);
    const none = await call(adminUsers, 'GET', `/api/admin/users?q=${tag}&role=admin`, { token: admin.token });
    expect(none.body.items).toEqual([]);
  });

  it('refuses no session (401), a user and an aal1 admin (403, naming the step-up), bad filters (400)', async () => {
    expect((await call(adminUsers, 'GET', '/api/admin/users')).status).toBe(401);
    const user = await createUser();
    const asUser = await call(adminUsers, 'GET', '/api/admin/users', { token: user.token });
    expect([asUser.status, asUser.body.error.code]).toEqual([403, 'forbidden']);
    const aal1 = await createAdmin({ aal: 'aal1' });
    const asAal1 = await call(adminUsers, 'GET', '/api/admin/users', { token: aal1.token });
    expect([asAal1.status, asAal1.body.error.code]).toEqual([403, 'aal2_required']);
    const admin = await createAdmin();
    for (const query of ['state=gone', 'role=root', 'q=', 'q=a%00', 'pageSize=0', 'cursor=abc', 'q=a&q=b']) {
      const res = await call(adminUsers, 'GET', `/api/admin/users?${query}`, { token: admin.token });
      expect([query, res.status]).toEqual([query, 400]);
    }
  });
});

describe('GET /api/admin/users/{id}', () => {
  it('answers the account, profile, sessions and its audit trail in one statement', async () => {
    const admin = await createAdmin();
    const target = await createUser();
    expect(await measured(() => call(adminUsersId, 'GET', `/api/admin/users/${target.user.id}`, { token: admin.token }))).toEqual([200, 1]);
    const res = await call(adminUsersId, 'GET', `/api/admin/users/${target.user.id}`, { token: admin.token });
    expect(res.body.user).toMatchObject({ id: target.user.id, email: target.user.email, emailVerified: true });
    expect(res.body.sessions.map((s: { id: number }) => s.id)).toEqual([target.sessionId]);
    expect(res.body.sessions[0].aal).toBe('aal1');
    expect(res.body.secondFactor).toBeNull();
    expect(res.body.profile).toEqual({ bio: null, location: null, birthday: null, gender: null, maritalStatus: null });
  });

  it('is 404 for no such user, 400 for a malformed id, 401/403 as the search', async () => {
    const admin = await createAdmin();
    const { max } = await getDb()
      .selectFrom('users')
      .select((eb) => eb.fn.max('id').as('max'))
      .executeTakeFirstOrThrow();
    expect((await call(adminUsersId, 'GET', `/api/admin/users/${Number(max) + 1000}`, { token: admin.token })).status).toBe(404);
    expect((await call(adminUsersId, 'GET', '/api/admin/users/abc', { token: admin.token })).status).toBe(400);
    expect((await call(adminUsersId, 'GET', '/api/admin/users/1')).status).toBe(401);
    const user = await createUser();
    expect((await call(adminUsersId, 'GET', `/api/admin/users/${user.user.id}`, { token: user.token })).status).toBe(403);
  });
});
