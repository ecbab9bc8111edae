// Nothing outlives the secret it was issued under: a password reset or
// change, an e-mail change and a second factor's removal retire the pending
// e-mail change, the open login challenges (mfaToken) and the reset codes
// someone could have opened with the old secret; a write that a session
// authorized in an earlier statement is refused once that session has ended;
// and a code that meets no factor to check it spends none of the owner's
// code attempts.
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import loginMfa from '../../netlify/functions/login-mfa.ts';
import login from '../../netlify/functions/login.ts';
import confirmChange from '../../netlify/functions/me-email-confirm.ts';
import changeEmail from '../../netlify/functions/me-email.ts';
import confirmFactor from '../../netlify/functions/me-mfa-totp-confirm.ts';
import factor from '../../netlify/functions/me-mfa-totp.ts';
import mePassword from '../../netlify/functions/me-password.ts';
import forgot from '../../netlify/functions/password-forgot.ts';
import reset from '../../netlify/functions/password-reset.ts';
import { hashPassword } from '../../src/auth/passwords/hash.ts';
import { setClock } from '../../src/config/clock.ts';
import { getDb } from '../../src/db/connection.ts';
import { limitFor } from '../../src/rate-limit/limits.ts';
import { call } from '../support/call.ts';
import { byHand, untilBlocked } from '../support/locks.ts';
import { codeAt, enableMfa } from '../support/mfa.ts';
import { createUser, STRONG_PASSWORD, uniqueIp, uniqueName, type TestUser } from '../support/users.ts';

const NEW_PASSWORD = 'Granite-Meadow-58?';

beforeAll(() => {
  // Development delivery logs every code it hands out.
  vi.spyOn(console, 'info').mockImplementation(() => {});
});
afterEach(() => setClock());

/** Someone holding the account's session and password (and `factorCode`, its factor's) asks to move it to an address of theirs: the code. */
async function pendingEmailChange(holder: TestUser, factorCode?: string): Promise<string> {
  const email = `${uniqueName('taker')}@example.net`;
  const res = await call(changeEmail, 'POST', '/api/me/email', {
    token: holder.token,
    json: { email, password: holder.password, ...(factorCode !== undefined && { code: factorCode }) },
    ip: uniqueIp(),
  });
  expect(res.status).toBe(202);
  return res.body.code;
}

/** The password step of an account with a factor, by someone who has the password: the mfaToken. */
async function openChallenge(username: string, password = STRONG_PASSWORD): Promise<string> {
  const res = await call(login, 'POST', '/api/login', { json: { username, password }, ip: uniqueIp() });
  expect(res.status).toBe(403);
  return res.body.error.mfaToken;
}

/** The mailbox's owner resets the password. */
async function resetByMailbox(email: string): Promise<void> {
  const asked = await call(forgot, 'POST', '/api/password/forgot', { json: { email }, ip: uniqueIp() });
  expect(asked.status).toBe(202);
  const done = await call(reset, 'POST', '/api/password/reset', { json: { token: asked.body.token, password: NEW_PASSWORD } });
  expect(done.status).toBe(200);
}

const secondStep = (mfaToken: string, code: string) =>
  call(loginMfa, 'POST', '/api/login/mfa', { json: { mfaToken, code }, ip: uniqueIp() });

const confirmPending = (code: string) => call(confirmChange, 'POST', `/api/me/email/confirm/${code}`);

describe('a password reset', () => {
  it("retires a pending e-mail change: the attacker's code is 404 after the owner's reset, the address stays", async () => {
    const owner = await createUser();
    const code = await pendingEmailChange(owner);
    await resetByMailbox(owner.user.email);
    expect((await confirmPending(code)).status).toBe(404);
    const row = await getDb().selectFrom('users').select('email').where('id', '=', owner.user.id).executeTakeFirstOrThrow();
    expect(row.email).toBe(owner.user.email);
  });

  it('retires an mfaToken opened before it: the right code no longer completes that login', async () => {
    const owner = await createUser();
    const { secret } = await enableMfa(owner.token);
    const mfaToken = await openChallenge(owner.user.username);
    await resetByMailbox(owner.user.email);
    const res = await secondStep(mfaToken, codeAt(secret));
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('mfa_token_invalid');
  });
});

describe('a password change', () => {
  it('retires the pending e-mail change and the open mfaTokens', async () => {
    const owner = await createUser();
    const { secret } = await enableMfa(owner.token);
    const code = await pendingEmailChange(owner, codeAt(secret));
    const mfaToken = await openChallenge(owner.user.username);
    const changed = await call(mePassword, 'PUT', '/api/me/password', {
      token: owner.token,
      // The next step's code: the current one went to the e-mail change.
      json: { currentPassword: STRONG_PASSWORD, newPassword: NEW_PASSWORD, code: codeAt(secret, Date.now(), 1) },
      ip: uniqueIp(),
    });
    expect(changed.status).toBe(200);
    expect((await confirmPending(code)).status).toBe(404);
    expect((await secondStep(mfaToken, codeAt(secret))).status).toBe(401);
  });

  // Statement 1 proved the session, the new password is hashed, and a reset
  // ends every session before statement 2 writes: played step by step, the
  // reset's part by hand (it holds the account row, sets its hash, ends the
  // sessions, commits) while the change's write waits for that row.
  it('whose session a reset ended after its first statement is 401, and the reset stands', async () => {
    const owner = await createUser();
    const resetHash = await hashPassword('Reset-Chosen-Password-41!');
    await byHand(async (resetting, watcher) => {
      await resetting.query('BEGIN');
      await resetting.query('SELECT id FROM users WHERE id = $1 FOR UPDATE', [owner.user.id]);
      const changing = call(mePassword, 'PUT', '/api/me/password', {
        token: owner.token,
        json: { currentPassword: STRONG_PASSWORD, newPassword: NEW_PASSWORD },
        ip: uniqueIp(),
      });
      await untilBlocked(watcher);
      await resetting.query('UPDATE users SET password_hash = $2 WHERE id = $1', [owner.user.id, resetHash]);
      await resetting.query('DELETE FROM sessions WHERE user_id = $1', [owner.user.id]);
      await resetting.query('COMMIT');
      const changed = await changing;
      expect(changed.status).toBe(401);
      const { rows } = await watcher.query(
        `SELECT password_hash,
           (SELECT count(*)::int FROM security_events WHERE user_id = $1 AND kind = 'password_changed') AS changed
         FROM users WHERE id = $1`,
        [owner.user.id],
      );
      expect(rows[0]).toEqual({ password_hash: resetHash, changed: 0 });
    });
  });
});

describe('an e-mail change', () => {
  it('retires the open mfaTokens', async () => {
    const owner = await createUser();
    const { secret } = await enableMfa(owner.token);
    const mfaToken = await openChallenge(owner.user.username);
    const code = await pendingEmailChange(owner, codeAt(secret));
    expect((await confirmPending(code)).status).toBe(200);
    expect((await secondStep(mfaToken, codeAt(secret))).status).toBe(401);
  });
});

describe("a second factor's removal", () => {
  it('retires the pending e-mail change, the reset codes and the mfaTokens opened under it, a new factor included', async () => {
    const owner = await createUser();
    const { secret, recoveryCodes } = await enableMfa(owner.token);
    const mfaToken = await openChallenge(owner.user.username);
    const code = await pendingEmailChange(owner, recoveryCodes[0]);
    const asked = await call(forgot, 'POST', '/api/password/forgot', { json: { email: owner.user.email }, ip: uniqueIp() });
    const removed = await call(factor, 'DELETE', '/api/me/mfa/totp', {
      token: owner.token,
      json: { password: STRONG_PASSWORD, code: codeAt(secret) },
      ip: uniqueIp(),
    });
    expect(removed.status).toBe(204);
    expect((await confirmPending(code)).status).toBe(404);
    expect((await call(reset, 'POST', '/api/password/reset', { json: { token: asked.body.token, password: NEW_PASSWORD } })).status).toBe(
      404,
    );
    // A factor turned on again within the mfaToken's five minutes does not revive it.
    const again = await enableMfa(owner.token);
    expect((await secondStep(mfaToken, codeAt(again.secret))).status).toBe(401);
  });
});

describe('confirming an enrolment on an account whose factor is on', () => {
  it("is 409 each time, spending none of the owner's code attempts: the owner's second step still succeeds", async () => {
    const owner = await createUser();
    const { secret } = await enableMfa(owner.token);
    const ownLogin = await call(login, 'POST', '/api/login', { json: { username: owner.user.username, password: STRONG_PASSWORD } });
    const mfaToken = ownLogin.body.error.mfaToken as string;
    for (let i = 0; i < limitFor('mfa').count + 2; i++) {
      const res = await call(confirmFactor, 'POST', '/api/me/mfa/totp/confirm', { token: owner.token, json: { code: '123456' } });
      expect(res.status).toBe(409);
    }
    const res = await secondStep(mfaToken, codeAt(secret));
    expect(res.status).toBe(200);
  });
});
