// An admin removing a user's second factor or passkeys (for one who lost their
// phone): a step-up of the admin's own, two statements, the user's sessions
// ended, both trails and a notice; every refusal before anything is written.
import { describe, expect, it } from 'vitest';
import adminServiceKeys from '../../netlify/functions/admin-service-keys.ts';
import adminUsersIdMfa from '../../netlify/functions/admin-users-id-mfa.ts';
import adminUsersIdPasskeys from '../../netlify/functions/admin-users-id-passkeys.ts';
import adminUsersId from '../../netlify/functions/admin-users-id.ts';
import login from '../../netlify/functions/login.ts';
import me from '../../netlify/functions/me.ts';
import { getDb } from '../../src/db/connection.ts';
import { useMailProvider } from '../support/accounts.ts';
import { createAdmin } from '../support/admin.ts';
import { call } from '../support/call.ts';
import { envPerTest } from '../support/env.ts';
import { codeAt, enableMfa } from '../support/mfa.ts';
import { enrolPasskey, SoftAuthenticator } from '../support/passkeys.ts';
import { measured } from '../support/statements.ts';
import { createUser, STRONG_PASSWORD, type TestUser, uniqueIp } from '../support/users.ts';

envPerTest();

const eventsOf = async (userId: number) =>
  (await getDb().selectFrom('security_events').select('kind').where('user_id', '=', userId).orderBy('id').execute()).map((e) => e.kind);
const trailOf = (userId: number) =>
  getDb().selectFrom('admin_actions').selectAll().where('target_user_id', '=', userId).orderBy('id').execute();
const factorOf = (userId: number) => getDb().selectFrom('totp_factors').select('user_id').where('user_id', '=', userId).executeTakeFirst();
const recoveryCodesOf = async (userId: number) =>
  (await getDb().selectFrom('recovery_codes').select('code_hash').where('user_id', '=', userId).execute()).length;
const passkeysOf = async (userId: number) =>
  (await getDb().selectFrom('passkeys').select('id').where('user_id', '=', userId).orderBy('id').execute()).map((p) => p.id);

/** An admin at aal2 with an authenticator app of their own: the secret makes their step-up codes. */
async function steppingAdmin(): Promise<TestUser & { secret: string }> {
  const admin = await createAdmin();
  return { ...admin, secret: (await enableMfa(admin.token)).secret };
}

const removeMfa = (by: { token: string }, id: number, json: unknown = {}) =>
  call(adminUsersIdMfa, 'DELETE', `/api/admin/users/${id}/mfa`, { token: by.token, json });
const removePasskeys = (by: { token: string }, id: number, json: unknown = {}) =>
  call(adminUsersIdPasskeys, 'DELETE', `/api/admin/users/${id}/passkeys`, { token: by.token, json });

describe('DELETE /api/admin/users/{id}/mfa', () => {
  it("removes the factor and recovery codes with the admin's own code, ends the user's sessions, in both trails, and e-mails the user", async () => {
    const mail = useMailProvider();
    try {
      const admin = await steppingAdmin();
      const target = await createUser();
      await enableMfa(target.token);
      mail.sent.length = 0;

      const res = await measured(() => removeMfa(admin, target.user.id, { code: codeAt(admin.secret) }));
      expect(res).toEqual([200, 2]);
      expect(await factorOf(target.user.id)).toBeUndefined();
      expect(await recoveryCodesOf(target.user.id)).toBe(0);
      expect((await call(me, 'GET', '/api/me', { token: target.token })).status).toBe(401);
      // The password alone signs in now.
      const logged = await call(login, 'POST', '/api/login', {
        json: { email: target.user.email, password: STRONG_PASSWORD },
        ip: uniqueIp(),
      });
      expect(logged.status).toBe(200);

      expect((await eventsOf(target.user.id)).slice(-2)).toEqual(['mfa_removed_by_admin', 'login_succeeded']);
      expect((await trailOf(target.user.id)).map((t) => [t.action, t.actor_user_id, t.actor_name])).toEqual([
        ['mfa_removed', admin.user.id, admin.user.username],
      ]);
      // The admin's code was taken: their refused-code row is gone, no mfa_failed left behind.
      expect(await eventsOf(admin.user.id)).not.toContain('mfa_failed');

      expect(mail.sent.map((m) => [m.body.to, m.body.subject])).toEqual([
        [target.user.email, 'Two-step verification was removed by an administrator'],
      ]);
      expect(mail.sent[0]!.body.text).toContain('Every session of the account was signed out');
      expect(mail.sent[0]!.body.text).not.toContain(admin.user.username);
    } finally {
      mail.restore();
    }
  });

  it("takes the admin's code once: the same code again is a 400, and the detail no longer shows the factor", async () => {
    const admin = await steppingAdmin();
    const [first, second] = [await createUser(), await createUser()];
    await enableMfa(first.token);
    await enableMfa(second.token);
    const code = codeAt(admin.secret);
    expect((await removeMfa(admin, first.user.id, { code })).status).toBe(200);
    const again = await removeMfa(admin, second.user.id, { code });
    expect([again.status, again.body.error.details]).toEqual([400, { code: ['is not correct'] }]);
    expect(await factorOf(second.user.id)).toBeDefined();
    const detail = await call(adminUsersId, 'GET', `/api/admin/users/${first.user.id}`, { token: admin.token });
    expect([detail.body.user.mfa, detail.body.secondFactor]).toEqual([false, null]);
  });

  it('refuses, changing nothing: no code, a wrong one, an admin without a factor, a key, a user, aal1, none', async () => {
    const admin = await steppingAdmin();
    const target = await createUser();
    await enableMfa(target.token);
    const id = target.user.id;

    const none = await removeMfa(admin, id);
    expect([none.status, none.body.error.code]).toEqual([403, 'step_up_required']);
    const wrong = await measured(() => removeMfa(admin, id, { code: '000000' === codeAt(admin.secret) ? '111111' : '000000' }));
    expect(wrong).toEqual([400, 1]);
    // A wrong code counts on the admin's own second-factor counter, as the user routes' step-up does.
    expect(await eventsOf(admin.user.id)).toContain('mfa_failed');
    const factorless = await createAdmin();
    const noFactor = await removeMfa(factorless, id, { code: '123456' });
    expect([noFactor.status, noFactor.body.error.code]).toEqual([403, 'step_up_required']);
    expect(noFactor.body.error.message).toContain('enrol one');

    const key = await call(adminServiceKeys, 'POST', '/api/admin/service-keys', {
      token: admin.token,
      json: { name: 'Support desk', scopes: ['users:read', 'users:write'] },
    });
    const byKey = await removeMfa({ token: key.body.secret }, id, { code: codeAt(admin.secret) });
    expect([byKey.status, byKey.body.error.code]).toEqual([403, 'admin_session_required']);
    const user = await createUser();
    const byUser = await removeMfa(user, id, { code: '123456' });
    expect([byUser.status, byUser.body.error.code]).toEqual([403, 'forbidden']);
    const aal1 = await removeMfa(await createAdmin({ aal: 'aal1' }), id, { code: '123456' });
    expect([aal1.status, aal1.body.error.code]).toEqual([403, 'aal2_required']);
    expect((await call(adminUsersIdMfa, 'DELETE', `/api/admin/users/${id}/mfa`, { json: {} })).status).toBe(401);

    for (const json of [{ code: 123456 }, { code: 'x'.repeat(65) }, { code: '123456', extra: 1 }, []]) {
      expect((await removeMfa(admin, id, json)).status).toBe(400);
    }
    expect((await call(adminUsersIdMfa, 'DELETE', '/api/admin/users/0/mfa', { token: admin.token, json: {} })).status).toBe(400);

    expect(await factorOf(id)).toBeDefined();
    expect((await call(me, 'GET', '/api/me', { token: target.token })).status).toBe(200);
    expect(await trailOf(id)).toEqual([]);
  });

  it('is 404 for no such user and for a user without a factor, nothing counted; 403 for oneself and another admin', async () => {
    const admin = await steppingAdmin();
    const code = codeAt(admin.secret);
    const bare = await createUser();
    for (const id of [999_999_999_999, bare.user.id]) expect(await measured(() => removeMfa(admin, id, { code }))).toEqual([404, 1]);
    const self = await removeMfa(admin, admin.user.id, { code });
    expect([self.status, self.body.error.code]).toEqual([403, 'forbidden']);
    expect(self.body.error.message).toContain('/api/me/mfa/totp');
    const peer = await steppingAdmin();
    const other = await removeMfa(admin, peer.user.id, { code });
    expect([other.status, other.body.error.code]).toEqual([403, 'forbidden']);
    expect(await factorOf(peer.user.id)).toBeDefined();
    // None of them spent the code: it still removes a factor.
    expect(await eventsOf(admin.user.id)).not.toContain('mfa_failed');
    const target = await createUser();
    await enableMfa(target.token);
    expect((await removeMfa(admin, target.user.id, { code })).status).toBe(200);
  });
});

describe('DELETE /api/admin/users/{id}/passkeys', () => {
  it('removes one passkey by id or every one, listed in the detail, with both trails', async () => {
    const admin = await steppingAdmin();
    const target = await createUser();
    const lost = await enrolPasskey(target.token, new SoftAuthenticator(), 'Lost phone');
    const kept = await enrolPasskey(target.token, new SoftAuthenticator(), 'Laptop');
    const detail = await call(adminUsersId, 'GET', `/api/admin/users/${target.user.id}`, { token: admin.token });
    expect(detail.body.passkeys.map((p: { id: number; name: string }) => [p.id, p.name])).toEqual([
      [lost.id, 'Lost phone'],
      [kept.id, 'Laptop'],
    ]);

    const one = await measured(() => removePasskeys(admin, target.user.id, { code: codeAt(admin.secret), passkeyId: lost.id }));
    expect(one).toEqual([200, 2]);
    expect(await passkeysOf(target.user.id)).toEqual([kept.id]);
    expect((await call(me, 'GET', '/api/me', { token: target.token })).status).toBe(401);
    const trail = await trailOf(target.user.id);
    expect(trail.map((t) => [t.action, t.detail, t.actor_user_id])).toEqual([['passkeys_removed', 'Lost phone', admin.user.id]]);
    expect(await eventsOf(target.user.id)).toContain('passkeys_removed_by_admin');

    // The same id again, or another account's passkey: 404, the code not spent.
    const other = await createUser();
    const foreign = await enrolPasskey(other.token, new SoftAuthenticator());
    for (const passkeyId of [lost.id, foreign.id]) {
      expect((await removePasskeys(admin, target.user.id, { code: codeAt(admin.secret, Date.now(), 1), passkeyId })).status).toBe(404);
    }
    expect(await passkeysOf(other.user.id)).toEqual([foreign.id]);

    // A form sends the id as digits; without one, every passkey goes.
    const all = await call(adminUsersIdPasskeys, 'DELETE', `/api/admin/users/${target.user.id}/passkeys`, {
      token: admin.token,
      form: { code: codeAt(admin.secret, Date.now(), 1) },
    });
    expect([all.status, all.body]).toEqual([200, { removedPasskeys: 1, revokedSessions: 0 }]);
    expect(await passkeysOf(target.user.id)).toEqual([]);
    const none = await removePasskeys(admin, target.user.id, { code: codeAt(admin.secret, Date.now(), 1) });
    expect(none.status).toBe(404);
  });

  it('refuses malformed passkey ids and the same callers as the factor removal', async () => {
    const admin = await steppingAdmin();
    const target = await createUser();
    await enrolPasskey(target.token, new SoftAuthenticator());
    for (const passkeyId of [0, -1, 1.5, 'abc', '01', true, 2 ** 53]) {
      const res = await removePasskeys(admin, target.user.id, { code: codeAt(admin.secret), passkeyId });
      expect([res.status, Object.keys(res.body.error.details ?? {})]).toEqual([400, ['passkeyId']]);
    }
    expect((await removePasskeys(admin, target.user.id)).body.error.code).toBe('step_up_required');
    expect((await removePasskeys(await createUser(), target.user.id, { code: '123456' })).body.error.code).toBe('forbidden');
    expect((await removePasskeys(await createAdmin({ aal: 'aal1' }), target.user.id, { code: '123456' })).body.error.code).toBe(
      'aal2_required',
    );
    expect((await removePasskeys(admin, admin.user.id, { code: codeAt(admin.secret) })).status).toBe(403);
    expect((await removePasskeys(admin, 999_999_999_999, { code: codeAt(admin.secret) })).status).toBe(404);
    expect((await passkeysOf(target.user.id)).length).toBe(1);
  });
});
