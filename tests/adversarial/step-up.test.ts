// The story this guards against: with a stolen session and the password, an
// attacker changed the e-mail of an account that has a second factor (the
// owner's other sessions ended, the attacker's stayed), changed its password,
// or deleted it, never asked for the factor. Each change that could take the
// account away now needs a current code of the factor in the same request,
// whatever the session's level; it is counted on the factor's counter and
// taken (used up) by the statement that writes.
import { describe, expect, it } from 'vitest';
import loginMfa from '../../netlify/functions/login-mfa.ts';
import login from '../../netlify/functions/login.ts';
import changeEmail from '../../netlify/functions/me-email.ts';
import renewCodes from '../../netlify/functions/me-mfa-recovery-codes.ts';
import factor from '../../netlify/functions/me-mfa-totp.ts';
import mePassword from '../../netlify/functions/me-password.ts';
import me from '../../netlify/functions/me.ts';
import { createSession } from '../../src/auth/sessions/sessions.ts';
import { getDb } from '../../src/db/connection.ts';
import { checks, limitFor } from '../../src/rate-limit/limits.ts';
import { call, type CallResult } from '../support/call.ts';
import { codeAt, enableMfa } from '../support/mfa.ts';
import { countStatements, measured } from '../support/statements.ts';
import { createUser, STRONG_PASSWORD, uniqueIp, uniqueName } from '../support/users.ts';

const NEW_PASSWORD = 'Granite-Meadow-58?';

type Change = (token: string, code: string | undefined, ip?: string, password?: string) => Promise<CallResult>;
const withCode = (code: string | undefined) => (code === undefined ? {} : { code });

/** The four changes of the story, by someone holding a session and the password. */
const CHANGES: Record<string, { change: Change; success: number }> = {
  'PUT /api/me/password': {
    change: (token, code, ip = uniqueIp(), password = STRONG_PASSWORD) =>
      call(mePassword, 'PUT', '/api/me/password', {
        token,
        json: { currentPassword: password, newPassword: NEW_PASSWORD === password ? `${NEW_PASSWORD}x` : NEW_PASSWORD, ...withCode(code) },
        ip,
      }),
    success: 200,
  },
  'POST /api/me/email': {
    change: (token, code, ip = uniqueIp(), password = STRONG_PASSWORD) =>
      call(changeEmail, 'POST', '/api/me/email', {
        token,
        json: { email: `${uniqueName('taker')}@example.net`, password, ...withCode(code) },
        ip,
      }),
    success: 202,
  },
  'DELETE /api/me': {
    change: (token, code, ip = uniqueIp()) =>
      call(me, 'DELETE', '/api/me', { token, json: { password: STRONG_PASSWORD, ...withCode(code) }, ip }),
    success: 204,
  },
  'DELETE /api/me/mfa/totp': {
    change: (token, code, ip = uniqueIp()) =>
      call(factor, 'DELETE', '/api/me/mfa/totp', { token, json: { password: STRONG_PASSWORD, ...withCode(code) }, ip }),
    success: 204,
  },
};

/** Everything of the account a change could write: its row, factor, codes, sessions, audit trail and counters (`ip`'s for the account). */
async function accountState(userId: number, ip = '192.0.2.1') {
  const db = getDb();
  const count = async (table: 'recovery_codes' | 'one_time_tokens' | 'sessions' | 'security_events') =>
    (
      await db
        .selectFrom(table)
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('user_id', '=', userId)
        .executeTakeFirstOrThrow()
    ).n;
  const counters = [checks.mfa(userId), checks.loginAccount(userId, ip), checks.loginAccountTotal(userId)].map((c) => c.bucket);
  return {
    user: await db.selectFrom('users').select(['email', 'password_hash']).where('id', '=', userId).executeTakeFirst(),
    factor: await db.selectFrom('totp_factors').select(['confirmed_at', 'last_used_step']).where('user_id', '=', userId).executeTakeFirst(),
    recoveryCodes: await count('recovery_codes'),
    codes: await count('one_time_tokens'),
    sessions: await count('sessions'),
    events: await db.selectFrom('security_events').select(['id', 'kind']).where('user_id', '=', userId).orderBy('id').execute(),
    counters: await db.selectFrom('rate_limits').select(['bucket', 'hits']).where('bucket', 'in', counters).orderBy('bucket').execute(),
  };
}

/** An account with a factor, and a second session of it: the one the attacker stole. */
async function ownerAndThief() {
  const owner = await createUser();
  const enrolled = await enableMfa(owner.token);
  const stolen = await createSession(owner.user.id);
  return { owner, ...enrolled, stolen: stolen.token };
}

describe('a stolen session and the password, without a code', () => {
  for (const [name, { change }] of Object.entries(CHANGES)) {
    it(`${name}: 403 step_up_required in 1 statement more than the limits, nothing written, the trail unchanged`, async () => {
      const { owner, stolen } = await ownerAndThief();
      const ip = uniqueIp();
      const before = await accountState(owner.user.id, ip);
      const [status, statements] = await measured(() => change(stolen, undefined, ip));
      expect(status).toBe(403);
      // The e-mail change counts its per-address and per-e-mail limits first, as before.
      expect(statements).toBe(name === 'POST /api/me/email' ? 2 : 1);
      const res = await change(stolen, undefined, ip);
      expect(res.body.error).toEqual({ code: 'step_up_required', message: expect.stringContaining('recovery code') });
      expect(await accountState(owner.user.id, ip)).toEqual(before);
    });
  }

  it('is refused the same from a session that gave a code at login (aal2): the code is asked for each change', async () => {
    const { owner, secret } = await ownerAndThief();
    const first = await call(login, 'POST', '/api/login', { json: { username: owner.user.username, password: STRONG_PASSWORD } });
    const second = await call(loginMfa, 'POST', '/api/login/mfa', { json: { mfaToken: first.body.error.mfaToken, code: codeAt(secret) } });
    expect(second.status).toBe(200);
    for (const { change } of Object.values(CHANGES)) expect((await change(second.body.token, undefined)).status).toBe(403);
  });
});

describe('with the code', () => {
  for (const [name, { change, success }] of Object.entries(CHANGES)) {
    it(`${name}: a current code of the app works, and the same code again is refused`, async () => {
      const { owner, secret, stolen } = await ownerAndThief();
      const code = codeAt(secret);
      expect((await change(stolen, code)).status).toBe(success);
      if (name.startsWith('DELETE')) return; // nothing left to replay it on
      const replayed = await change(stolen, code, uniqueIp(), name === 'PUT /api/me/password' ? NEW_PASSWORD : STRONG_PASSWORD);
      expect(replayed.status).toBe(400);
      expect(replayed.body.error.details).toEqual({ code: ['is not correct'] });
      // The account's factor took the code: its step is recorded, the counter holds the refused replay.
      const { factor: row, counters } = await accountState(owner.user.id);
      expect(row?.last_used_step).not.toBeNull();
      expect(counters).toContainEqual({ bucket: checks.mfa(owner.user.id).bucket, hits: 1 });
    });
  }

  it('a recovery code works once, and is gone after', async () => {
    const { owner, recoveryCodes, stolen } = await ownerAndThief();
    const [code] = recoveryCodes;
    expect((await CHANGES['PUT /api/me/password']!.change(stolen, code)).status).toBe(200);
    const again = await CHANGES['POST /api/me/email']!.change(stolen, code, uniqueIp(), NEW_PASSWORD);
    expect(again.status).toBe(400);
    expect(again.body.error.details).toEqual({ code: ['is not correct'] });
    const { recoveryCodes: left, events } = await accountState(owner.user.id);
    expect(left).toBe(recoveryCodes.length - 1);
    expect(events.map((e) => e.kind)).toEqual(expect.arrayContaining(['password_changed', 'recovery_code_used']));
  });

  it('a recovery code deletes the account as a code of the app does', async () => {
    const { owner, recoveryCodes, stolen } = await ownerAndThief();
    expect((await CHANGES['DELETE /api/me']!.change(stolen, recoveryCodes[3])).status).toBe(204);
    expect((await accountState(owner.user.id)).user).toBeUndefined();
  });

  it('a right password and a right code together clear nothing but what they proved: no mfa_failed row stays', async () => {
    const { owner, secret, stolen } = await ownerAndThief();
    expect((await CHANGES['POST /api/me/email']!.change(stolen, codeAt(secret))).status).toBe(202);
    const { events } = await accountState(owner.user.id);
    expect(events.map((e) => e.kind)).not.toContain('mfa_failed');
    expect(events.map((e) => e.kind)).toContain('email_change_requested');
  });
});

describe('wrong codes', () => {
  it("count on the factor's counter, with the login's second step: the 11th wrong one (RATE_LIMIT_MFA 10) is 429 with Retry-After, for the owner too", async () => {
    const { owner, secret, stolen } = await ownerAndThief();
    const limit = limitFor('mfa').count;
    const right = codeAt(secret);
    const wrong = right === '000000' ? '000001' : '000000';
    for (let i = 0; i < limit; i++) {
      const res = await CHANGES['PUT /api/me/password']!.change(stolen, wrong);
      expect(res.status).toBe(400);
      expect(res.body.error.details).toEqual({ code: ['is not correct'] });
    }
    const over = await CHANGES['PUT /api/me/password']!.change(stolen, wrong);
    expect(over.status).toBe(429);
    expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(0);
    // Over the limit even the right code is not checked.
    expect((await CHANGES['PUT /api/me/password']!.change(stolen, right)).status).toBe(429);
    const { counters, user, events } = await accountState(owner.user.id);
    expect(counters).toContainEqual({ bucket: checks.mfa(owner.user.id).bucket, hits: limit + 2 });
    // The trail keeps the attempts under the limit and the one that took it over, not the ones after.
    expect(events.filter((e) => e.kind === 'mfa_failed')).toHaveLength(limit + 1);
    expect(user?.password_hash).toBe(owner.user.password_hash);
    const first = await call(login, 'POST', '/api/login', { json: { username: owner.user.username, password: STRONG_PASSWORD } });
    const second = await call(loginMfa, 'POST', '/api/login/mfa', { json: { mfaToken: first.body.error.mfaToken, code: right } });
    expect(second.status).toBe(429);
  });

  it('a malformed code is a wrong one, counted: no second way to answer', async () => {
    const { owner, stolen } = await ownerAndThief();
    const res = await CHANGES['DELETE /api/me']!.change(stolen, 'not-a-code');
    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual({ code: ['is not correct'] });
    expect((await accountState(owner.user.id)).counters).toContainEqual({ bucket: checks.mfa(owner.user.id).bucket, hits: 1 });
  });
});

describe('an account without a second factor', () => {
  it('is asked for nothing: a code sent along is not checked or counted', async () => {
    const { user, token } = await createUser();
    const res = await CHANGES['PUT /api/me/password']!.change(token, '123456');
    expect(res.status).toBe(200);
    expect((await accountState(user.id)).counters.map((c) => c.bucket)).not.toContain(checks.mfa(user.id).bucket);
  });
});

describe('POST /api/me/mfa/recovery-codes', () => {
  const renew = (token: string, code?: string) =>
    call(renewCodes, 'POST', '/api/me/mfa/recovery-codes', {
      token,
      json: { password: STRONG_PASSWORD, ...withCode(code) },
      ip: uniqueIp(),
    });

  it('needs the code (403 without), then replaces every old code by ten new ones, in 2 statements', async () => {
    const { owner, secret, recoveryCodes, stolen } = await ownerAndThief();
    expect(await measured(() => renew(stolen))).toEqual([403, 1]);
    const { result: res, statements } = await countStatements(() => renew(owner.token, codeAt(secret)));
    expect([res.status, statements]).toEqual([200, 2]);
    expect(res.body.recoveryCodes).toHaveLength(10);
    expect((await accountState(owner.user.id)).recoveryCodes).toBe(10);
    // The old ones no longer prove anything; a new one does, once.
    expect((await renew(owner.token, recoveryCodes[0])).status).toBe(400);
    expect((await renew(owner.token, res.body.recoveryCodes[0])).status).toBe(200);
    expect((await renew(owner.token, res.body.recoveryCodes[0])).status).toBe(400);
  });

  it('is 404 on an account without a factor', async () => {
    const { token } = await createUser();
    expect((await renew(token)).status).toBe(404);
  });
});
