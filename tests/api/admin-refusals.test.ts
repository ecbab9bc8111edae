// Every admin route refuses the same way: 401 without a credential (or with a
// revoked key), 403 for a user, for an admin at aal1 and for a key outside its
// scopes, 404 for an id that names nothing, 400 for a malformed id, query or
// body; and no refusal writes to either trail.
import { describe, expect, it } from 'vitest';
import adminServiceKeysId from '../../netlify/functions/admin-service-keys-id.ts';
import adminServiceKeys from '../../netlify/functions/admin-service-keys.ts';
import adminUsersIdBan from '../../netlify/functions/admin-users-id-ban.ts';
import adminUsersIdMfa from '../../netlify/functions/admin-users-id-mfa.ts';
import adminUsersIdPasskeys from '../../netlify/functions/admin-users-id-passkeys.ts';
import adminUsersIdPasswordReset from '../../netlify/functions/admin-users-id-password-reset.ts';
import adminUsersIdRole from '../../netlify/functions/admin-users-id-role.ts';
import adminUsersIdSessions from '../../netlify/functions/admin-users-id-sessions.ts';
import adminUsersId from '../../netlify/functions/admin-users-id.ts';
import adminUsers from '../../netlify/functions/admin-users.ts';
import { getDb } from '../../src/db/connection.ts';
import { createAdmin } from '../support/admin.ts';
import { call, type CallResult } from '../support/call.ts';
import { codeAt, enableMfa } from '../support/mfa.ts';
import { createUser } from '../support/users.ts';

type Handler = Parameters<typeof call>[0];
/** What a key needs for the route: a scope, an admin's session (`account`), or an admin's own second factor (`step-up`). */
type Need = 'read' | 'write' | 'account' | 'step-up';

interface Route {
  name: string;
  fn: Handler;
  method: string;
  /** The path for an id (undefined: a path without one). */
  path: (id: string) => string;
  /** A body the route accepts (a function of the admin's current code for the step-ups). */
  body?: (code: string) => unknown;
  /** Bodies (or query strings) it refuses with 400. */
  bad: { json?: unknown; query?: string }[];
  need: Need;
  /** Whether an unknown id is a 404 (the routes with an id). */
  byId: boolean;
}

const ROUTES: Route[] = [
  {
    name: 'search',
    fn: adminUsers,
    method: 'GET',
    path: () => '/api/admin/users',
    bad: [{ query: '?role=root' }],
    need: 'read',
    byId: false,
  },
  { name: 'detail', fn: adminUsersId, method: 'GET', path: (id) => `/api/admin/users/${id}`, bad: [], need: 'read', byId: true },
  { name: 'deletion', fn: adminUsersId, method: 'DELETE', path: (id) => `/api/admin/users/${id}`, bad: [], need: 'write', byId: true },
  {
    name: 'ban',
    fn: adminUsersIdBan,
    method: 'POST',
    path: (id) => `/api/admin/users/${id}/ban`,
    body: () => ({ reason: 'Spam' }),
    bad: [{ json: {} }, { json: { reason: 'x', until: 'soon' } }],
    need: 'write',
    byId: true,
  },
  { name: 'unban', fn: adminUsersIdBan, method: 'DELETE', path: (id) => `/api/admin/users/${id}/ban`, bad: [], need: 'write', byId: true },
  {
    name: 'sessions',
    fn: adminUsersIdSessions,
    method: 'DELETE',
    path: (id) => `/api/admin/users/${id}/sessions`,
    bad: [],
    need: 'write',
    byId: true,
  },
  {
    name: 'password reset',
    fn: adminUsersIdPasswordReset,
    method: 'POST',
    path: (id) => `/api/admin/users/${id}/password-reset`,
    bad: [],
    need: 'write',
    byId: true,
  },
  {
    name: 'role',
    fn: adminUsersIdRole,
    method: 'PUT',
    path: (id) => `/api/admin/users/${id}/role`,
    body: () => ({ role: 'user' }),
    bad: [{ json: { role: 'root' } }, { json: {} }],
    need: 'account',
    byId: true,
  },
  {
    name: 'keys',
    fn: adminServiceKeys,
    method: 'GET',
    path: () => '/api/admin/service-keys',
    bad: [{ query: '?pageSize=0' }],
    need: 'account',
    byId: false,
  },
  {
    name: 'new key',
    fn: adminServiceKeys,
    method: 'POST',
    path: () => '/api/admin/service-keys',
    body: () => ({ name: 'x', scopes: ['users:read'] }),
    bad: [{ json: { name: 'x', scopes: [] } }],
    need: 'account',
    byId: false,
  },
  {
    name: 'key revocation',
    fn: adminServiceKeysId,
    method: 'DELETE',
    path: (id) => `/api/admin/service-keys/${id}`,
    bad: [],
    need: 'account',
    byId: true,
  },
  {
    name: 'factor removal',
    fn: adminUsersIdMfa,
    method: 'DELETE',
    path: (id) => `/api/admin/users/${id}/mfa`,
    body: (code) => ({ code }),
    bad: [{ json: { code: 123456 } }, { json: { code: '123456', more: 1 } }],
    need: 'step-up',
    byId: true,
  },
  {
    name: 'passkeys removal',
    fn: adminUsersIdPasskeys,
    method: 'DELETE',
    path: (id) => `/api/admin/users/${id}/passkeys`,
    body: (code) => ({ code }),
    bad: [{ json: { code: '123456', passkeyId: 'all' } }],
    need: 'step-up',
    byId: true,
  },
];

describe('every admin route', () => {
  it('answers 401, 403 (user, aal1 admin, key outside its scope), 404 and 400 alike, writing nothing', async () => {
    const admin = await createAdmin();
    const { secret } = await enableMfa(admin.token);
    const user = await createUser();
    const aal1 = await createAdmin({ aal: 'aal1' });
    const makeKey = async (scopes: string[]) =>
      (await call(adminServiceKeys, 'POST', '/api/admin/service-keys', { token: admin.token, json: { name: scopes.join(' '), scopes } }))
        .body;
    const reader = await makeKey(['users:read']);
    const writer = await makeKey(['users:write']);
    const both = await makeKey(['users:read', 'users:write']);
    const revoked = await makeKey(['users:read', 'users:write']);
    await call(adminServiceKeysId, 'DELETE', `/api/admin/service-keys/${revoked.key.id}`, { token: admin.token });
    const trailBefore = await getDb().selectFrom('admin_actions').select('id').execute();
    const target = String(user.user.id);
    const code = codeAt(secret);

    for (const route of ROUTES) {
      const send = (token: string | undefined, { id = target, json = route.body?.(code), query = '' } = {}): Promise<CallResult> =>
        call(route.fn, route.method, route.path(id) + query, { ...(token && { token }), ...(json !== undefined && { json }) });
      const expectCode = async (res: Promise<CallResult>, status: number, errorCode?: string) => {
        const answer = await res;
        expect([route.name, answer.status, errorCode && answer.body.error.code]).toEqual([route.name, status, errorCode]);
      };

      await expectCode(send(undefined), 401, 'unauthenticated');
      await expectCode(send(revoked.secret), 401, 'unauthenticated');
      await expectCode(send(user.token), 403, 'forbidden');
      await expectCode(send(aal1.token), 403, 'aal2_required');
      // The key that lacks what the route needs: the other scope, or any key where only a person may act.
      const outside = { read: writer, write: reader, account: both, 'step-up': both }[route.need];
      await expectCode(send(outside.secret), 403, route.need === 'step-up' ? 'admin_session_required' : 'forbidden');
      for (const bad of route.bad) await expectCode(send(admin.token, bad), 400, 'validation_failed');
      if (route.byId) {
        await expectCode(send(admin.token, { id: 'abc' }), 400, 'validation_failed');
        await expectCode(send(admin.token, { id: '999999999999' }), 404, 'not_found');
      }
    }
    expect(await getDb().selectFrom('admin_actions').select('id').execute()).toEqual(trailBefore);
    expect(
      await getDb().selectFrom('users').select(['role', 'banned_at']).where('id', '=', user.user.id).executeTakeFirstOrThrow(),
    ).toEqual({ role: 'user', banned_at: null });
  });
});
