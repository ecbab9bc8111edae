// The second factor through the functions: enrolment, confirmation, login in
// two steps, recovery codes, removal, the limits and the missing key. Codes
// are computed by the test's own TOTP (tests/support/mfa.ts).
import { afterEach, describe, expect, it, vi } from 'vitest';
import classicSessions from '../../netlify/functions/classic-sessions.ts';
import loginMfa from '../../netlify/functions/login-mfa.ts';
import login from '../../netlify/functions/login.ts';
import confirm from '../../netlify/functions/me-mfa-totp-confirm.ts';
import enrol from '../../netlify/functions/me-mfa-totp.ts';
import me from '../../netlify/functions/me.ts';
import events from '../../netlify/functions/me-events.ts';
import forgot from '../../netlify/functions/password-forgot.ts';
import reset from '../../netlify/functions/password-reset.ts';
import { createSession } from '../../src/auth/sessions/sessions.ts';
import { setClock } from '../../src/config/clock.ts';
import { getDb } from '../../src/db/connection.ts';
import { call } from '../support/call.ts';
import { envPerTest } from '../support/env.ts';
import { captureLogs } from '../support/logs.ts';
import { codeAt, enableMfa, fromBase32 } from '../support/mfa.ts';
import { measured } from '../support/statements.ts';
import { createUser, STRONG_PASSWORD, uniqueIp } from '../support/users.ts';

afterEach(() => setClock());
const env = envPerTest();

/** Step 1 for an account with a factor: the mfaToken. */
async function mfaToken(username: string, ip = uniqueIp(), password = STRONG_PASSWORD): Promise<string> {
  const res = await call(login, 'POST', '/api/login', { json: { username, password }, ip });
  expect(res.status).toBe(403);
  expect(res.body).toEqual({
    error: {
      code: 'mfa_required',
      message: expect.any(String),
      mfaToken: expect.stringMatching(/^[\w-]{43}$/),
      // Recovery codes while any is left; no passkey on these accounts.
      methods: expect.arrayContaining(['totp']),
    },
  });
  expect(res.body.error.methods).not.toContain('passkey');
  return res.body.error.mfaToken;
}

const second = (mfaToken: string, code: string, ip = uniqueIp()) =>
  call(loginMfa, 'POST', '/api/login/mfa', { json: { mfaToken, code }, ip });

describe('enrolment', () => {
  it('POST /api/me/mfa/totp answers a base32 secret and its otpauth URI, stores it sealed, and enforces nothing yet', async () => {
    const { user, token } = await createUser();
    const res = await call(enrol, 'POST', '/api/me/mfa/totp', { token, json: { password: STRONG_PASSWORD } });
    expect(res.status).toBe(200);
    expect(res.body.secret).toMatch(/^[A-Z2-7]{32}$/);
    const uri = new URL(res.body.otpauthUri);
    expect(uri.protocol).toBe('otpauth:');
    expect(uri.host).toBe('totp');
    expect(decodeURIComponent(uri.pathname)).toBe(`/localhost:8888:${user.username}`);
    expect(Object.fromEntries(uri.searchParams)).toEqual({
      secret: res.body.secret,
      issuer: 'localhost:8888',
      algorithm: 'SHA1',
      digits: '6',
      period: '30',
    });

    const row = await getDb().selectFrom('totp_factors').selectAll().where('user_id', '=', user.id).executeTakeFirstOrThrow();
    expect(row.confirmed_at).toBeNull();
    expect(row.secret_sealed.includes(fromBase32(res.body.secret))).toBe(false);
    const plain = await call(login, 'POST', '/api/login', { json: { username: user.username, password: STRONG_PASSWORD }, ip: uniqueIp() });
    expect(plain.status).toBe(200);
  });

  it('a wrong password is 400 details.password, counted as a failed login from that address', async () => {
    const { user, token } = await createUser();
    const ip = uniqueIp();
    for (let i = 0; i < 10; i++) {
      const res = await call(enrol, 'POST', '/api/me/mfa/totp', { token, json: { password: 'Wrong-Password-1' }, ip });
      expect(res.status).toBe(400);
      expect(res.body.error.details).toEqual({ password: ['is not correct'] });
    }
    const limited = await call(enrol, 'POST', '/api/me/mfa/totp', { token, json: { password: STRONG_PASSWORD }, ip });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await call(login, 'POST', '/api/login', { json: { username: user.username, password: STRONG_PASSWORD }, ip })).status).toBe(
      429,
    );
  });

  it("the password counts on the account's counter across addresses too, as the password change does; a right one gives its hits back", async () => {
    const { user, token } = await createUser();
    const hits = async (bucket: string) =>
      (await getDb().selectFrom('rate_limits').select('hits').where('bucket', '=', bucket).executeTakeFirst())?.hits ?? 0;
    const ip = uniqueIp();
    expect((await call(enrol, 'POST', '/api/me/mfa/totp', { token, json: { password: 'Wrong-Password-1' }, ip })).status).toBe(400);
    expect((await call(enrol, 'POST', '/api/me/mfa/totp', { token, json: { password: 'Wrong-Password-1' }, ip: uniqueIp() })).status).toBe(
      400,
    );
    expect(await hits(`login_account_total:${user.id}`)).toBe(2);
    expect(await hits(`login_account:${user.id}:${ip}`)).toBe(1);
    expect((await call(enrol, 'POST', '/api/me/mfa/totp', { token, json: { password: STRONG_PASSWORD }, ip })).status).toBe(200);
    expect(await hits(`login_account_total:${user.id}`)).toBe(2);
    expect(await hits(`login_account:${user.id}:${ip}`)).toBe(1);
  });

  it('confirming needs a code of the secret; the right one turns it on with ten recovery codes and ends the other sessions', async () => {
    const { user, token } = await createUser();
    const other = await createSession(user.id);
    const { body } = await call(enrol, 'POST', '/api/me/mfa/totp', { token, json: { password: STRONG_PASSWORD } });
    const wrong = await call(confirm, 'POST', '/api/me/mfa/totp/confirm', { token, json: { code: codeAt(body.secret, Date.now(), 3) } });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.details).toEqual({ code: ['is not correct'] });
    const res = await call(confirm, 'POST', '/api/me/mfa/totp/confirm', { token, json: { code: codeAt(body.secret) } });
    expect(res.status).toBe(200);
    expect(res.body.revokedSessions).toBe(1);
    expect(res.body.recoveryCodes).toHaveLength(10);
    expect(new Set(res.body.recoveryCodes).size).toBe(10);
    for (const code of res.body.recoveryCodes) expect(code).toMatch(/^[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}$/);
    expect((await call(me, 'GET', '/api/me', { token: other.token })).status).toBe(401);
    expect((await call(me, 'GET', '/api/me', { token })).status).toBe(200);
    const stored = await getDb().selectFrom('recovery_codes').select('code_hash').where('user_id', '=', user.id).execute();
    expect(stored).toHaveLength(10);
    for (const { code_hash } of stored) expect(res.body.recoveryCodes.some((c: string) => code_hash.includes(Buffer.from(c)))).toBe(false);
    // On now: enrolling again is refused, and so is confirming twice.
    expect((await call(enrol, 'POST', '/api/me/mfa/totp', { token, json: { password: STRONG_PASSWORD } })).status).toBe(409);
    expect((await call(confirm, 'POST', '/api/me/mfa/totp/confirm', { token, json: { code: codeAt(body.secret) } })).body.error.code).toBe(
      'mfa_already_enabled',
    );
  });

  it('revokeOtherSessions: false keeps them; confirming without an enrolment is 404', async () => {
    const { user, token } = await createUser();
    const other = await createSession(user.id);
    const none = await call(confirm, 'POST', '/api/me/mfa/totp/confirm', { token, json: { code: '123456' } });
    expect(none.status).toBe(404);
    const { body } = await call(enrol, 'POST', '/api/me/mfa/totp', { token, json: { password: STRONG_PASSWORD } });
    const res = await call(confirm, 'POST', '/api/me/mfa/totp/confirm', {
      token,
      form: { code: codeAt(body.secret), revokeOtherSessions: 'false' },
    });
    expect(res.status).toBe(200);
    expect(res.body.revokedSessions).toBe(0);
    expect((await call(me, 'GET', '/api/me', { token: other.token })).status).toBe(200);
  });

  it('starting again replaces a pending secret: codes of the old one no longer confirm', async () => {
    const { token } = await createUser();
    const first = await call(enrol, 'POST', '/api/me/mfa/totp', { token, json: { password: STRONG_PASSWORD } });
    const again = await call(enrol, 'POST', '/api/me/mfa/totp', { token, json: { password: STRONG_PASSWORD } });
    expect(again.body.secret).not.toBe(first.body.secret);
    expect((await call(confirm, 'POST', '/api/me/mfa/totp/confirm', { token, json: { code: codeAt(first.body.secret) } })).status).toBe(
      400,
    );
    expect((await call(confirm, 'POST', '/api/me/mfa/totp/confirm', { token, json: { code: codeAt(again.body.secret) } })).status).toBe(
      200,
    );
  });
});

describe('login with a second factor', () => {
  it('the right password answers 403 mfa_required with an mfaToken; a code makes it the same 200 as POST /api/login', async () => {
    const { user, token } = await createUser();
    const { secret } = await enableMfa(token);
    const res = await second(await mfaToken(user.username), codeAt(secret));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      token: expect.any(String),
      tokenType: 'Bearer',
      expiresAt: expect.any(String),
      user: { id: user.id, username: user.username, email: user.email, confirmed: true, createdAt: user.created_at.toISOString() },
    });
    expect(res.headers.get('set-cookie')).toMatch(/^session_id=[\w.-]+; HttpOnly; SameSite=Lax; Path=\/; Max-Age=\d+$/);
    expect((await call(me, 'GET', '/api/me', { token: res.body.token })).status).toBe(200);
    // Only the completed login makes its address a known one (the password step does not).
    const ip = uniqueIp();
    const known = async () =>
      (await getDb().selectFrom('known_addresses').select('address').where('user_id', '=', user.id).execute()).map((r) => r.address);
    const t = await mfaToken(user.username, ip);
    expect(await known()).not.toContain(ip);
    expect((await second(t, codeAt(secret, Date.now(), 1), ip)).status).toBe(200);
    expect(await known()).toContain(ip);
    // A wrong password stays the ordinary 401: the factor is only asked of who knows the password.
    const wrong = await call(login, 'POST', '/api/login', {
      json: { username: user.username, password: 'Wrong-Password-1' },
      ip: uniqueIp(),
    });
    expect(wrong.body.error.code).toBe('invalid_credentials');
  });

  it('the classic POST /sessions answers 401 for such an account, and opens no session', async () => {
    const { user, token } = await createUser();
    await enableMfa(token);
    const before = await getDb().selectFrom('sessions').select('id').where('user_id', '=', user.id).execute();
    const res = await call(classicSessions, 'POST', '/sessions', {
      form: { email: user.email, password: STRONG_PASSWORD },
      ip: uniqueIp(),
    });
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ message: expect.stringContaining('second factor') });
    expect(res.headers.get('set-cookie')).toBeNull();
    expect(await getDb().selectFrom('sessions').select('id').where('user_id', '=', user.id).execute()).toEqual(before);
  });

  it('a form posted to POST /api/login/mfa from another origin is 403 (login CSRF), and spends nothing', async () => {
    const { user, token } = await createUser();
    const { secret } = await enableMfa(token);
    const t = await mfaToken(user.username);
    const res = await call(loginMfa, 'POST', '/api/login/mfa', {
      form: { mfaToken: t, code: codeAt(secret) },
      headers: { origin: 'https://evil.example' },
    });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('forbidden');
    expect((await second(t, codeAt(secret))).status).toBe(200);
  });

  it('a code is accepted within one step either side, only once, and never for an earlier step', async () => {
    const { user, token } = await createUser();
    const { secret } = await enableMfa(token);
    const start = Date.now() + 120_000;
    setClock(() => new Date(start));
    expect((await second(await mfaToken(user.username), codeAt(secret, start, 2))).body.error.code).toBe('invalid_mfa_code');
    expect((await second(await mfaToken(user.username), codeAt(secret, start, -2))).body.error.code).toBe('invalid_mfa_code');
    expect((await second(await mfaToken(user.username), codeAt(secret, start, -1))).status).toBe(200);
    // Replayed with a fresh token: refused.
    expect((await second(await mfaToken(user.username), codeAt(secret, start, -1))).body.error.code).toBe('invalid_mfa_code');
    expect((await second(await mfaToken(user.username), codeAt(secret, start, 1))).status).toBe(200);
    // The current step's code comes before the step just used: refused too.
    expect((await second(await mfaToken(user.username), codeAt(secret, start))).body.error.code).toBe('invalid_mfa_code');
  });

  it('a replayed code is refused by the check before any statement acts: 1 statement, as for a wrong code', async () => {
    const { user, token } = await createUser();
    const { secret } = await enableMfa(token);
    const code = codeAt(secret);
    expect((await second(await mfaToken(user.username), code)).status).toBe(200);
    const t = await mfaToken(user.username);
    // The statement that acts would refuse it too (its compare-and-set), but only as a second statement.
    const replayed = second(t, code);
    expect(await measured(() => replayed)).toEqual([401, 1]);
    expect((await replayed).body.error.code).toBe('invalid_mfa_code');
  });

  it('a recovery code works once, in any case and with or without dashes', async () => {
    const { user, token } = await createUser();
    const { recoveryCodes } = await enableMfa(token);
    const typed = recoveryCodes[3]!.replace(/-/g, ' ').toUpperCase();
    expect((await second(await mfaToken(user.username), typed)).status).toBe(200);
    expect((await second(await mfaToken(user.username), recoveryCodes[3]!)).body.error.code).toBe('invalid_mfa_code');
    expect((await second(await mfaToken(user.username), recoveryCodes[4]!)).status).toBe(200);
    expect(await getDb().selectFrom('recovery_codes').select('code_hash').where('user_id', '=', user.id).execute()).toHaveLength(8);
  });

  it('an mfaToken is single use, allows 5 tries and lives 5 minutes', async () => {
    const { user, token } = await createUser();
    const { secret } = await enableMfa(token);
    const used = await mfaToken(user.username);
    expect((await second(used, codeAt(secret))).status).toBe(200);
    expect((await second(used, codeAt(secret, Date.now(), 1))).body.error.code).toBe('mfa_token_invalid');

    const tried = await mfaToken(user.username);
    for (let i = 0; i < 5; i++) expect((await second(tried, '000000')).body.error.code).toBe('invalid_mfa_code');
    expect((await second(tried, codeAt(secret, Date.now(), 1))).body.error.code).toBe('mfa_token_invalid');

    const late = await mfaToken(user.username);
    const at = Date.now() + 5 * 60_000 + 1_000;
    setClock(() => new Date(at));
    const res = await second(late, codeAt(secret, at));
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('mfa_token_invalid');
    expect((await second('A'.repeat(43), codeAt(secret, at))).body.error.code).toBe('mfa_token_invalid');
  });

  it('wrong codes count on the account from every address; a right code clears the count', async () => {
    const { user, token } = await createUser();
    const { secret } = await enableMfa(token);
    for (let i = 0; i < 2; i++) {
      const t = await mfaToken(user.username);
      for (let j = 0; j < 5; j++) expect((await second(t, '000000', uniqueIp())).status).toBe(401);
    }
    const limited = await second(await mfaToken(user.username), codeAt(secret));
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    setClock(() => new Date(Date.now() + 15 * 60_000 + 1_000));
    expect((await second(await mfaToken(user.username), codeAt(secret, Date.now() + 15 * 60_000 + 1_000))).status).toBe(200);
    const counter = await getDb().selectFrom('rate_limits').select('hits').where('bucket', '=', `mfa:${user.id}`).executeTakeFirst();
    expect(counter).toBeUndefined();
  });

  it('a password reset neither removes nor bypasses the factor', async () => {
    const { user, token } = await createUser();
    const { secret } = await enableMfa(token);
    const issued = await call(forgot, 'POST', '/api/password/forgot', { json: { email: user.email }, ip: uniqueIp() });
    const newPassword = 'Granite-Meadow-58?';
    expect((await call(reset, 'POST', '/api/password/reset', { json: { token: issued.body.token, password: newPassword } })).status).toBe(
      200,
    );
    const step = await mfaToken(user.username, uniqueIp(), newPassword);
    expect((await second(step, codeAt(secret))).status).toBe(200);
    expect(
      await getDb().selectFrom('totp_factors').select('confirmed_at').where('user_id', '=', user.id).executeTakeFirstOrThrow(),
    ).toEqual({
      confirmed_at: expect.any(Date),
    });
  });
});

describe('the audit trail', () => {
  it('records enabling, a refused code, a recovery code used, the completed login and disabling, and the password step alone as nothing', async () => {
    const { user, token } = await createUser();
    const kinds = async () =>
      (await getDb().selectFrom('security_events').select('kind').where('user_id', '=', user.id).orderBy('id').execute()).map(
        (e) => e.kind,
      );
    const { secret, recoveryCodes } = await enableMfa(token);
    expect(await kinds()).toEqual(['mfa_enabled']);
    const t = await mfaToken(user.username);
    expect(await kinds()).toEqual(['mfa_enabled']);
    expect((await second(t, '000000')).status).toBe(401);
    expect((await second(t, recoveryCodes[0]!)).status).toBe(200);
    expect(
      (await call(enrol, 'DELETE', '/api/me/mfa/totp', { token, json: { password: STRONG_PASSWORD, code: codeAt(secret) } })).status,
    ).toBe(204);
    expect(await kinds()).toEqual(['mfa_enabled', 'mfa_failed', 'login_succeeded', 'recovery_code_used', 'mfa_disabled']);
    // The owner reads them too, newest first, as the document describes them.
    const listed = await call(events, 'GET', '/api/me/events', { token });
    expect(listed.status).toBe(200);
    expect(listed.body.items.map((e: { kind: string }) => e.kind).slice(0, 5)).toEqual([
      'mfa_disabled',
      'recovery_code_used',
      'login_succeeded',
      'mfa_failed',
      'mfa_enabled',
    ]);
  });
});

describe('DELETE /api/me/mfa/totp', () => {
  it('needs the password and a code; every wrong one is listed; then login needs the password only', async () => {
    const { user, token } = await createUser();
    const { secret } = await enableMfa(token);
    const bad = await call(enrol, 'DELETE', '/api/me/mfa/totp', { token, json: { password: 'Wrong-Password-1', code: '000000' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details).toEqual({ password: ['is not correct'], code: ['is not correct'] });
    const res = await call(enrol, 'DELETE', '/api/me/mfa/totp', { token, json: { password: STRONG_PASSWORD, code: codeAt(secret) } });
    expect(res.status).toBe(204);
    expect(await getDb().selectFrom('recovery_codes').select('code_hash').where('user_id', '=', user.id).execute()).toEqual([]);
    const plain = await call(login, 'POST', '/api/login', { json: { username: user.username, password: STRONG_PASSWORD }, ip: uniqueIp() });
    expect(plain.status).toBe(200);
    expect(
      (await call(enrol, 'DELETE', '/api/me/mfa/totp', { token, json: { password: STRONG_PASSWORD, code: codeAt(secret) } })).status,
    ).toBe(404);
  });

  it('a recovery code will do instead of the app', async () => {
    const { token } = await createUser();
    const { recoveryCodes } = await enableMfa(token);
    const res = await call(enrol, 'DELETE', '/api/me/mfa/totp', { token, json: { password: STRONG_PASSWORD, code: recoveryCodes[0] } });
    expect(res.status).toBe(204);
  });
});

describe('without MFA_ENCRYPTION_KEY', () => {
  it('the second-factor endpoints answer 503 and log the variable; logins without a factor are unaffected', async () => {
    const { user, token } = await createUser();
    env({ MFA_ENCRYPTION_KEY: undefined });
    const logs = captureLogs();
    const answers = [
      await call(enrol, 'POST', '/api/me/mfa/totp', { token, json: { password: STRONG_PASSWORD } }),
      await call(confirm, 'POST', '/api/me/mfa/totp/confirm', { token, json: { code: '123456' } }),
      await call(enrol, 'DELETE', '/api/me/mfa/totp', { token, json: { password: STRONG_PASSWORD, code: '123456' } }),
      await second('A'.repeat(43), '123456'),
    ];
    for (const res of answers) expect(res.body).toEqual({ error: { code: 'mfa_unavailable', message: expect.any(String) } });
    expect(answers.map((res) => res.status)).toEqual([503, 503, 503, 503]);
    expect(logs.of('mfa_unavailable').map((line) => line.variable)).toEqual(Array(4).fill('MFA_ENCRYPTION_KEY'));
    logs.restore();
    expect(
      (await call(login, 'POST', '/api/login', { json: { username: user.username, password: STRONG_PASSWORD }, ip: uniqueIp() })).status,
    ).toBe(200);
  });

  it('a malformed key is refused naming the variable', async () => {
    const { token } = await createUser();
    env({ MFA_ENCRYPTION_KEY: 'c2hvcnQ=' });
    const logs = captureLogs();
    const res = await call(enrol, 'POST', '/api/me/mfa/totp', { token, json: { password: STRONG_PASSWORD } });
    expect(res.status).toBe(500);
    expect(logs.lines().some((line) => JSON.stringify(line).includes('MFA_ENCRYPTION_KEY must be 32 bytes'))).toBe(true);
    logs.restore();
  });
});

describe('statements', () => {
  it('each operation runs the number its header states', async () => {
    const { user, token } = await createUser();
    const ip = uniqueIp();
    expect(await measured(() => call(enrol, 'POST', '/api/me/mfa/totp', { token, json: { password: 'Wrong-Password-1' }, ip }))).toEqual([
      400, 1,
    ]);
    const started = await call(enrol, 'POST', '/api/me/mfa/totp', { token, json: { password: STRONG_PASSWORD }, ip });
    expect(await measured(() => call(enrol, 'POST', '/api/me/mfa/totp', { token, json: { password: STRONG_PASSWORD }, ip }))).toEqual([
      200, 2,
    ]);
    const { body } = await call(enrol, 'POST', '/api/me/mfa/totp', { token, json: { password: STRONG_PASSWORD }, ip });
    expect(started.status).toBe(200);
    expect(
      await measured(() =>
        call(confirm, 'POST', '/api/me/mfa/totp/confirm', { token, json: { code: codeAt(body.secret, Date.now(), 4) } }),
      ),
    ).toEqual([400, 1]);
    const confirmed = call(confirm, 'POST', '/api/me/mfa/totp/confirm', { token, json: { code: codeAt(body.secret, Date.now(), -1) } });
    expect(await measured(() => confirmed)).toEqual([200, 2]);
    const { recoveryCodes } = (await confirmed).body;

    expect(
      await measured(() => call(login, 'POST', '/api/login', { json: { username: user.username, password: STRONG_PASSWORD }, ip })),
    ).toEqual([403, 2]);
    const t = await mfaToken(user.username, ip);
    expect(await measured(() => second(t, '000000'))).toEqual([401, 1]);
    expect(await measured(() => second(t, codeAt(body.secret)))).toEqual([200, 2]);
    expect(
      await measured(() => call(classicSessions, 'POST', '/sessions', { form: { email: user.email, password: STRONG_PASSWORD }, ip })),
    ).toEqual([401, 2]);
    expect(
      await measured(() => call(enrol, 'DELETE', '/api/me/mfa/totp', { token, json: { password: STRONG_PASSWORD, code: '000000' } })),
    ).toEqual([400, 1]);
    expect(
      await measured(() =>
        call(enrol, 'DELETE', '/api/me/mfa/totp', { token, json: { password: STRONG_PASSWORD, code: recoveryCodes[0] } }),
      ),
    ).toEqual([204, 2]);
    env({ MFA_ENCRYPTION_KEY: undefined });
    const quiet = vi.spyOn(console, 'error').mockImplementation(() => {});
    expect(await measured(() => second(t, '000000'))).toEqual([503, 0]);
    quiet.mockRestore();
  });
});
