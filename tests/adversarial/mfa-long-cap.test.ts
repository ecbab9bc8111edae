// Someone with the password guessing second-factor codes for days: the short
// window (RATE_LIMIT_MFA) alone let ~960 guesses a day through. Past the long
// cap (RATE_LIMIT_MFA_DAY) the second step is refused, right code or not, and
// stays refused when the windows end, until the owner proves the mailbox with
// a password reset. The owner hears of it once, by e-mail.
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import loginMfa from '../../netlify/functions/login-mfa.ts';
import login from '../../netlify/functions/login.ts';
import mfa from '../../netlify/functions/me-mfa-totp.ts';
import mePassword from '../../netlify/functions/me-password.ts';
import forgot from '../../netlify/functions/password-forgot.ts';
import reset from '../../netlify/functions/password-reset.ts';
import { setClock } from '../../src/config/clock.ts';
import { getDb } from '../../src/db/connection.ts';
import { limitFor } from '../../src/rate-limit/limits.ts';
import { useMailProvider } from '../support/accounts.ts';
import { call } from '../support/call.ts';
import { codeAt, enableMfa } from '../support/mfa.ts';
import { createUser, STRONG_PASSWORD, uniqueIp } from '../support/users.ts';
import { report, StatusCount } from './harness.ts';

const figures: Record<string, unknown> = {};
afterAll(() => report('second-factor long cap', figures));

let offset = 0;
/** The service's clock, `ms` further ahead. */
function advance(ms: number): void {
  offset += ms;
  const at = offset;
  setClock(() => new Date(Date.now() + at));
}
const serviceNow = () => Date.now() + offset;
afterEach(() => {
  offset = 0;
  setClock();
});

/** The password step, then one code, as a holder of the password would send them from anywhere. */
async function attempt(username: string, code: string, password = STRONG_PASSWORD) {
  const first = await call(login, 'POST', '/api/login', { json: { username, password }, ip: uniqueIp() });
  expect(first.status).toBe(403);
  return call(loginMfa, 'POST', '/api/login/mfa', { json: { mfaToken: first.body.error.mfaToken, code }, ip: uniqueIp() });
}

describe('wrong second-factor codes over days', () => {
  it('past the long cap the right code is refused, across windows, until a reset; the owner is told once', async () => {
    const short = limitFor('mfa');
    const long = limitFor('mfaDay');
    const { user, token } = await createUser();
    const { secret } = await enableMfa(token);
    const mail = useMailProvider();
    try {
      // Up to the cap, each short window used to its limit, then waited out.
      const guessing = new StatusCount();
      for (let guess = 0; guess < long.count; guess++) {
        if (guess > 0 && guess % short.count === 0) advance(short.windowMs + 1_000);
        guessing.add((await attempt(user.username, '000000')).status);
      }
      expect(guessing.counts).toEqual({ 401: long.count });

      // The next one is over the cap: refused though it is right, and the lock holds once every window has ended.
      const refused = new StatusCount();
      for (const wait of [0, short.windowMs + 1_000, long.windowMs + 1_000, 7 * long.windowMs]) {
        advance(wait);
        const res = await attempt(user.username, codeAt(secret, serviceNow()));
        expect([res.status, res.body.error.code, res.headers.get('retry-after')]).toEqual([429, 'mfa_locked', null]);
        expect(res.body.error.message).toMatch(/reset/);
        refused.add(res.status);
        if (wait === 0) {
          // Removing the factor with a session is a code guess too: locked as well, right code or not.
          const json = { password: STRONG_PASSWORD, code: codeAt(secret, serviceNow(), 1) };
          const removal = await call(mfa, 'DELETE', '/api/me/mfa/totp', { token, json });
          expect([removal.status, removal.body.error.code]).toEqual([429, 'mfa_locked']);
        }
      }
      const locks = mail.sent.filter((m) => m.body.subject === 'Two-step verification is locked on your account');
      expect(locks.map((m) => m.body.to)).toEqual([user.email]);
      expect(locks[0]!.body.text).toContain('/app/forgot');

      // The owner proves the mailbox: the reset token comes by e-mail.
      await call(forgot, 'POST', '/api/password/forgot', { json: { email: user.email }, ip: uniqueIp() });
      const resetToken = /token is: ([\w-]{43})/.exec(mail.sent.at(-1)!.body.text)![1]!;
      const newPassword = 'Granite-Meadow-58?';
      expect((await call(reset, 'POST', '/api/password/reset', { json: { token: resetToken, password: newPassword } })).status).toBe(200);
      const lock = await getDb().selectFrom('totp_factors').select('locked_at').where('user_id', '=', user.id).executeTakeFirstOrThrow();
      expect(lock.locked_at).toBeNull();
      // The long count starts again: one wrong code does not lock it again, and the right one logs in.
      expect((await attempt(user.username, '000000', newPassword)).status).toBe(401);
      advance(30_000);
      expect((await attempt(user.username, codeAt(secret, serviceNow()), newPassword)).status).toBe(200);

      figures['guesses before the lock'] = long.count;
      figures['right codes refused while locked, over 8 days'] = refused.counts;
    } finally {
      mail.restore();
    }
  });

  it("the owner's right codes give their hit back: more logins than the cap in a day lock nothing", async () => {
    const long = limitFor('mfaDay');
    const { user, token } = await createUser();
    const { secret } = await enableMfa(token);
    const statuses = new StatusCount();
    for (let i = 0; i < long.count + 5; i++) {
      advance(30_000);
      if (i % 10 === 0) statuses.add((await attempt(user.username, '000000')).status);
      statuses.add((await attempt(user.username, codeAt(secret, serviceNow()))).status);
    }
    expect(statuses.counts).toEqual({ 200: long.count + 5, 401: 4 });
    figures['owner logins in an hour, a typo every tenth'] = statuses.counts;
  });

  it("a stolen session's step-up codes count on the same long cap: past it the change and the owner's second step are locked", async () => {
    const short = limitFor('mfa');
    const long = limitFor('mfaDay');
    const { user, token } = await createUser();
    const { secret } = await enableMfa(token);
    const change = (code: string) =>
      call(mePassword, 'PUT', '/api/me/password', {
        token,
        json: { currentPassword: STRONG_PASSWORD, newPassword: 'Granite-Meadow-58?', code },
        ip: uniqueIp(),
      });
    const hashOf = async () =>
      (await getDb().selectFrom('users').select('password_hash').where('id', '=', user.id).executeTakeFirstOrThrow()).password_hash;
    const before = await hashOf();
    const guessing = new StatusCount();
    for (let guess = 0; guess < long.count; guess++) {
      if (guess > 0 && guess % short.count === 0) advance(short.windowMs + 1_000);
      guessing.add((await change('000000')).status);
    }
    expect(guessing.counts).toEqual({ 400: long.count });
    advance(short.windowMs + 1_000);
    const locked = await change(codeAt(secret, serviceNow()));
    expect([locked.status, locked.body.error.code]).toEqual([429, 'mfa_locked']);
    expect(await hashOf()).toBe(before);
    advance(30_000);
    const login = await attempt(user.username, codeAt(secret, serviceNow()));
    expect([login.status, login.body.error.code]).toEqual([429, 'mfa_locked']);
    figures['step-up guesses before the lock'] = guessing.counts;
  });
});
