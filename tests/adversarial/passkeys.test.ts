// Attacks on the passkeys, with answers a software authenticator makes
// (tests/support/passkeys.ts) and then changes one thing: a replayed
// challenge, an assertion for another account, a wrong origin or RP ID, a
// sign counter that goes backwards, malformed CBOR and oversized fields, and
// a race of assertions on one challenge; refused assertions spending the
// address's login attempts. Each refusal opens no session and writes no
// passkey.
import { describe, expect, it } from 'vitest';
import login from '../../netlify/functions/login.ts';
import signInFinish from '../../netlify/functions/login-passkey.ts';
import signInStart from '../../netlify/functions/login-passkey-options.ts';
import options from '../../netlify/functions/me-passkeys-options.ts';
import passkeys from '../../netlify/functions/me-passkeys.ts';
import { getDb } from '../../src/db/connection.ts';
import { call } from '../support/call.ts';
import { envPerTest } from '../support/env.ts';
import { cbor, enrolPasskey, SoftAuthenticator, stepUpAssertion } from '../support/passkeys.ts';
import { createUser, STRONG_PASSWORD, uniqueIp } from '../support/users.ts';
import { envCount, report } from './harness.ts';

const setEnv = envPerTest();

const challenge = async () =>
  (await call(signInStart, 'POST', '/api/login/passkey/options', { ip: uniqueIp() })).body.options.challenge as string;
const signIn = (response: unknown) => call(signInFinish, 'POST', '/api/login/passkey', { json: { response }, ip: uniqueIp() });

async function sessionsOf(userId: number): Promise<number> {
  return (await getDb().selectFrom('sessions').select('id').where('user_id', '=', userId).execute()).length;
}

/** An account with one passkey, and its session count before the attack. */
async function enrolled(synced = false) {
  const owner = await createUser();
  const authenticator = new SoftAuthenticator(synced);
  await enrolPasskey(owner.token, authenticator);
  return { owner, authenticator, sessions: await sessionsOf(owner.user.id) };
}

function expectRefused(res: { status: number; body: { error: { code: string } } }) {
  expect([res.status, res.body.error.code]).toEqual([401, 'passkey_invalid']);
}

describe('passkey sign-in', () => {
  it('a replayed answer (its challenge already used) is refused', async () => {
    const { owner, authenticator, sessions } = await enrolled();
    const answer = authenticator.assert(await challenge());
    expect((await signIn(answer)).status).toBe(200);
    expectRefused(await signIn(answer));
    // The same challenge signed again, with a counter that did move: still used up.
    expectRefused(
      await signIn(authenticator.assert(JSON.parse(Buffer.from(answer.response.clientDataJSON, 'base64url').toString()).challenge)),
    );
    expect(await sessionsOf(owner.user.id)).toBe(sessions + 1);
  });

  it('an expired challenge is refused', async () => {
    const { authenticator } = await enrolled();
    const text = await challenge();
    await getDb()
      .updateTable('webauthn_challenges')
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where('challenge', '=', text)
      .execute();
    expectRefused(await signIn(authenticator.assert(text)));
  });

  it("an assertion for another account: another passkey's id with this key's signature, or another account's user handle", async () => {
    const victim = await enrolled();
    const attacker = await enrolled();
    const signed = attacker.authenticator.assert(await challenge());
    expectRefused(await signIn({ ...signed, id: victim.authenticator.id, rawId: victim.authenticator.id }));

    const handle = attacker.authenticator.assert(await challenge());
    const victimHandle = Buffer.alloc(8);
    victimHandle.writeBigUInt64BE(BigInt(victim.owner.user.id));
    expectRefused(await signIn({ ...handle, response: { ...handle.response, userHandle: victimHandle.toString('base64url') } }));
    expect(await sessionsOf(victim.owner.user.id)).toBe(victim.sessions);
    expect(await sessionsOf(attacker.owner.user.id)).toBe(attacker.sessions);
  });

  it('a wrong origin or RP ID is refused (a phishing page on another host)', async () => {
    const { owner, authenticator, sessions } = await enrolled();
    expectRefused(await signIn(authenticator.assert(await challenge(), { origin: 'https://login.evil.example' })));
    expectRefused(await signIn(authenticator.assert(await challenge(), { rpId: 'evil.example' })));
    expectRefused(await signIn(authenticator.assert(await challenge(), { origin: 'http://localhost.evil.example:8888' })));
    expect(await sessionsOf(owner.user.id)).toBe(sessions);
  });

  it('without user verification it is refused', async () => {
    const { authenticator } = await enrolled();
    expectRefused(await signIn(authenticator.assert(await challenge(), { userVerified: false })));
  });

  it('a sign counter that goes backwards or stands still (a cloned authenticator) is refused, and the stored one stays', async () => {
    const { owner, authenticator, sessions } = await enrolled();
    authenticator.counter = 10;
    expect((await signIn(authenticator.assert(await challenge()))).status).toBe(200);
    expectRefused(await signIn(authenticator.assert(await challenge(), { counter: 5 })));
    expectRefused(await signIn(authenticator.assert(await challenge(), { counter: 11 })));
    const row = await getDb().selectFrom('passkeys').select('sign_count').where('user_id', '=', owner.user.id).executeTakeFirstOrThrow();
    expect(row.sign_count).toBe(11);
    expect(await sessionsOf(owner.user.id)).toBe(sessions + 1);
  });

  it('malformed bytes are 401 or 400, never a 500; oversized fields are a 400 before any decoding', async () => {
    const { authenticator } = await enrolled();
    const answer = authenticator.assert(await challenge());
    const garbage = Buffer.from([0xff, 0x00, 0x9f, 0x41]).toString('base64url');
    for (const response of [
      { ...answer.response, authenticatorData: garbage },
      { ...answer.response, authenticatorData: answer.response.authenticatorData.slice(0, 20) },
      { ...answer.response, signature: garbage },
      { ...answer.response, clientDataJSON: Buffer.from('{"challenge":').toString('base64url') },
    ]) {
      const res = await signIn({ ...answer, response });
      expect(res.status).toBe(401);
    }
    for (const response of [
      { ...answer.response, signature: 'A'.repeat(3000) },
      { ...answer.response, clientDataJSON: 'A'.repeat(5000) },
      { ...answer.response, userHandle: 'A'.repeat(200) },
      { ...answer.response, signature: 'not base64url!' },
    ]) {
      const res = await signIn({ ...answer, response });
      expect([res.status, res.body.error.code]).toEqual([400, 'validation_failed']);
    }
    const long = await signIn({ ...answer, id: 'A'.repeat(2000), rawId: 'A'.repeat(2000) });
    expect(long.status).toBe(400);
  });

  it('a race of assertions on one challenge opens one session', async () => {
    const rounds = envCount('ADVERSARIAL_RACE_ROUNDS', 10);
    let winners = 0;
    for (let round = 0; round < rounds; round++) {
      const { owner, authenticator, sessions } = await enrolled(round % 2 === 0);
      const text = await challenge();
      // Ten different assertions (counters 1…10) on one challenge, at once.
      const answers = Array.from({ length: 10 }, () => authenticator.assert(text));
      const results = await Promise.all(answers.map((answer) => signIn(answer)));
      const statuses = results.map((res) => res.status).sort();
      expect(statuses).toEqual([200, ...Array(9).fill(401)]);
      expect(await sessionsOf(owner.user.id)).toBe(sessions + 1);
      winners += 1;
    }
    report('passkey races', { rounds, 'one session each': winners });
  });

  it('two assertions of one passkey on two challenges at once, the same counter: one session (compare-and-set)', async () => {
    const { owner, authenticator, sessions } = await enrolled();
    const [a, b] = [await challenge(), await challenge()];
    const results = await Promise.all([signIn(authenticator.assert(a, { counter: 7 })), signIn(authenticator.assert(b, { counter: 7 }))]);
    expect(results.map((res) => res.status).sort()).toEqual([200, 401]);
    expect(await sessionsOf(owner.user.id)).toBe(sessions + 1);
  });
});

describe("passkey sign-in and the address's login counter", () => {
  it('refused assertions count on it as wrong passwords do (429 past RATE_LIMIT_LOGIN_IP, the assertion then not checked); a success gives its hit back', async () => {
    setEnv({ RATE_LIMIT_LOGIN_IP: '3/15m' });
    const ip = uniqueIp();
    const { owner, authenticator, sessions } = await enrolled();
    const options = async () => (await call(signInStart, 'POST', '/api/login/passkey/options', { ip })).body.options.challenge as string;
    const from = (response: unknown) => call(signInFinish, 'POST', '/api/login/passkey', { json: { response }, ip });
    const forged = async () => {
      const answer = authenticator.assert(await options());
      const signature = Buffer.from(answer.response.signature, 'base64url');
      signature[signature.length - 1]! ^= 1;
      return from({ ...answer, response: { ...answer.response, signature: signature.toString('base64url') } });
    };
    // Successes spend nothing: four of them under a limit of three.
    for (let n = 0; n < 4; n++) expect((await from(authenticator.assert(await options()))).status).toBe(200);
    expectRefused(await forged());
    expectRefused(await forged());
    const password = await call(login, 'POST', '/api/login', { json: { username: owner.user.username, password: 'Wrong-Password-1' }, ip });
    expect(password.status).toBe(401);
    // The budget is spent: the right passkey is refused before it is checked, its challenge left for later, and so is the password.
    const text = await options();
    const limited = await from(authenticator.assert(text));
    expect([limited.status, limited.body.error.code]).toEqual([429, 'rate_limited']);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await getDb().selectFrom('webauthn_challenges').select('id').where('challenge', '=', text).execute()).toHaveLength(1);
    const right = await call(login, 'POST', '/api/login', { json: { username: owner.user.username, password: STRONG_PASSWORD }, ip });
    expect(right.status).toBe(429);
    expect(await sessionsOf(owner.user.id)).toBe(sessions + 4);
  });
});

describe('passkey enrolment', () => {
  /** The options, with the step-up of `owned` once the account has that passkey. */
  const start = async (token: string, owned?: SoftAuthenticator) => {
    const json = { password: STRONG_PASSWORD, ...(owned && { passkey: await stepUpAssertion(token, owned) }) };
    return (await call(options, 'POST', '/api/me/passkeys/options', { token, json })).body.options;
  };
  const add = (token: string, response: unknown) => call(passkeys, 'POST', '/api/me/passkeys', { token, json: { response } });
  const count = async (userId: number) =>
    (await getDb().selectFrom('passkeys').select('id').where('user_id', '=', userId).execute()).length;

  it("a replayed registration, a wrong origin or RP ID, and another account's challenge are refused", async () => {
    const { user, token } = await createUser();
    const authenticator = new SoftAuthenticator();
    const opts = await start(token);
    const answer = authenticator.register(opts);
    expect((await add(token, answer)).status).toBe(201);
    const replay = await add(token, answer);
    expect([replay.status, replay.body.error.details.response]).toEqual([400, [expect.stringMatching(/no open challenge/)]]);

    for (const ceremony of [{ origin: 'https://evil.example' }, { rpId: 'evil.example' }, { userVerified: false }]) {
      const res = await add(token, new SoftAuthenticator().register(await start(token, authenticator), ceremony));
      expect(res.status).toBe(400);
    }
    // Another account's open challenge cannot serve this one.
    const other = await createUser();
    const theirs = await start(other.token);
    expect((await add(token, new SoftAuthenticator().register(theirs))).status).toBe(400);
    expect(await count(user.id)).toBe(1);
    expect(await count(other.user.id)).toBe(0);
  });

  it('a malformed attestation object (CBOR) is a 400, an oversized one a 400 before decoding, never a 500', async () => {
    const { user, token } = await createUser();
    for (const attestationObject of [
      Buffer.from([0xbf, 0xff, 0x00]).toString('base64url'),
      cbor(new Map([['fmt', 'none']])).toString('base64url'),
      cbor(
        new Map<string, Buffer | string | Map<string, string>>([
          ['fmt', 'none'],
          ['attStmt', new Map()],
          ['authData', Buffer.alloc(10)],
        ]),
      ).toString('base64url'),
      cbor(
        new Map<string, Buffer | string | Map<string, string>>([
          ['fmt', 'packed'],
          ['attStmt', new Map()],
          ['authData', Buffer.alloc(40)],
        ]),
      ).toString('base64url'),
      'A'.repeat(17_000),
    ]) {
      const answer = new SoftAuthenticator().register(await start(token));
      const res = await add(token, { ...answer, response: { ...answer.response, attestationObject } });
      expect([res.status, res.body.error.code]).toEqual([400, 'validation_failed']);
    }
    expect(await count(user.id)).toBe(0);
  });
});
