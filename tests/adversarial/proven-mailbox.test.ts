// The proven mailbox (src/auth/README.md, "The proven mailbox"): whoever reads
// the address ends up with the account. A classic sign-up with someone else's
// address cannot attach a second factor; a factor attached while the address
// was unproven goes with the owner's reset; a registration of an address whose
// account never confirmed replaces that account, in either order.
import { sql } from 'kysely';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import login from '../../netlify/functions/login.ts';
import classicReset from '../../netlify/functions/classic-reset-password.ts';
import classicSessions from '../../netlify/functions/classic-sessions.ts';
import meEvents from '../../netlify/functions/me-events.ts';
import confirmFactor from '../../netlify/functions/me-mfa-totp-confirm.ts';
import factor from '../../netlify/functions/me-mfa-totp.ts';
import me from '../../netlify/functions/me.ts';
import forgot from '../../netlify/functions/password-forgot.ts';
import reset from '../../netlify/functions/password-reset.ts';
import confirm from '../../netlify/functions/register-confirm.ts';
import resend from '../../netlify/functions/register-resend.ts';
import register from '../../netlify/functions/register.ts';
import { ERRORS } from '../../src/common/errors.ts';
import { setClock } from '../../src/config/clock.ts';
import { getDb } from '../../src/db/connection.ts';
import { call } from '../support/call.ts';
import { registerClassic } from '../support/classic.ts';
import { byHand, untilBlocked } from '../support/locks.ts';
import { enableMfa } from '../support/mfa.ts';
import { countStatements } from '../support/statements.ts';
import { createUser, STRONG_PASSWORD, uniqueIp, uniqueName } from '../support/users.ts';

const OWNER_PASSWORD = 'Granite-Meadow-58?';
const ATTACKER_PASSWORD = 'Copper-Lantern-94#';

beforeAll(() => {
  // Development delivery logs every code it hands out.
  vi.spyOn(console, 'info').mockImplementation(() => {});
});
afterEach(() => setClock());

const logIn = (email: string, password: string) => call(login, 'POST', '/api/login', { json: { email, password }, ip: uniqueIp() });
const meOf = (token: string) => call(me, 'GET', '/api/me', { token });
const enrol = (token: string, password: string) => call(factor, 'POST', '/api/me/mfa/totp', { token, json: { password }, ip: uniqueIp() });
const useCode = (code: string) => call(confirm, 'POST', `/api/register/confirm/${code}`);
const registration = (username: string, email: string, password: string) =>
  call(register, 'POST', '/api/register', { json: { username, email, password }, ip: uniqueIp() });

async function sessionOf(email: string, password: string): Promise<string> {
  const res = await logIn(email, password);
  expect(res.status, res.text).toBe(200);
  return res.body.token;
}

/** The owner of the mailbox: forgot, then the token from the mailbox (development delivery answers it). */
async function resetByMailbox(email: string, password = OWNER_PASSWORD) {
  const asked = await call(forgot, 'POST', '/api/password/forgot', { json: { email }, ip: uniqueIp() });
  expect(asked.status).toBe(202);
  return call(reset, 'POST', '/api/password/reset', { json: { token: asked.body.token, password } });
}

const userId = async (email: string) =>
  (await getDb().selectFrom('users').select('id').where('email', '=', email).executeTakeFirstOrThrow()).id;

const factorRows = async (id: number) => ({
  factors: (await getDb().selectFrom('totp_factors').select('user_id').where('user_id', '=', id).execute()).length,
  recoveryCodes: (await getDb().selectFrom('recovery_codes').select('user_id').where('user_id', '=', id).execute()).length,
});

/** The counters keyed by an account (its login counters, its code counter), with their hits. */
const countersOf = (id: number) =>
  getDb()
    .selectFrom('rate_limits')
    .select(['bucket', 'hits'])
    .where(sql<boolean>`bucket ~ ${`:${id}(:|$)`}`)
    .orderBy('bucket')
    .execute();

describe('a second factor needs a proven address', () => {
  it("a classic account (POST /users, someone else's address) is 403 email_unverified on enrolment and its confirmation, counting nothing: 1 statement", async () => {
    const victim = `${uniqueName('victim')}@example.com`;
    await registerClassic({ email: victim, password: ATTACKER_PASSWORD });
    const token = await sessionOf(victim, ATTACKER_PASSWORD);
    expect((await meOf(token)).body.user).toMatchObject({ confirmed: true, emailVerified: false });
    const counters = await countersOf(await userId(victim));

    const { result: started, statements } = await countStatements(() => enrol(token, ATTACKER_PASSWORD));
    expect(started.status).toBe(403);
    expect(started.body.error).toEqual({ code: 'email_unverified', message: ERRORS.email_unverified.message });
    expect(statements).toBe(1);
    const confirmed = await call(confirmFactor, 'POST', '/api/me/mfa/totp/confirm', { token, json: { code: '123456' } });
    expect(confirmed.status).toBe(403);
    expect(confirmed.body.error.code).toBe('email_unverified');
    // Neither a password attempt nor a code attempt was counted, so no lockout is made of them.
    expect(await countersOf(await userId(victim))).toEqual(counters);
    expect(await factorRows(await userId(victim))).toEqual({ factors: 0, recoveryCodes: 0 });
  });

  it('a classic account proves its address with a code from POST /api/register/resend, keeping its password; then it enrols', async () => {
    const { email, password } = await registerClassic();
    const token = await sessionOf(email, password);
    const resent = await call(resend, 'POST', '/api/register/resend', { json: { email }, ip: uniqueIp() });
    expect(resent.status).toBe(202);
    expect((await useCode(resent.body.confirmation.code)).status).toBe(200);
    expect((await meOf(token)).body.user.emailVerified).toBe(true);
    expect((await enrol(token, password)).status).toBe(200);
    const events = await call(meEvents, 'GET', '/api/me/events', { token });
    expect(events.body.items.map((e: { kind: string }) => e.kind)).toContain('email_verified');
  });

  it('a code-confirmed account, a reset one and one that changed its address are proven', async () => {
    const username = uniqueName('coded');
    const email = `${username}@example.com`;
    const registered = await registration(username, email, OWNER_PASSWORD);
    expect((await useCode(registered.body.confirmation.code)).status).toBe(200);
    expect((await meOf(await sessionOf(email, OWNER_PASSWORD))).body.user.emailVerified).toBe(true);

    const classic = await registerClassic();
    expect((await resetByMailbox(classic.email)).status).toBe(200);
    expect((await meOf(await sessionOf(classic.email, OWNER_PASSWORD))).body.user.emailVerified).toBe(true);
  });
});

describe('the squatted account: the reset of a never-proven address removes what was attached meanwhile', () => {
  it("classic sign-up with the victim's address, login, factor; the owner's forgot + reset gives the owner a session, no mfa_required", async () => {
    const victim = `${uniqueName('victim')}@example.com`;
    await registerClassic({ email: victim, password: ATTACKER_PASSWORD });
    const attacker = await sessionOf(victim, ATTACKER_PASSWORD);
    const id = await userId(victim);
    // Enrolment is refused today; an account squatted before migration 0013 may hold a factor already, its
    // address left unproven by the backfill. That state, made by proving and un-proving around the enrolment:
    await getDb().updateTable('users').set({ email_verified_at: new Date() }).where('id', '=', id).execute();
    await enableMfa(attacker, ATTACKER_PASSWORD);
    await getDb().updateTable('users').set({ email_verified_at: null }).where('id', '=', id).execute();
    expect(await factorRows(id)).toEqual({ factors: 1, recoveryCodes: 10 });
    expect((await logIn(victim, ATTACKER_PASSWORD)).body.error.code).toBe('mfa_required');

    const { result: done, statements } = await countStatements(() => resetByMailbox(victim));
    expect(done.status).toBe(200);
    expect(statements).toBe(2 + 2); // forgot's 2, the reset's 2: nothing added

    const owner = await sessionOf(victim, OWNER_PASSWORD);
    expect((await meOf(owner)).body.user).toMatchObject({ email: victim, emailVerified: true });
    expect((await meOf(attacker)).status).toBe(401);
    expect((await logIn(victim, ATTACKER_PASSWORD)).status).toBe(401);
    expect(await factorRows(id)).toEqual({ factors: 0, recoveryCodes: 0 });
    const events = await call(meEvents, 'GET', '/api/me/events', { token: owner });
    // Newest first: the attacker's refused login, the owner's, the reset's two rows (one statement), the request.
    const kinds = events.body.items.map((e: { kind: string }) => e.kind).slice(0, 5);
    expect([kinds[0], kinds[1], ...kinds.slice(2, 4).sort(), kinds[4]]).toEqual([
      'login_failed',
      'login_succeeded',
      'mfa_removed_by_reset',
      'password_reset',
      'reset_requested',
    ]);
  });

  it('the classic PUT /reset_password does the same', async () => {
    const victim = `${uniqueName('victim')}@example.com`;
    await registerClassic({ email: victim, password: ATTACKER_PASSWORD });
    const id = await userId(victim);
    await getDb().updateTable('users').set({ email_verified_at: new Date() }).where('id', '=', id).execute();
    await enableMfa(await sessionOf(victim, ATTACKER_PASSWORD), ATTACKER_PASSWORD);
    await getDb().updateTable('users').set({ email_verified_at: null }).where('id', '=', id).execute();

    const issued = await call(classicReset, 'POST', '/reset_password', { form: { email: victim }, ip: uniqueIp() });
    const done = await call(classicReset, 'PUT', '/reset_password', {
      form: { email: victim, reset_token: issued.body.reset_token, new_password: OWNER_PASSWORD },
    });
    expect(done.status).toBe(200);
    expect(await factorRows(id)).toEqual({ factors: 0, recoveryCodes: 0 });
    const session = await call(classicSessions, 'POST', '/sessions', { form: { email: victim, password: OWNER_PASSWORD }, ip: uniqueIp() });
    expect(session.status).toBe(200);
  });

  it('the reset of a proven address leaves the factor as it is (the reset proves the mailbox, not the device)', async () => {
    const owner = await createUser();
    await enableMfa(owner.token);
    expect((await resetByMailbox(owner.user.email)).status).toBe(200);
    expect(await factorRows(owner.user.id)).toEqual({ factors: 1, recoveryCodes: 10 });
    expect((await logIn(owner.user.email, OWNER_PASSWORD)).body.error.code).toBe('mfa_required');
  });
});

describe('a registration of an address whose account never confirmed replaces it', () => {
  it("attacker first, then the owner, who confirms: the owner's password logs in, the attacker's is 401, the attacker's code is dead", async () => {
    const email = `${uniqueName('victim')}@example.com`;
    const byAttacker = await registration(uniqueName('squat'), email, ATTACKER_PASSWORD);
    expect(byAttacker.status).toBe(201);
    const ownerName = uniqueName('owner');
    const { result: byOwner, statements } = await countStatements(() => registration(ownerName, email, OWNER_PASSWORD));
    expect(byOwner.status).toBe(201);
    expect(statements).toBe(2); // as declared: the per-address limit, then the replacing INSERT
    expect((await useCode(byOwner.body.confirmation.code)).status).toBe(200);

    expect((await useCode(byAttacker.body.confirmation.code)).status).toBe(404);
    expect((await logIn(email, ATTACKER_PASSWORD)).status).toBe(401);
    expect((await meOf(await sessionOf(email, OWNER_PASSWORD))).body.user).toMatchObject({ username: ownerName, emailVerified: true });
    // The replaced account's username is free again.
    const rows = await getDb().selectFrom('users').select('username').where('email', '=', email).execute();
    expect(rows).toEqual([{ username: ownerName }]);
  });

  it("owner first, then the attacker: the owner's first code dies; the owner registers again (or resets) and holds the account, the attacker never gets a session", async () => {
    for (const recover of ['register again', 'reset'] as const) {
      const email = `${uniqueName('victim')}@example.com`;
      const ownerName = uniqueName('owner');
      const first = await registration(ownerName, email, OWNER_PASSWORD);
      const squat = await registration(uniqueName('squat'), email, ATTACKER_PASSWORD);
      expect(squat.status).toBe(201);
      expect((await useCode(first.body.confirmation.code)).status).toBe(404);
      // The attacker cannot read the mailbox: their password meets an unconfirmed account.
      expect((await logIn(email, ATTACKER_PASSWORD)).body.error.code).toBe('account_not_confirmed');

      if (recover === 'register again') {
        const again = await registration(ownerName, email, OWNER_PASSWORD);
        expect(again.status).toBe(201);
        expect((await useCode(again.body.confirmation.code)).status).toBe(200);
      } else {
        expect((await resetByMailbox(email)).status).toBe(200);
      }
      // Replaced, the attacker's code is dead; after the reset it went to the owner's mailbox and only proves it again.
      expect((await useCode(squat.body.confirmation.code)).status).toBe(recover === 'reset' ? 200 : 404);
      expect((await logIn(email, ATTACKER_PASSWORD)).status).toBe(401);
      expect((await meOf(await sessionOf(email, OWNER_PASSWORD))).body.user).toMatchObject({ email, confirmed: true, emailVerified: true });
    }
  });

  it("the username: another account's (unconfirmed or confirmed) is 409 username_taken and replaces nothing; the replaced account's own is reused", async () => {
    const email = `${uniqueName('victim')}@example.com`;
    const pendingName = uniqueName('pending');
    const pending = await registration(pendingName, email, OWNER_PASSWORD);
    const otherUnconfirmed = uniqueName('other');
    expect((await registration(otherUnconfirmed, `${otherUnconfirmed}@example.com`, STRONG_PASSWORD)).status).toBe(201);
    const confirmed = await createUser();

    for (const username of [otherUnconfirmed, confirmed.user.username]) {
      const res = await registration(username, email, ATTACKER_PASSWORD);
      expect(res.status).toBe(409);
      expect(res.body.error.code).toBe('username_taken');
    }
    // Nothing was replaced: the pending account and its code are intact.
    expect((await useCode(pending.body.confirmation.code)).status).toBe(200);
    // Confirmed now: its address is taken as before.
    const taken = await registration(uniqueName('late'), email, ATTACKER_PASSWORD);
    expect(taken.status).toBe(409);
    expect(taken.body.error.code).toBe('email_taken');

    const reused = `${uniqueName('again')}@example.com`;
    const once = await registration(pendingName.replace('pending', 'reuse'), reused, ATTACKER_PASSWORD);
    const twice = await registration(pendingName.replace('pending', 'reuse'), reused, OWNER_PASSWORD);
    expect([once.status, twice.status]).toEqual([201, 201]);
  });

  it('racing the confirmation of the account it would replace: the confirmation wins whole (200, then 409) or loses whole (404, 201)', async () => {
    for (let round = 0; round < 10; round++) {
      const email = `${uniqueName('race')}@example.com`;
      const first = await registration(uniqueName('first'), email, OWNER_PASSWORD);
      const [confirmed, second] = await Promise.all([
        useCode(first.body.confirmation.code),
        registration(uniqueName('second'), email, ATTACKER_PASSWORD),
      ]);
      expect([
        [200, 409],
        [404, 201],
      ]).toContainEqual([confirmed.status, second.status]);
      if (second.status === 409) expect(second.body.error.code).toBe('email_taken');
      const rows = await getDb().selectFrom('users').select('confirmed_at').where('email', '=', email).execute();
      expect(rows).toHaveLength(1);
      expect(rows[0]!.confirmed_at !== null).toBe(confirmed.status === 200);
    }
  });

  it('a registration meeting a confirmation that holds the code: it waits for it and answers 409, no deadlock', async () => {
    // The confirmation's statement takes the code's row, then the account's. A
    // replacing registration that took the account first (its DELETE) and the
    // code after (the cascade) met it in the opposite order: a deadlock, a 500.
    const email = `${uniqueName('order')}@example.com`;
    const first = await registration(uniqueName('first'), email, OWNER_PASSWORD);
    await byHand(async (confirmation, watcher) => {
      await confirmation.query('BEGIN');
      await confirmation.query("UPDATE one_time_tokens SET used_at = now() WHERE user_id = $1 AND purpose = 'confirm_email'", [
        first.body.user.id,
      ]);
      const second = registration(uniqueName('second'), email, ATTACKER_PASSWORD);
      await untilBlocked(watcher);
      await confirmation.query('UPDATE users SET confirmed_at = now(), email_verified_at = now() WHERE id = $1', [first.body.user.id]);
      await confirmation.query('COMMIT');
      const res = await second;
      expect(res.status).toBe(409);
      expect(res.body.error.code).toBe('email_taken');
      const rows = await getDb().selectFrom('users').select(['id', 'confirmed_at']).where('email', '=', email).execute();
      expect(rows).toEqual([{ id: first.body.user.id, confirmed_at: expect.any(Date) }]);
    });
  });

  it("a confirmed account's address stays 409 email_taken, its account untouched", async () => {
    const owner = await createUser();
    const res = await registration(uniqueName('squat'), owner.user.email, ATTACKER_PASSWORD);
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('email_taken');
    expect((await meOf(owner.token)).status).toBe(200);
  });
});
