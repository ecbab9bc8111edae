// Attacks on a passkey as the login's second step and as the step-up, with
// answers the software authenticator makes (tests/support/passkeys.ts): a
// replayed challenge, another account's passkey, a ticket of another account,
// an expired ticket, a challenge of another ceremony, a race of answers on one
// challenge, a passkey removed between the options and the answer, and how the
// passkey meets a password reset and the account's deletion.
import { describe, expect, it } from 'vitest';
import signInStart from '../../netlify/functions/login-passkey-options.ts';
import loginMfa from '../../netlify/functions/login-mfa.ts';
import secondStepOptions from '../../netlify/functions/login-mfa-passkey-options.ts';
import login from '../../netlify/functions/login.ts';
import password from '../../netlify/functions/me-password.ts';
import me from '../../netlify/functions/me.ts';
import forgot from '../../netlify/functions/password-forgot.ts';
import reset from '../../netlify/functions/password-reset.ts';
import { getDb } from '../../src/db/connection.ts';
import { call, type CallResult } from '../support/call.ts';
import { envPerTest } from '../support/env.ts';
import { enableMfa } from '../support/mfa.ts';
import { enrolPasskey, SoftAuthenticator, stepUpAssertion } from '../support/passkeys.ts';
import { createUser, STRONG_PASSWORD, uniqueIp } from '../support/users.ts';
import { envCount, report } from './harness.ts';

envPerTest();

const NEW_PASSWORD = 'Granite-Meadow-58?';

/** An account with TOTP and one passkey: the second step may be the passkey. */
async function guarded() {
  const account = await createUser();
  await enableMfa(account.token);
  const authenticator = new SoftAuthenticator();
  const passkey = await enrolPasskey(account.token, authenticator);
  return { ...account, authenticator, passkey };
}

async function ticket(username: string, pass = STRONG_PASSWORD): Promise<string> {
  const res = await call(login, 'POST', '/api/login', { json: { username, password: pass }, ip: uniqueIp() });
  expect(res.body.error?.code).toBe('mfa_required');
  return res.body.error.mfaToken;
}

const optionsFor = (mfaToken: string) => call(secondStepOptions, 'POST', '/api/login/mfa/passkey/options', { json: { mfaToken } });
const challengeFor = async (mfaToken: string): Promise<string> => (await optionsFor(mfaToken)).body.options.challenge;
const secondStep = (mfaToken: string, passkey: unknown) =>
  call(loginMfa, 'POST', '/api/login/mfa', { json: { mfaToken, passkey }, ip: uniqueIp() });

const sessionsOf = async (userId: number) =>
  (await getDb().selectFrom('sessions').select('id').where('user_id', '=', userId).execute()).length;

function expectRefused(res: CallResult, code = 'invalid_mfa_code') {
  expect([res.status, res.body.error?.code]).toEqual([401, code]);
}

const changePassword = (token: string, passkey: unknown, newPassword = NEW_PASSWORD) =>
  call(password, 'PUT', '/api/me/password', { token, json: { currentPassword: STRONG_PASSWORD, newPassword, passkey } });

describe('a passkey at the second step', () => {
  it('a replayed answer is refused: on a later ticket, and on its own ticket once a first answer used the challenge', async () => {
    const account = await guarded();
    const sessions = await sessionsOf(account.user.id);
    const first = await ticket(account.user.username);
    const answer = account.authenticator.assert(await challengeFor(first));
    expect((await secondStep(first, answer)).status).toBe(200);
    // The ticket is used up, and its challenge with it.
    expectRefused(await secondStep(first, answer), 'mfa_token_invalid');
    expectRefused(await secondStep(await ticket(account.user.username), answer));

    // A refused answer (from a phishing page's origin) used the challenge up: the right one on it is refused too.
    const later = await ticket(account.user.username);
    const text = await challengeFor(later);
    expectRefused(await secondStep(later, account.authenticator.assert(text, { origin: 'https://login.evil.example' })));
    expectRefused(await secondStep(later, account.authenticator.assert(text)));
    expect((await secondStep(later, account.authenticator.assert(await challengeFor(later)))).status).toBe(200);
    expect(await sessionsOf(account.user.id)).toBe(sessions + 2);
  });

  it("another account's passkey is refused on the victim's ticket, even with the victim's password", async () => {
    const victim = await guarded();
    const attacker = await guarded();
    const step = await ticket(victim.user.username);
    const text = await challengeFor(step);
    expectRefused(await secondStep(step, attacker.authenticator.assert(text)));
    // The attacker's signature under the victim's credential id does not verify either.
    const forged = attacker.authenticator.assert(await challengeFor(step));
    expectRefused(await secondStep(step, { ...forged, id: victim.authenticator.id, rawId: victim.authenticator.id }));
    expect(await sessionsOf(victim.user.id)).toBe(1);
  });

  it("a challenge serves its own ticket only: the options of one ticket answered with another account's ticket are refused", async () => {
    const mine = await guarded();
    const theirs = await guarded();
    const myTicket = await ticket(mine.user.username);
    const theirTicket = await ticket(theirs.user.username);
    // Their passkey answering their challenge, sent with my ticket, and mine with theirs.
    expectRefused(await secondStep(myTicket, theirs.authenticator.assert(await challengeFor(theirTicket))));
    expectRefused(await secondStep(theirTicket, mine.authenticator.assert(await challengeFor(myTicket))));
    // And my own second ticket cannot use the first one's challenge.
    const again = await ticket(mine.user.username);
    const text = await challengeFor(myTicket);
    expectRefused(await secondStep(again, mine.authenticator.assert(text)));
    expect([await sessionsOf(mine.user.id), await sessionsOf(theirs.user.id)]).toEqual([1, 1]);
  });

  it('a challenge of another ceremony (the passwordless sign-in, a step-up) is refused at the second step', async () => {
    const account = await guarded();
    const step = await ticket(account.user.username);
    const signIn = (await call(signInStart, 'POST', '/api/login/passkey/options', { ip: uniqueIp() })).body.options.challenge;
    expectRefused(await secondStep(step, account.authenticator.assert(signIn)));
    expectRefused(await secondStep(step, await stepUpAssertion(account.token, account.authenticator)));
  });

  it('an expired ticket is refused, its options too; its challenge was made to expire with it', async () => {
    const account = await guarded();
    const step = await ticket(account.user.username);
    const text = await challengeFor(step);
    const expiry = async (table: 'mfa_challenges' | 'webauthn_challenges') =>
      (await getDb().selectFrom(table).select('expires_at').where('user_id', '=', account.user.id).executeTakeFirstOrThrow()).expires_at;
    // The purge deletes both at once.
    expect(await expiry('webauthn_challenges')).toEqual(await expiry('mfa_challenges'));
    await getDb()
      .updateTable('mfa_challenges')
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where('user_id', '=', account.user.id)
      .execute();
    expectRefused(await secondStep(step, account.authenticator.assert(text)), 'mfa_token_invalid');
    expectRefused(await optionsFor(step), 'mfa_token_invalid');
  });

  it('a race of answers on one challenge opens one session', async () => {
    const rounds = envCount('ADVERSARIAL_RACE_ROUNDS', 5);
    for (let round = 0; round < rounds; round++) {
      const account = await guarded();
      const sessions = await sessionsOf(account.user.id);
      const step = await ticket(account.user.username);
      const text = await challengeFor(step);
      // As many answers as the ticket has tries (5), with counters 1…5, at once.
      const results = await Promise.all(
        Array.from({ length: 5 }, () => account.authenticator.assert(text)).map((a) => secondStep(step, a)),
      );
      expect(results.map((res) => res.status).sort()).toEqual([200, 401, 401, 401, 401]);
      expect(await sessionsOf(account.user.id)).toBe(sessions + 1);
    }
    report('passkey second step race', { rounds, answers: 5, sessions: 1 });
  });

  it('a passkey removed between the options and the answer is refused', async () => {
    const account = await guarded();
    const step = await ticket(account.user.username);
    const text = await challengeFor(step);
    await getDb().deleteFrom('passkeys').where('id', '=', account.passkey.id).execute();
    expectRefused(await secondStep(step, account.authenticator.assert(text)));
    expect(await sessionsOf(account.user.id)).toBe(1);
  });
});

describe('a passkey as the step-up', () => {
  it('a replayed step-up answer is refused: the change took its challenge', async () => {
    const { token, user } = await createUser();
    const authenticator = new SoftAuthenticator();
    await enrolPasskey(token, authenticator);
    const passkey = await stepUpAssertion(token, authenticator);
    expect((await changePassword(token, passkey)).status).toBe(200);
    const replayed = await call(password, 'PUT', '/api/me/password', {
      token,
      json: { currentPassword: NEW_PASSWORD, newPassword: STRONG_PASSWORD, passkey },
    });
    expect([replayed.status, replayed.body.error.details]).toEqual([400, { passkey: ['is not correct'] }]);
    // An expired challenge is refused by the statement that would take it.
    const late = await stepUpAssertion(token, authenticator);
    await getDb()
      .updateTable('webauthn_challenges')
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where('user_id', '=', user.id)
      .execute();
    const expired = await call(password, 'PUT', '/api/me/password', {
      token,
      json: { currentPassword: NEW_PASSWORD, newPassword: STRONG_PASSWORD, passkey: late },
    });
    expect([expired.status, expired.body.error.details]).toEqual([400, { passkey: ['is not correct'] }]);
  });

  it("a stolen session and password with the attacker's own passkey: refused (the passkey is not the account's)", async () => {
    const victim = await createUser();
    await enrolPasskey(victim.token, new SoftAuthenticator());
    const attacker = await createUser();
    const theirs = new SoftAuthenticator();
    await enrolPasskey(attacker.token, theirs);
    // Their own step-up challenge, and the victim's, each answered by the attacker's passkey.
    for (const passkey of [await stepUpAssertion(attacker.token, theirs), await stepUpAssertion(victim.token, theirs)]) {
      const res = await changePassword(victim.token, passkey);
      expect([res.status, res.body.error.details]).toEqual([400, { passkey: ['is not correct'] }]);
    }
    // A second-step challenge is no step-up either.
    const owner = await guarded();
    const text = await challengeFor(await ticket(owner.user.username));
    const res = await changePassword(owner.token, owner.authenticator.assert(text));
    expect([res.status, res.body.error.details]).toEqual([400, { passkey: ['is not correct'] }]);
  });

  it('a race of two changes with answers on one step-up challenge: exactly one wins', async () => {
    const rounds = envCount('ADVERSARIAL_RACE_ROUNDS', 5);
    for (let round = 0; round < rounds; round++) {
      const { token, user } = await createUser();
      const authenticator = new SoftAuthenticator();
      await enrolPasskey(token, authenticator);
      const first = await stepUpAssertion(token, authenticator);
      const text = JSON.parse(Buffer.from(first.response.clientDataJSON, 'base64url').toString()).challenge;
      const second = authenticator.assert(text);
      const results = await Promise.all([changePassword(token, first, NEW_PASSWORD), changePassword(token, second, 'Cobalt-Orchard-91#')]);
      expect(results.map((res) => res.status).sort()).toEqual([200, 400]);
      // The loser's passkey is refused whichever statement saw the challenge gone (its password too, when the winner changed it first).
      expect(results.find((res) => res.status === 400)!.body.error.details.passkey).toEqual(['is not correct']);
      expect(
        await getDb()
          .selectFrom('security_events')
          .select('id')
          .where('user_id', '=', user.id)
          .where('kind', '=', 'password_changed')
          .execute(),
      ).toHaveLength(1);
    }
  });

  it('a passkey removed between the options and the answer is refused', async () => {
    const { token, user } = await createUser();
    const kept = new SoftAuthenticator();
    const removed = new SoftAuthenticator();
    await enrolPasskey(token, kept);
    const gone = await enrolPasskey(token, removed);
    const passkey = await stepUpAssertion(token, removed);
    await getDb().deleteFrom('passkeys').where('id', '=', gone.id).execute();
    const res = await changePassword(token, passkey);
    expect([res.status, res.body.error.details]).toEqual([400, { passkey: ['is not correct'] }]);
    expect(await getDb().selectFrom('users').select('password_hash').where('id', '=', user.id).executeTakeFirstOrThrow()).toEqual({
      password_hash: expect.any(String),
    });
  });
});

describe('the passkey, a password reset and the deletion', () => {
  it("a reset ends the sessions and the open ticket with its passkey challenge; the passkey survives (a proven mailbox's)", async () => {
    const account = await guarded();
    const step = await ticket(account.user.username);
    const text = await challengeFor(step);
    const issued = await call(forgot, 'POST', '/api/password/forgot', { json: { email: account.user.email }, ip: uniqueIp() });
    const done = await call(reset, 'POST', '/api/password/reset', { json: { token: issued.body.token, password: NEW_PASSWORD } });
    expect(done.status).toBe(200);
    expect(await sessionsOf(account.user.id)).toBe(0);
    expectRefused(await secondStep(step, account.authenticator.assert(text)), 'mfa_token_invalid');
    expect(await getDb().selectFrom('webauthn_challenges').select('id').where('challenge', '=', text).execute()).toEqual([]);

    const after = await ticket(account.user.username, NEW_PASSWORD);
    expect((await secondStep(after, account.authenticator.assert(await challengeFor(after)))).status).toBe(200);
  });

  it("the account's deletion (proved by a passkey) takes its passkeys and challenges; a ticket opened before is refused", async () => {
    const account = await guarded();
    const step = await ticket(account.user.username);
    const text = await challengeFor(step);
    const passkey = await stepUpAssertion(account.token, account.authenticator);
    expect((await call(me, 'DELETE', '/api/me', { token: account.token, json: { password: STRONG_PASSWORD, passkey } })).status).toBe(204);
    expect(await getDb().selectFrom('passkeys').select('id').where('user_id', '=', account.user.id).execute()).toEqual([]);
    expect(await getDb().selectFrom('webauthn_challenges').select('id').where('user_id', '=', account.user.id).execute()).toEqual([]);
    expectRefused(await secondStep(step, account.authenticator.assert(text)), 'mfa_token_invalid');
  });
});
