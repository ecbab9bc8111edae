// Service keys: made by an admin at aal2, shown once, kept hashed with a
// visible prefix, used within their scopes on the admin routes, their last use
// recorded, revoked at once (also while in use).
import { describe, expect, it } from 'vitest';
import adminServiceKeysId from '../../netlify/functions/admin-service-keys-id.ts';
import adminServiceKeys from '../../netlify/functions/admin-service-keys.ts';
import adminUsersIdBan from '../../netlify/functions/admin-users-id-ban.ts';
import adminUsersIdRole from '../../netlify/functions/admin-users-id-role.ts';
import adminUsers from '../../netlify/functions/admin-users.ts';
import { keyHash } from '../../src/auth/admin/actor.ts';
import { getDb } from '../../src/db/connection.ts';
import { createAdmin } from '../support/admin.ts';
import { call } from '../support/call.ts';
import { measured } from '../support/statements.ts';
import { createUser, type TestUser } from '../support/users.ts';

const makeKey = async (admin: TestUser, scopes: string[]) => {
  const res = await call(adminServiceKeys, 'POST', '/api/admin/service-keys', { token: admin.token, json: { name: 'Billing', scopes } });
  expect(res.status).toBe(201);
  return res.body as { key: { id: number; prefix: string }; secret: string };
};

describe('service keys', () => {
  it('are shown once, kept as a hash with a visible prefix, listed without the secret', async () => {
    const admin = await createAdmin();
    const { key, secret } = await makeKey(admin, ['users:read', 'users:read']);
    expect(secret).toMatch(/^sk_[A-Za-z0-9_-]{43}$/);
    expect(key).toMatchObject({ name: 'Billing', prefix: secret.slice(0, 12), scopes: ['users:read'], lastUsedAt: null, revokedAt: null });
    const row = await getDb().selectFrom('service_keys').selectAll().where('id', '=', key.id).executeTakeFirstOrThrow();
    expect(row.key_hash).toEqual(keyHash(secret));
    expect(JSON.stringify(row)).not.toContain(secret.slice(12));
    const list = await call(adminServiceKeys, 'GET', '/api/admin/service-keys?pageSize=100', { token: admin.token });
    expect(list.text).not.toContain(secret.slice(12));
    expect(list.body.items.map((k: { id: number }) => k.id)).toContain(key.id);
    const trail = await getDb()
      .selectFrom('admin_actions')
      .select(['action', 'actor_user_id'])
      .where('target_key_id', '=', key.id)
      .execute();
    expect(trail).toEqual([{ action: 'service_key_created', actor_user_id: admin.user.id }]);
  });

  it('work on the admin routes within their scopes, in the route statement, and record their last use', async () => {
    const admin = await createAdmin();
    const target = await createUser();
    const reader = await makeKey(admin, ['users:read']);
    const writer = await makeKey(admin, ['users:write']);
    const search = `/api/admin/users?q=${target.user.username}`;
    expect(await measured(() => call(adminUsers, 'GET', search, { token: reader.secret }))).toEqual([200, 1]);
    const used = await getDb().selectFrom('service_keys').select('last_used_at').where('id', '=', reader.key.id).executeTakeFirstOrThrow();
    expect(used.last_used_at).toBeInstanceOf(Date);
    const scopeless = await call(adminUsers, 'GET', search, { token: writer.secret });
    expect([scopeless.status, scopeless.body.error.code]).toEqual([403, 'forbidden']);
    const ban = `/api/admin/users/${target.user.id}/ban`;
    expect((await call(adminUsersIdBan, 'POST', ban, { token: reader.secret, json: { reason: 'x' } })).status).toBe(403);
    expect((await call(adminUsersIdBan, 'POST', ban, { token: writer.secret, json: { reason: 'x' } })).status).toBe(200);
    const trail = await getDb()
      .selectFrom('admin_actions')
      .select(['actor_key_id', 'actor_name'])
      .where('target_user_id', '=', target.user.id)
      .execute();
    expect(trail).toEqual([{ actor_key_id: writer.key.id, actor_name: 'Billing' }]);
    // Keys neither manage keys nor roles.
    expect((await call(adminServiceKeys, 'GET', '/api/admin/service-keys', { token: writer.secret })).status).toBe(403);
    const role = await call(adminUsersIdRole, 'PUT', `/api/admin/users/${target.user.id}/role`, {
      token: writer.secret,
      json: { role: 'admin' },
    });
    expect(role.status).toBe(403);
    // Only as a Bearer token, and an unknown one is a 401.
    expect((await call(adminUsers, 'GET', search, { cookie: `session_id=${reader.secret}` })).status).toBe(401);
    expect((await call(adminUsers, 'GET', search, { token: `${reader.secret.slice(0, -1)}A` })).status).toBe(401);
  });

  it('a key revoked while in use is refused from the revocation on', async () => {
    const admin = await createAdmin();
    const { key, secret } = await makeKey(admin, ['users:read']);
    const inFlight = Array.from({ length: 8 }, () => call(adminUsers, 'GET', '/api/admin/users?pageSize=1', { token: secret }));
    const revoked = await call(adminServiceKeysId, 'DELETE', `/api/admin/service-keys/${key.id}`, { token: admin.token });
    expect(revoked.status).toBe(204);
    for (const res of await Promise.all(inFlight)) expect([200, 401]).toContain(res.status);
    expect((await call(adminUsers, 'GET', '/api/admin/users', { token: secret })).status).toBe(401);
    const row = await getDb().selectFrom('service_keys').select('revoked_at').where('id', '=', key.id).executeTakeFirstOrThrow();
    expect(row.revoked_at).toBeInstanceOf(Date);
    expect((await call(adminServiceKeysId, 'DELETE', '/api/admin/service-keys/999999999999', { token: admin.token })).status).toBe(404);
  });

  it('refuses a user, an aal1 admin, no session and bad bodies', async () => {
    const user = await createUser();
    const aal1 = await createAdmin({ aal: 'aal1' });
    const admin = await createAdmin();
    const body = { name: 'x', scopes: ['users:read'] };
    expect((await call(adminServiceKeys, 'POST', '/api/admin/service-keys', { json: body })).status).toBe(401);
    expect((await call(adminServiceKeys, 'POST', '/api/admin/service-keys', { token: user.token, json: body })).status).toBe(403);
    const step = await call(adminServiceKeys, 'POST', '/api/admin/service-keys', { token: aal1.token, json: body });
    expect([step.status, step.body.error.code]).toEqual([403, 'aal2_required']);
    for (const json of [{ name: 'x' }, { name: ' ', scopes: ['users:read'] }, { name: 'x', scopes: [] }, { name: 'x', scopes: ['root'] }]) {
      expect((await call(adminServiceKeys, 'POST', '/api/admin/service-keys', { token: admin.token, json })).status).toBe(400);
    }
  });
});
