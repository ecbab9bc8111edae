// A passkey as the login's second step after a password and as the step-up
// of the guarded changes: the happy paths, their statement counts against the
// declarations, and who is asked what (src/auth/passkeys/README.md).
import { describe, expect, it } from 'vitest';
import loginMfa from '../../netlify/functions/login-mfa.ts';
import secondStepOptions from '../../netlify/functions/login-mfa-passkey-options.ts';
import login from '../../netlify/functions/login.ts';
import currentSession from '../../netlify/functions/me-current-session.ts';
import events from '../../netlify/functions/me-events.ts';
import recoveryCodes from '../../netlify/functions/me-mfa-recovery-codes.ts';
import totp from '../../netlify/functions/me-mfa-totp.ts';
import password from '../../netlify/functions/me-password.ts';
import stepUpOptions from '../../netlify/functions/me-step-up-options.ts';
import me from '../../netlify/functions/me.ts';
import { getDb } from '../../src/db/connection.ts';
import { call } from '../support/call.ts';
import { envPerTest } from '../support/env.ts';
import { codeAt, enableMfa } from '../support/mfa.ts';
import { enrolPasskey, SoftAuthenticator, stepUpAssertion } from '../support/passkeys.ts';
import { measured, stated } from '../support/statements.ts';
import { createUser, STRONG_PASSWORD, uniqueIp } from '../support/users.ts';

envPerTest();

const NEW_PASSWORD = 'Granite-Meadow-58?';

/** An account with TOTP and one passkey. */
async function guarded(synced = false) {
  const account = await createUser();
  const { secret } = await enableMfa(account.token);
  const authenticator = new SoftAuthenticator(synced);
  const passkey = await enrolPasskey(account.token, authenticator);
  return { ...account, secret, authenticator, passkey };
}

/** The password step: the 403 mfa_required's error object. */
async function passwordStep(username: string, pass = STRONG_PASSWORD) {
  const res = await call(login, 'POST', '/api/login', { json: { username, password: pass }, ip: uniqueIp() });
  expect([res.status, res.body.error?.code]).toEqual([403, 'mfa_required']);
  return res.body.error as { mfaToken: string; methods: string[] };
}

const kinds = async (userId: number) =>
  (await getDb().selectFrom('security_events').select('kind').where('user_id', '=', userId).orderBy('id').execute()).map((e) => e.kind);

describe('a passkey as the second step after the password', () => {
  it("mfa_required names the methods; the options allow the account's passkeys; the answer opens an aal2 session (pwd + hwk)", async () => {
    const account = await guarded();
    const step = await passwordStep(account.user.username);
    expect(step.methods).toEqual(['totp', 'recovery_code', 'passkey']);

    const [optionsStatus, optionsStatements] = await measured(() =>
      call(secondStepOptions, 'POST', '/api/login/mfa/passkey/options', { json: { mfaToken: step.mfaToken } }),
    );
    expect([optionsStatus, optionsStatements]).toEqual([200, stated('login-mfa-passkey-options', 'POST')]);
    const options = (await call(secondStepOptions, 'POST', '/api/login/mfa/passkey/options', { json: { mfaToken: step.mfaToken } })).body
      .options;
    expect(options.allowCredentials).toEqual([{ id: account.authenticator.id, type: 'public-key', transports: ['internal'] }]);
    expect(options.userVerification).toBe('required');
    // Asking again replaced the first challenge: one open per ticket.
    const open = await getDb()
      .selectFrom('webauthn_challenges')
      .select(['challenge', 'purpose'])
      .where('user_id', '=', account.user.id)
      .execute();
    expect(open).toEqual([{ challenge: options.challenge, purpose: 'second_step' }]);

    const before = await kinds(account.user.id);
    const passkey = account.authenticator.assert(options.challenge);
    const [status, statements] = await measured(() =>
      call(loginMfa, 'POST', '/api/login/mfa', { json: { mfaToken: step.mfaToken, passkey }, ip: uniqueIp() }),
    );
    expect([status, statements]).toEqual([200, stated('login-mfa', 'POST')]);

    const row = await getDb()
      .selectFrom('passkeys')
      .select(['sign_count', 'last_used_at'])
      .where('id', '=', account.passkey.id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ sign_count: account.authenticator.counter, last_used_at: expect.any(Date) });
    // The code step's trail: the refused-step row of statement 1 became the login.
    expect((await kinds(account.user.id)).slice(before.length)).toEqual(['login_succeeded']);
    expect(await getDb().selectFrom('mfa_challenges').select('id').where('user_id', '=', account.user.id).execute()).toEqual([]);
  });

  it('the session is aal2 with amr pwd and swk for a synced passkey', async () => {
    const account = await guarded(true);
    const step = await passwordStep(account.user.username);
    const options = (await call(secondStepOptions, 'POST', '/api/login/mfa/passkey/options', { json: { mfaToken: step.mfaToken } })).body
      .options;
    const res = await call(loginMfa, 'POST', '/api/login/mfa', {
      json: { mfaToken: step.mfaToken, passkey: account.authenticator.assert(options.challenge) },
      ip: uniqueIp(),
    });
    expect(res.status).toBe(200);
    const session = await call(currentSession, 'GET', '/api/me/session', { token: res.body.token });
    expect([session.body.session.amr, session.body.session.aal]).toEqual([['pwd', 'swk'], 'aal2']);
  });

  it('the code step is unchanged beside it; code and passkey together are a 400', async () => {
    const account = await guarded();
    const step = await passwordStep(account.user.username);
    const options = (await call(secondStepOptions, 'POST', '/api/login/mfa/passkey/options', { json: { mfaToken: step.mfaToken } })).body
      .options;
    const both = await call(loginMfa, 'POST', '/api/login/mfa', {
      json: { mfaToken: step.mfaToken, code: codeAt(account.secret), passkey: account.authenticator.assert(options.challenge) },
      ip: uniqueIp(),
    });
    expect([both.status, both.body.error.code]).toEqual([400, 'validation_failed']);
    const code = await call(loginMfa, 'POST', '/api/login/mfa', { json: { mfaToken: step.mfaToken, code: codeAt(account.secret) } });
    expect(code.status).toBe(200);
    const session = await call(currentSession, 'GET', '/api/me/session', { token: code.body.token });
    expect(session.body.session.amr).toEqual(['pwd', 'otp']);
  });

  it('an account with TOTP and no passkey: methods without passkey, and the options are a 404', async () => {
    const { user, token } = await createUser();
    await enableMfa(token);
    const step = await passwordStep(user.username);
    expect(step.methods).toEqual(['totp', 'recovery_code']);
    const res = await call(secondStepOptions, 'POST', '/api/login/mfa/passkey/options', { json: { mfaToken: step.mfaToken } });
    expect(res.status).toBe(404);
  });

  it('an account with passkeys and no TOTP logs in with the password alone, at aal1', async () => {
    const { user, token } = await createUser();
    await enrolPasskey(token, new SoftAuthenticator());
    const res = await call(login, 'POST', '/api/login', { json: { username: user.username, password: STRONG_PASSWORD }, ip: uniqueIp() });
    expect(res.status).toBe(200);
    const session = await call(currentSession, 'GET', '/api/me/session', { token: res.body.token });
    expect([session.body.session.amr, session.body.session.aal]).toEqual([['pwd'], 'aal1']);
  });
});

describe('a passkey as the step-up', () => {
  it("POST /api/me/step-up/options: one statement, the account's passkeys allowed; 404 without a passkey", async () => {
    const account = await guarded();
    const [status, statements] = await measured(() => call(stepUpOptions, 'POST', '/api/me/step-up/options', { token: account.token }));
    expect([status, statements]).toEqual([200, stated('me-step-up-options', 'POST')]);
    const options = (await call(stepUpOptions, 'POST', '/api/me/step-up/options', { token: account.token })).body.options;
    expect(options.allowCredentials.map((c: { id: string }) => c.id)).toEqual([account.authenticator.id]);
    const open = await getDb()
      .selectFrom('webauthn_challenges')
      .select(['challenge', 'purpose'])
      .where('user_id', '=', account.user.id)
      .execute();
    expect(open).toEqual([{ challenge: options.challenge, purpose: 'step_up' }]);

    const bare = await createUser();
    expect((await call(stepUpOptions, 'POST', '/api/me/step-up/options', { token: bare.token })).status).toBe(404);
    expect((await call(stepUpOptions, 'POST', '/api/me/step-up/options')).status).toBe(401);
  });

  it('a password change takes a passkey instead of the code, in the statements it states; the passkey counter and last use move', async () => {
    const account = await guarded();
    const passkey = await stepUpAssertion(account.token, account.authenticator);
    const [status, statements] = await measured(() =>
      call(password, 'PUT', '/api/me/password', {
        token: account.token,
        json: { currentPassword: STRONG_PASSWORD, newPassword: NEW_PASSWORD, passkey },
      }),
    );
    expect([status, statements]).toEqual([200, stated('me-password', 'PUT')]);
    const row = await getDb()
      .selectFrom('passkeys')
      .select(['sign_count', 'last_used_at'])
      .where('id', '=', account.passkey.id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ sign_count: account.authenticator.counter, last_used_at: expect.any(Date) });
    expect(await getDb().selectFrom('webauthn_challenges').select('id').where('user_id', '=', account.user.id).execute()).toEqual([]);
  });

  it('code and passkey together are a 400; a wrong passkey is 400 details.passkey beside details.password', async () => {
    const account = await guarded();
    const passkey = await stepUpAssertion(account.token, account.authenticator);
    const both = await call(password, 'PUT', '/api/me/password', {
      token: account.token,
      json: { currentPassword: STRONG_PASSWORD, newPassword: NEW_PASSWORD, passkey, code: codeAt(account.secret) },
    });
    expect([both.status, both.body.error.code]).toEqual([400, 'validation_failed']);
    const wrong = await call(password, 'PUT', '/api/me/password', {
      token: account.token,
      json: {
        currentPassword: 'not the password',
        newPassword: NEW_PASSWORD,
        passkey: await stepUpAssertion(account.token, account.authenticator, { origin: 'https://evil.example' }),
      },
    });
    expect([wrong.status, wrong.body.error.details]).toEqual([400, { currentPassword: ['is not correct'], passkey: ['is not correct'] }]);
  });

  it('on an account with passkeys and no TOTP every guarded change asks for the passkey: 403 without, and a code will not do', async () => {
    const { user, token } = await createUser();
    const authenticator = new SoftAuthenticator();
    await enrolPasskey(token, authenticator);
    const change = (extra: object) =>
      call(password, 'PUT', '/api/me/password', { token, json: { currentPassword: STRONG_PASSWORD, newPassword: NEW_PASSWORD, ...extra } });
    const bare = await change({});
    expect([bare.status, bare.body.error.code]).toEqual([403, 'step_up_required']);
    const code = await change({ code: '123456' });
    expect([code.status, code.body.error.code, code.body.error.message]).toEqual([
      403,
      'step_up_required',
      expect.stringContaining('passkey'),
    ]);
    // Refused before the password is counted: the trail holds no failed attempt.
    expect(await kinds(user.id)).toEqual(['passkey_added']);
    expect((await change({ passkey: await stepUpAssertion(token, authenticator) })).status).toBe(200);

    // Deletion too, in the statements it states.
    const passkey = await stepUpAssertion(token, authenticator);
    const [status, statements] = await measured(() => call(me, 'DELETE', '/api/me', { token, json: { password: NEW_PASSWORD, passkey } }));
    expect([status, statements]).toEqual([204, stated('me', 'DELETE')]);
    expect(await getDb().selectFrom('passkeys').select('id').where('user_id', '=', user.id).execute()).toEqual([]);
  });

  it("the factor's removal and new recovery codes take a passkey; the removal records mfa_disabled", async () => {
    const account = await guarded();
    const renewed = await call(recoveryCodes, 'POST', '/api/me/mfa/recovery-codes', {
      token: account.token,
      json: { password: STRONG_PASSWORD, passkey: await stepUpAssertion(account.token, account.authenticator) },
    });
    expect([renewed.status, renewed.body.recoveryCodes.length]).toEqual([200, 10]);

    const passkey = await stepUpAssertion(account.token, account.authenticator);
    const [status, statements] = await measured(() =>
      call(totp, 'DELETE', '/api/me/mfa/totp', { token: account.token, json: { password: STRONG_PASSWORD, passkey } }),
    );
    expect([status, statements]).toEqual([204, stated('me-mfa-totp', 'DELETE')]);
    expect(await getDb().selectFrom('totp_factors').select('user_id').where('user_id', '=', account.user.id).execute()).toEqual([]);
    const trail = await call(events, 'GET', '/api/me/events', { token: account.token });
    expect(trail.body.items.map((item: { kind: string }) => item.kind)).toContain('mfa_disabled');
    // Without a factor the account keeps its passkey, which still guards it; the factor's routes are then 404.
    const again = await call(totp, 'DELETE', '/api/me/mfa/totp', {
      token: account.token,
      json: { password: STRONG_PASSWORD, passkey: await stepUpAssertion(account.token, account.authenticator) },
    });
    expect(again.status).toBe(404);
  });
});
