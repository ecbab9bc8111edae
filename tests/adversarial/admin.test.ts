// Attacks on the admin routes: a user's token on every one of them, a
// service key on the user routes, an admin granting themselves, tampered ids
// and cursors; and an admin's removal of a user's factors meeting the rest of
// the account: a pending e-mail change, a deletion or a promotion meanwhile,
// the admin's own session ended meanwhile, two admins at once.
import { describe, expect, it } from 'vitest';
import adminServiceKeys from '../../netlify/functions/admin-service-keys.ts';
import adminUsersIdBan from '../../netlify/functions/admin-users-id-ban.ts';
import adminUsersIdMfa from '../../netlify/functions/admin-users-id-mfa.ts';
import adminUsersIdPasskeys from '../../netlify/functions/admin-users-id-passkeys.ts';
import adminUsersIdPasswordReset from '../../netlify/functions/admin-users-id-password-reset.ts';
import adminUsersIdRole from '../../netlify/functions/admin-users-id-role.ts';
import adminUsersIdSessions from '../../netlify/functions/admin-users-id-sessions.ts';
import adminUsersId from '../../netlify/functions/admin-users-id.ts';
import adminUsers from '../../netlify/functions/admin-users.ts';
import classicProfile from '../../netlify/functions/classic-profile.ts';
import meEmailConfirm from '../../netlify/functions/me-email-confirm.ts';
import meEmail from '../../netlify/functions/me-email.ts';
import me from '../../netlify/functions/me.ts';
import meSessions from '../../netlify/functions/me-sessions.ts';
import posts from '../../netlify/functions/posts.ts';
import token from '../../netlify/functions/token.ts';
import { removeUserCredentials, type Removal } from '../../src/auth/admin/factors.ts';
import type { StepUp } from '../../src/auth/attempts/step-up.ts';
import { stepUp } from '../../src/auth/mfa/step-up.ts';
import { getDb } from '../../src/db/connection.ts';
import { limitFor } from '../../src/rate-limit/limits.ts';
import { createAdmin } from '../support/admin.ts';
import { call } from '../support/call.ts';
import { codeAt, enableMfa } from '../support/mfa.ts';
import { enrolPasskey, SoftAuthenticator } from '../support/passkeys.ts';
import { createUser, STRONG_PASSWORD, type TestUser } from '../support/users.ts';

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
      call(adminUsersIdMfa, 'DELETE', `/api/admin/users/${id}/mfa`, { token: user.token, json: { code: '123456' } }),
      call(adminUsersIdPasskeys, 'DELETE', `/api/admin/users/${id}/passkeys`, { token: user.token, json: { code: '123456' } }),
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
    // Nor remove their own factors: the user routes ask for the password too.
    const { secret } = await enableMfa(admin.token);
    for (const [fn, path] of [
      [adminUsersIdMfa, `/api/admin/users/${self}/mfa`],
      [adminUsersIdPasskeys, `/api/admin/users/${self}/passkeys`],
    ] as const) {
      expect((await call(fn, 'DELETE', path, { token: admin.token, json: { code: codeAt(secret) } })).status).toBe(403);
    }
    const row = await getDb().selectFrom('users').select(['role', 'banned_at']).where('id', '=', self).executeTakeFirstOrThrow();
    expect(row).toEqual({ role: 'admin', banned_at: null });
    expect(await getDb().selectFrom('totp_factors').select('user_id').where('user_id', '=', self).executeTakeFirst()).toBeDefined();
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

/** The admin's step-up, with `between` run after statement 1 has read it and before statement 2 takes it. */
const meanwhile = (code: string, between: () => Promise<unknown>): StepUp => {
  const inner = stepUp(code);
  return {
    ...inner,
    read: async (...args) => {
      await between();
      return inner.read(...args);
    },
  };
};
const CLIENT = { ip: '192.0.2.31', userAgent: 'adversarial', appUrl: 'http://localhost:8888/app' };
const sessionOf = (admin: TestUser) => ({ kind: 'session' as const, claims: { userId: admin.user.id, sessionId: admin.sessionId } });
const MFA: Removal = { what: 'mfa' };

async function adminWithCode() {
  const admin = await createAdmin();
  return { admin, secret: (await enableMfa(admin.token)).secret };
}

async function targetWithFactor() {
  const target = await createUser();
  return { target, secret: (await enableMfa(target.token)).secret };
}

const trailOf = (userId: number) => getDb().selectFrom('admin_actions').select('action').where('target_user_id', '=', userId).execute();
const factorOf = (userId: number) => getDb().selectFrom('totp_factors').select('user_id').where('user_id', '=', userId).executeTakeFirst();

describe("an admin removing a user's factors, as the account changes around it", () => {
  it('retires a pending e-mail change: a code asked for with the lost phone no longer moves the account', async () => {
    const { admin, secret: adminSecret } = await adminWithCode();
    const { target, secret } = await targetWithFactor();
    const asked = await call(meEmail, 'POST', '/api/me/email', {
      token: target.token,
      json: { email: `moved-${target.user.id}@example.org`, password: STRONG_PASSWORD, code: codeAt(secret) },
    });
    expect(asked.status).toBe(202);
    const removed = await call(adminUsersIdMfa, 'DELETE', `/api/admin/users/${target.user.id}/mfa`, {
      token: admin.token,
      json: { code: codeAt(adminSecret) },
    });
    expect(removed.status).toBe(200);
    expect((await call(meEmailConfirm, 'POST', `/api/me/email/confirm/${asked.body.code}`)).status).toBe(404);
    const row = await getDb().selectFrom('users').select('email').where('id', '=', target.user.id).executeTakeFirstOrThrow();
    expect(row.email).toBe(target.user.email);
  });

  it('is 404 for an account deleted between the two statements, and the code is not taken', async () => {
    const { admin, secret } = await adminWithCode();
    const { target } = await targetWithFactor();
    const deleting = meanwhile(codeAt(secret), () => getDb().deleteFrom('users').where('id', '=', target.user.id).execute());
    await expect(removeUserCredentials(sessionOf(admin), target.user.id, MFA, deleting, CLIENT)).rejects.toMatchObject({
      code: 'not_found',
    });
    expect(await trailOf(target.user.id)).toEqual([]);
    // The code is still the admin's to use.
    const { target: next } = await targetWithFactor();
    await expect(removeUserCredentials(sessionOf(admin), next.user.id, MFA, stepUp(codeAt(secret)), CLIENT)).resolves.toEqual({
      revokedSessions: 1,
    });
  });

  it('refuses an account made an admin meanwhile, and an admin whose session ended meanwhile', async () => {
    const { admin, secret } = await adminWithCode();
    const { target } = await targetWithFactor();
    const promoting = meanwhile(codeAt(secret), () =>
      getDb().updateTable('users').set({ role: 'admin' }).where('id', '=', target.user.id).execute(),
    );
    await expect(removeUserCredentials(sessionOf(admin), target.user.id, MFA, promoting, CLIENT)).rejects.toMatchObject({
      code: 'forbidden',
    });
    expect(await factorOf(target.user.id)).toBeDefined();

    const { target: other } = await targetWithFactor();
    const ending = meanwhile(codeAt(secret), () => getDb().deleteFrom('sessions').where('id', '=', admin.sessionId).execute());
    await expect(removeUserCredentials(sessionOf(admin), other.user.id, MFA, ending, CLIENT)).rejects.toMatchObject({
      code: 'unauthenticated',
    });
    expect(await factorOf(other.user.id)).toBeDefined();
    expect(await trailOf(other.user.id)).toEqual([]);
  });

  it('two admins removing one factor at once: one removes it, the other is 404, one trail row', async () => {
    for (let round = 0; round < 5; round++) {
      const [a, b] = [await adminWithCode(), await adminWithCode()];
      const { target } = await targetWithFactor();
      const answers = await Promise.all(
        [a, b].map(({ admin, secret }) =>
          call(adminUsersIdMfa, 'DELETE', `/api/admin/users/${target.user.id}/mfa`, { token: admin.token, json: { code: codeAt(secret) } }),
        ),
      );
      expect(answers.map((res) => res.status).sort()).toEqual([200, 404]);
      expect(await trailOf(target.user.id)).toEqual([{ action: 'mfa_removed' }]);
    }
  });

  it("a stolen admin session guessing the admin's code: RATE_LIMIT_MFA of the admin's own, then 429 even for the right code", async () => {
    const { admin, secret } = await adminWithCode();
    const { target } = await targetWithFactor();
    const path = `/api/admin/users/${target.user.id}/mfa`;
    const right = codeAt(secret);
    const wrong = right === '000000' ? '000001' : '000000';
    const guess = (code: string) => call(adminUsersIdMfa, 'DELETE', path, { token: admin.token, json: { code } });
    for (let i = 0; i < limitFor('mfa').count; i++) expect((await guess(wrong)).status).toBe(400);
    const over = await guess(wrong);
    expect([over.status, Number(over.headers.get('retry-after')) > 0]).toEqual([429, true]);
    expect((await guess(right)).status).toBe(429);
    expect(await factorOf(target.user.id)).toBeDefined();
    expect(await trailOf(target.user.id)).toEqual([]);
  });

  it("passkeys: another account's id never removes anything, a removed one is gone for good", async () => {
    const { admin, secret } = await adminWithCode();
    const [target, other] = [await createUser(), await createUser()];
    const mine = await enrolPasskey(target.token, new SoftAuthenticator());
    const theirs = await enrolPasskey(other.token, new SoftAuthenticator());
    const one: Removal = { what: 'passkeys', passkeyId: theirs.id };
    await expect(removeUserCredentials(sessionOf(admin), target.user.id, one, stepUp(codeAt(secret)), CLIENT)).rejects.toMatchObject({
      code: 'not_found',
    });
    // Removed meanwhile by its owner: 404, nothing recorded.
    const byOwner = meanwhile(codeAt(secret), () => getDb().deleteFrom('passkeys').where('id', '=', mine.id).execute());
    await expect(
      removeUserCredentials(sessionOf(admin), target.user.id, { what: 'passkeys', passkeyId: mine.id }, byOwner, CLIENT),
    ).rejects.toMatchObject({ code: 'not_found' });
    expect(await trailOf(target.user.id)).toEqual([]);
    const left = await getDb().selectFrom('passkeys').select('id').where('user_id', '=', other.user.id).execute();
    expect(left.map((p) => p.id)).toEqual([theirs.id]);
  });
});
