// Adding a factor is a guarded change. A passkey signs in without the password
// at aal2, serves as the step-up and survives the owner's reset; a TOTP code is
// a step-up too. So a stolen session alone must not add a passkey, and a
// session with the password must not add either factor around the step-up of
// the factors the account already has.
import { describe, expect, it } from 'vitest';
import classicSessions from '../../netlify/functions/classic-sessions.ts';
import signInFinish from '../../netlify/functions/login-passkey.ts';
import signInStart from '../../netlify/functions/login-passkey-options.ts';
import totp from '../../netlify/functions/me-mfa-totp.ts';
import options from '../../netlify/functions/me-passkeys-options.ts';
import passkeys from '../../netlify/functions/me-passkeys.ts';
import me from '../../netlify/functions/me.ts';
import forgot from '../../netlify/functions/password-forgot.ts';
import reset from '../../netlify/functions/password-reset.ts';
import { getDb } from '../../src/db/connection.ts';
import { checks } from '../../src/rate-limit/limits.ts';
import { call } from '../support/call.ts';
import { sessionCookieOf } from '../support/classic.ts';
import { enableMfa } from '../support/mfa.ts';
import { enrolPasskey, SoftAuthenticator, stepUpAssertion } from '../support/passkeys.ts';
import { measured } from '../support/statements.ts';
import { createUser, STRONG_PASSWORD, uniqueIp } from '../support/users.ts';

const NEW_PASSWORD = 'Copper-Lantern-26#';

const startPasskey = (token: string, json?: object, ip = uniqueIp()) =>
  call(options, 'POST', '/api/me/passkeys/options', { token, ip, ...(json && { json }) });
const startTotp = (token: string, json: object) => call(totp, 'POST', '/api/me/mfa/totp', { token, json, ip: uniqueIp() });

const registrationChallenges = async (userId: number) =>
  (await getDb().selectFrom('webauthn_challenges').select('id').where('user_id', '=', userId).where('purpose', '=', 'register').execute())
    .length;
const hits = async (bucket: string) =>
  (await getDb().selectFrom('rate_limits').select('hits').where('bucket', '=', bucket).executeTakeFirst())?.hits ?? 0;

describe('a stolen session alone', () => {
  it('cannot start a passkey enrolment: 400 details.password, the wrong one counted, no challenge written', async () => {
    const { user, token } = await createUser();
    const bare = await startPasskey(token);
    expect([bare.status, Object.keys(bare.body.error.details)]).toEqual([400, ['password']]);
    const ip = uniqueIp();
    const [status, statements] = await measured(() => startPasskey(token, { password: 'Guess-1-Aa!x' }, ip));
    expect([status, statements]).toEqual([400, 1]);
    expect(await hits(checks.loginAccount(user.id, ip).bucket)).toBe(1);
    expect(await registrationChallenges(user.id)).toBe(0);
  });

  it("cannot plant a passkey that outlives the owner's reset: the planting is refused, and the owner's reset leaves the attacker nothing", async () => {
    const victim = await createUser();
    const planted = new SoftAuthenticator();
    // The attacker holds the session, not the password: no options, so nothing to register.
    for (const json of [undefined, { password: 'Guess-2-Aa!x' }]) expect((await startPasskey(victim.token, json)).status).toBe(400);
    const forged = planted.register({ challenge: Buffer.alloc(32, 7).toString('base64url') });
    expect((await call(passkeys, 'POST', '/api/me/passkeys', { token: victim.token, json: { response: forged } })).status).toBe(400);

    const asked = await call(forgot, 'POST', '/api/password/forgot', { json: { email: victim.user.email }, ip: uniqueIp() });
    expect((await call(reset, 'POST', '/api/password/reset', { json: { token: asked.body.token, password: NEW_PASSWORD } })).status).toBe(
      200,
    );
    expect(await getDb().selectFrom('passkeys').select('id').where('user_id', '=', victim.user.id).execute()).toEqual([]);
    const started = await call(signInStart, 'POST', '/api/login/passkey/options', { ip: uniqueIp() });
    const signIn = await call(signInFinish, 'POST', '/api/login/passkey', {
      json: { response: planted.assert(started.body.options.challenge) },
      ip: uniqueIp(),
    });
    expect([signIn.status, signIn.body.error.code]).toEqual([401, 'passkey_invalid']);
  });
});

describe('a session and the password, on an account with TOTP', () => {
  it('without a code is 403 step_up_required, nothing counted; with a wrong one 400 details.code, counted on the factor', async () => {
    const { user, token } = await createUser();
    await enableMfa(token);
    const ip = uniqueIp();
    const bare = await startPasskey(token, { password: STRONG_PASSWORD }, ip);
    expect([bare.status, bare.body.error.code]).toEqual([403, 'step_up_required']);
    expect(await hits(checks.loginAccount(user.id, ip).bucket)).toBe(0);

    const [status, statements] = await measured(() => startPasskey(token, { password: STRONG_PASSWORD, code: '000000' }));
    expect([status, statements]).toEqual([400, 1]);
    const wrong = await startPasskey(token, { password: STRONG_PASSWORD, code: '000001' });
    expect(wrong.body.error.details).toEqual({ code: ['is not correct'] });
    expect(await hits(checks.mfa(user.id).bucket)).toBe(2);
    expect(await registrationChallenges(user.id)).toBe(0);
  });
});

describe('a session and the password, on an account with passkeys and no TOTP', () => {
  it('TOTP enrolment without a passkey answer is 403 step_up_required (no code stands in), with one 200', async () => {
    const { user, token } = await createUser();
    const authenticator = new SoftAuthenticator();
    await enrolPasskey(token, authenticator);
    const bare = await startTotp(token, { password: STRONG_PASSWORD });
    expect([bare.status, bare.body.error.code]).toEqual([403, 'step_up_required']);
    expect((await startTotp(token, { password: STRONG_PASSWORD, code: '123456' })).status).toBe(400);
    expect(await getDb().selectFrom('totp_factors').select('user_id').where('user_id', '=', user.id).execute()).toEqual([]);
    const passkey = await stepUpAssertion(token, authenticator);
    expect((await startTotp(token, { password: STRONG_PASSWORD, passkey })).status).toBe(200);
    // The same answer again: its challenge was taken.
    const replay = await startTotp(token, { password: STRONG_PASSWORD, passkey });
    expect([replay.status, replay.body.error.details]).toEqual([400, { passkey: ['is not correct'] }]);
  });

  it('a step-up answer serves one passkey enrolment: replayed, refused', async () => {
    const { user, token } = await createUser();
    const authenticator = new SoftAuthenticator();
    await enrolPasskey(token, authenticator);
    const passkey = await stepUpAssertion(token, authenticator);
    expect((await startPasskey(token, { password: STRONG_PASSWORD, passkey })).status).toBe(200);
    const replay = await startPasskey(token, { password: STRONG_PASSWORD, passkey });
    expect([replay.status, replay.body.error.details]).toEqual([400, { passkey: ['is not correct'] }]);
    expect(await registrationChallenges(user.id)).toBe(1);
  });

  it('two enrolment starts at once with one step-up challenge: one wins', async () => {
    const { user, token } = await createUser();
    const authenticator = new SoftAuthenticator();
    await enrolPasskey(token, authenticator);
    const passkey = await stepUpAssertion(token, authenticator);
    const answers = await Promise.all([0, 1].map(() => startPasskey(token, { password: STRONG_PASSWORD, passkey })));
    expect(answers.map((res) => res.status).sort()).toEqual([200, 400]);
    expect(answers.find((res) => res.status === 400)!.body.error.details).toEqual({ passkey: ['is not correct'] });
    expect(await registrationChallenges(user.id)).toBe(1);
  });
});

describe('what stays as it was', () => {
  it("deletion needs the password and the passkey's step-up as before; the classic routes sign in an account with a passkey", async () => {
    const { user, token } = await createUser();
    const authenticator = new SoftAuthenticator();
    await enrolPasskey(token, authenticator);
    const classic = await call(classicSessions, 'POST', '/sessions', {
      form: { email: user.email, password: STRONG_PASSWORD },
      ip: uniqueIp(),
    });
    expect(sessionCookieOf(classic.headers)).toMatch(/^session_id=/);
    expect((await call(me, 'DELETE', '/api/me', { token, json: { password: STRONG_PASSWORD }, ip: uniqueIp() })).status).toBe(403);
    const passkey = await stepUpAssertion(token, authenticator);
    expect((await call(me, 'DELETE', '/api/me', { token, json: { password: STRONG_PASSWORD, passkey }, ip: uniqueIp() })).status).toBe(204);
  });
});
