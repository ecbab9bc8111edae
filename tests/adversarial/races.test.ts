// Races, each run many times with the requests truly concurrent (one event
// loop, a pool of 10 connections, Postgres deciding): one winner where there
// must be one, never a 5xx, and nothing orphaned or duplicated afterwards.
// ADVERSARIAL_RACE_ROUNDS sets the rounds, ADVERSARIAL_PARALLEL the crowd size.
// Some races are played step by step instead: a second pg.Client holds a lock
// the request runs into, or the request is held between its two statements.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import classicProfile from '../../netlify/functions/classic-profile.ts';
import classicReset from '../../netlify/functions/classic-reset-password.ts';
import classicSessions from '../../netlify/functions/classic-sessions.ts';
import classicUsers from '../../netlify/functions/classic-users.ts';
import secondStepOptions from '../../netlify/functions/login-mfa-passkey-options.ts';
import loginMfa from '../../netlify/functions/login-mfa.ts';
import login from '../../netlify/functions/login.ts';
import logout from '../../netlify/functions/logout.ts';
import confirmChange from '../../netlify/functions/me-email-confirm.ts';
import changeEmail from '../../netlify/functions/me-email.ts';
import mePassword from '../../netlify/functions/me-password.ts';
import me from '../../netlify/functions/me.ts';
import forgot from '../../netlify/functions/password-forgot.ts';
import reset from '../../netlify/functions/password-reset.ts';
import postComments from '../../netlify/functions/posts-id-comments.ts';
import postsId from '../../netlify/functions/posts-id.ts';
import posts from '../../netlify/functions/posts.ts';
import confirm from '../../netlify/functions/register-confirm.ts';
import resend from '../../netlify/functions/register-resend.ts';
import register from '../../netlify/functions/register.ts';
import { createPost } from '../../src/content/posts.ts';
import { getDb } from '../../src/db/connection.ts';
import { checks } from '../../src/rate-limit/limits.ts';
import { registerAccount } from '../support/accounts.ts';
import { call, type CallResult } from '../support/call.ts';
import { byHand, untilBlocked } from '../support/locks.ts';
import { codeAt, enableMfa } from '../support/mfa.ts';
import { registerClassic, sessionCookieOf } from '../support/classic.ts';
import { enrolPasskey, SoftAuthenticator } from '../support/passkeys.ts';
import { createUser, STRONG_PASSWORD, type TestUser, uniqueIp, uniqueName } from '../support/users.ts';
import { envCount, expectInvariants, expectSafe, report, type RouteUnderTest } from './harness.ts';
import { skipAhead } from '../support/clock.ts';

/**
 * Holds a request between its two statements: `hold()` arms the next call of
 * a step wrapped by `after` (the password check, the second step's counter
 * check, a passkey's verification), which then waits, once it has run, for
 * `release()`; `reached` resolves when it waits.
 */
const between = vi.hoisted(() => {
  let armed: { reached: () => void; go: Promise<void> } | undefined;
  return {
    hold() {
      let release!: () => void;
      let reached!: () => void;
      const go = new Promise<void>((resolve) => (release = resolve));
      const waiting = new Promise<void>((resolve) => (reached = resolve));
      armed = { reached, go };
      return { reached: waiting, release };
    },
    after<A extends unknown[], R>(step: (...args: A) => Promise<R>) {
      return async (...args: A): Promise<R> => {
        const result = await step(...args);
        const held = armed;
        armed = undefined;
        if (held !== undefined) {
          held.reached();
          await held.go;
        }
        return result;
      };
    },
  };
});
vi.mock('../../src/auth/passwords/hash.ts', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/auth/passwords/hash.ts')>();
  return { ...original, verifyPassword: between.after(original.verifyPassword) };
});
vi.mock('../../src/auth/mfa/guesses.ts', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/auth/mfa/guesses.ts')>();
  return { ...original, refuseOverLimits: between.after(original.refuseOverLimits) };
});
vi.mock('../../src/auth/passkeys/assertion.ts', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/auth/passkeys/assertion.ts')>();
  return { ...original, verifiedCounter: between.after(original.verifiedCounter) };
});

const ROUNDS = envCount('ADVERSARIAL_RACE_ROUNDS', 10);
const CROWD = envCount('ADVERSARIAL_PARALLEL', 50);
const races: Record<string, number> = {};

beforeAll(() => {
  // Development delivery logs every code it hands out.
  vi.spyOn(console, 'info').mockImplementation(() => {});
});
afterAll(() => {
  const total = Object.values(races).reduce((a, b) => a + b, 0);
  report('races', { 'races run': total, ...races });
});

/** Runs `race` ROUNDS times; every answer of every round must be a safe one of its surface. */
async function rounds(name: string, style: RouteUnderTest['style'], race: () => Promise<CallResult[]>): Promise<void> {
  for (let round = 0; round < ROUNDS; round++) {
    for (const res of await race()) expectSafe(res, style);
    races[name] = (races[name] ?? 0) + 1;
  }
  await expectInvariants();
}

const statuses = (answers: CallResult[]) => answers.map((res) => res.status).sort();
const times = (n: number, status: number) => Array.from({ length: n }, () => status);

const liveCodes = async (userId: number, purpose: 'confirm_email' | 'reset_password') =>
  (
    await getDb()
      .selectFrom('one_time_tokens')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('user_id', '=', userId)
      .where('purpose', '=', purpose)
      .where('used_at', 'is', null)
      .executeTakeFirstOrThrow()
  ).n;

describe('one account, registered by a crowd at once', () => {
  it(`the same username ${CROWD} times: one 201, the rest 409 username_taken`, async () => {
    await rounds('same username registered at once', 'api', async () => {
      const username = uniqueName();
      const answers = await Promise.all(
        Array.from({ length: CROWD }, (_, i) =>
          call(register, 'POST', '/api/register', {
            json: { username, email: `${username}.${i}@example.com`, password: STRONG_PASSWORD },
            ip: uniqueIp(),
          }),
        ),
      );
      expect(statuses(answers)).toEqual([201, ...times(CROWD - 1, 409)]);
      expect(answers.filter((res) => res.status === 409).every((res) => res.body.error.code === 'username_taken')).toBe(true);
      const { n } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM users WHERE username = ${username}`
        .execute(getDb())
        .then((r) => r.rows[0]!);
      expect(n).toBe(1);
      return answers;
    });
  });

  // A registration replaces an unconfirmed account of its address, so a later one may win too (201): one account stays.
  it(`the same e-mail ${CROWD} times: 201s (each replacing the unconfirmed one before) or 409 email_taken; one account, one working code`, async () => {
    await rounds('same e-mail registered at once', 'api', async () => {
      const email = `${uniqueName()}@example.com`;
      const answers = await Promise.all(
        Array.from({ length: CROWD }, () =>
          call(register, 'POST', '/api/register', { json: { username: uniqueName(), email, password: STRONG_PASSWORD }, ip: uniqueIp() }),
        ),
      );
      const created = answers.filter((res) => res.status === 201);
      expect(created.length).toBeGreaterThan(0);
      expect(answers.filter((res) => res.status !== 201).every((res) => res.status === 409 && res.body.error.code === 'email_taken')).toBe(
        true,
      );
      const rows = await getDb().selectFrom('users').select('id').where('email', '=', email).execute();
      expect(rows).toHaveLength(1);
      const confirmed = [];
      for (const res of created)
        confirmed.push((await call(confirm, 'POST', `/api/register/confirm/${res.body.confirmation.code}`)).status);
      expect(confirmed.sort()).toEqual([200, ...times(created.length - 1, 404)]);
      return answers;
    });
  });

  it(`the same e-mail ${CROWD} times on the classic POST /users: one 200, the rest "email already registered"`, async () => {
    await rounds('same e-mail on POST /users at once', 'classic', async () => {
      const email = `${uniqueName('classic')}@example.com`;
      const answers = await Promise.all(
        Array.from({ length: CROWD }, () =>
          call(classicUsers, 'POST', '/users', { form: { email, password: STRONG_PASSWORD }, ip: uniqueIp() }),
        ),
      );
      expect(statuses(answers)).toEqual([200, ...times(CROWD - 1, 400)]);
      expect(answers.filter((res) => res.status === 400).every((res) => res.body.message === 'email already registered')).toBe(true);
      return answers;
    });
  });
});

describe('one single-use code, used twice at once', () => {
  it('a confirmation code: one 200, one 404', async () => {
    await rounds('confirmation code used twice at once', 'api', async () => {
      const { code, userId } = await registerAccount();
      const answers = await Promise.all([
        call(confirm, 'GET', `/api/register/confirm/${code}`),
        call(confirm, 'POST', `/api/register/confirm/${code}`),
      ]);
      expect(statuses(answers)).toEqual([200, 404]);
      expect(await liveCodes(userId, 'confirm_email')).toBe(0);
      return answers;
    });
  });

  it('a reset token, on /api and on the classic route: one success, the other refused', async () => {
    await rounds('reset token used twice at once', 'api', async () => {
      const { user } = await createUser();
      const token = (await call(forgot, 'POST', '/api/password/forgot', { json: { email: user.email }, ip: uniqueIp() })).body
        .token as string;
      const [api, classic] = await Promise.all([
        call(reset, 'POST', '/api/password/reset', { json: { token, password: 'Copper-Lantern-26#' } }),
        call(classicReset, 'PUT', '/reset_password', {
          form: { email: user.email, reset_token: token, new_password: 'Granite-Meadow-58?' },
        }),
      ]);
      expectSafe(classic, 'classic');
      // Exactly one of them: 200 on /api with 403 on the classic route, or 404 on /api with 200 on the classic route.
      expect([
        [200, 403],
        [404, 200],
      ]).toContainEqual([api.status, classic.status]);
      const winner = api.status === 200 ? 'Copper-Lantern-26#' : 'Granite-Meadow-58?';
      const login = await call(classicSessions, 'POST', '/sessions', { form: { email: user.email, password: winner }, ip: uniqueIp() });
      expect(login.status).toBe(200);
      return [api];
    });
  });
});

describe('changing the e-mail address', () => {
  const requestChange = async (owner: { token: string; password: string }, email: string) =>
    (await call(changeEmail, 'POST', '/api/me/email', { token: owner.token, json: { email, password: owner.password }, ip: uniqueIp() }))
      .body.code as string;

  it('one code confirmed twice at once: one 200, one 404, the address moved once', async () => {
    await rounds('e-mail change code confirmed twice at once', 'api', async () => {
      const owner = await createUser();
      const email = `${uniqueName('moved')}@example.org`;
      const code = await requestChange(owner, email);
      const answers = await Promise.all([
        call(confirmChange, 'GET', `/api/me/email/confirm/${code}`),
        call(confirmChange, 'POST', `/api/me/email/confirm/${code}`),
      ]);
      expect(statuses(answers)).toEqual([200, 404]);
      const { rows } = await sql<Record<string, unknown>>`SELECT
          (SELECT email FROM users WHERE id = ${owner.user.id}) AS email,
          (SELECT count(*) FROM security_events WHERE user_id = ${owner.user.id} AND kind = 'email_changed')::int AS changed,
          (SELECT count(*) FROM one_time_tokens WHERE user_id = ${owner.user.id} AND used_at IS NULL)::int AS live`.execute(getDb());
      expect(rows[0]).toEqual({ email, changed: 1, live: 0 });
      return answers;
    });
  });

  it('two accounts confirming the same new address at once: one 200, one 409 email_taken whose code stays unused', async () => {
    await rounds('two accounts confirming one address at once', 'api', async () => {
      const [first, second] = [await createUser(), await createUser()];
      const email = `${uniqueName('wanted')}@example.org`;
      const codes = [await requestChange(first, email), await requestChange(second, email)];
      const answers = await Promise.all(codes.map((code) => call(confirmChange, 'POST', `/api/me/email/confirm/${code}`)));
      expect(statuses(answers)).toEqual([200, 409]);
      expect(answers.find((a) => a.status === 409)!.body.error.code).toBe('email_taken');
      const { rows } = await sql<{ n: number; live: number }>`SELECT
          (SELECT count(*) FROM users WHERE email = ${email})::int AS n,
          (SELECT count(*) FROM one_time_tokens WHERE new_email = ${email} AND used_at IS NULL)::int AS live`.execute(getDb());
      expect(rows[0]).toEqual({ n: 1, live: 1 });
      return answers;
    });
  });

  it('a confirmation racing the deletion of the account: one wins whole (204 and 404, or 200 and 401), nothing half-done', async () => {
    await rounds('e-mail change confirmed while the account is deleted', 'api', async () => {
      const owner = await createUser();
      const email = `${uniqueName('gone')}@example.org`;
      const code = await requestChange(owner, email);
      const [deleted, confirmed] = await Promise.all([
        call(me, 'DELETE', '/api/me', { token: owner.token, json: { password: owner.password }, ip: uniqueIp() }),
        call(confirmChange, 'POST', `/api/me/email/confirm/${code}`),
      ]);
      // The confirmation ends every session of the account, the deleting one too.
      expect([
        [204, 404],
        [401, 200],
      ]).toContainEqual([deleted.status, confirmed.status]);
      const { rows } = await sql<Record<string, unknown>>`SELECT
          (SELECT email FROM users WHERE id = ${owner.user.id}) AS email,
          (SELECT count(*) FROM sessions WHERE user_id = ${owner.user.id})::int AS sessions,
          (SELECT count(*) FROM one_time_tokens WHERE user_id = ${owner.user.id} AND used_at IS NULL)::int AS live`.execute(getDb());
      expect(rows[0]).toEqual(deleted.status === 204 ? { email: null, sessions: 0, live: 0 } : { email, sessions: 0, live: 0 });
      return [deleted, confirmed];
    });
  });

  // The order that once gave [204, 200] under load: the deletion's statement
  // began while the confirmation held the account row, and once that committed
  // (the address moved, every session ended) it still saw its session, read
  // in its snapshot from before. Played here step by step, the confirmation's
  // part by hand: the deletion must see its session as the commit left it.
  it('a deletion waiting on the account row while another transaction ends its session: 401, the account stays', async () => {
    const owner = await createUser();
    await byHand(async (confirmation, watcher) => {
      await confirmation.query('BEGIN');
      await confirmation.query('SELECT id FROM users WHERE id = $1 FOR UPDATE', [owner.user.id]);
      const deleting = call(me, 'DELETE', '/api/me', { token: owner.token, json: { password: owner.password }, ip: uniqueIp() });
      await untilBlocked(watcher);
      await confirmation.query('DELETE FROM sessions WHERE user_id = $1', [owner.user.id]);
      await confirmation.query('COMMIT');
      const deleted = await deleting;
      expect(deleted.status).toBe(401);
      const { rows } = await watcher.query('SELECT count(*)::int AS n FROM users WHERE id = $1', [owner.user.id]);
      expect(rows[0].n).toBe(1);
    });
  });
});

/** The password step of an account with a factor: its mfaToken. */
const mfaTokenOf = async (username: string) =>
  (await call(login, 'POST', '/api/login', { json: { username, password: STRONG_PASSWORD }, ip: uniqueIp() })).body.error
    .mfaToken as string;

describe('one second-factor code or mfaToken, used at once', () => {
  const sessionsOf = async (userId: number) =>
    (await getDb().selectFrom('sessions').select('id').where('user_id', '=', userId).execute()).length;

  it('one TOTP code with 10 mfaTokens at once: one session, the rest 401 invalid_mfa_code', async () => {
    await rounds('one TOTP code used at once', 'api', async () => {
      const { user, token } = await createUser();
      const { secret } = await enableMfa(token);
      const tokens = await Promise.all(Array.from({ length: 10 }, () => mfaTokenOf(user.username)));
      const code = codeAt(secret);
      const before = await sessionsOf(user.id);
      const answers = await Promise.all(
        tokens.map((t) => call(loginMfa, 'POST', '/api/login/mfa', { json: { mfaToken: t, code }, ip: uniqueIp() })),
      );
      expect(statuses(answers)).toEqual([200, ...times(9, 401)]);
      for (const res of answers) if (res.status === 401) expect(res.body.error.code).toBe('invalid_mfa_code');
      expect(await sessionsOf(user.id)).toBe(before + 1);
      return answers;
    });
  });

  it('one mfaToken with a TOTP code and a recovery code at once: one session, and the loser spends nothing', async () => {
    await rounds('one mfaToken used at once', 'api', async () => {
      const { user, token } = await createUser();
      const { secret, recoveryCodes } = await enableMfa(token);
      const t = await mfaTokenOf(user.username);
      const before = await sessionsOf(user.id);
      const answers = await Promise.all(
        [codeAt(secret), recoveryCodes[0]!].map((code) =>
          call(loginMfa, 'POST', '/api/login/mfa', { json: { mfaToken: t, code }, ip: uniqueIp() }),
        ),
      );
      expect(statuses(answers)).toEqual([200, 401]);
      expect(await sessionsOf(user.id)).toBe(before + 1);
      const left = await getDb().selectFrom('recovery_codes').select('code_hash').where('user_id', '=', user.id).execute();
      // The recovery code is spent only if it won.
      expect(left).toHaveLength(answers[1]!.status === 200 ? 9 : 10);
      return answers;
    });
  });
});

describe('deleting an account while its second step runs', () => {
  // A deletion locks the account row, then, by the foreign keys' cascade, the
  // login challenge (and the factor, the passkeys). The second step used to
  // take its challenge first and the account row after (the foreign key of
  // its failed-code event, then of its session, reads it FOR KEY SHARE): a
  // cycle, which Postgres broke with one side's error (the request's a 503).
  // Played step by step, the deletion's part by hand: it holds the account
  // row while the step runs into it, then deletes the account and commits.
  const steps = {
    async code() {
      const owner = await createUser();
      const { secret } = await enableMfa(owner.token);
      const mfaToken = await mfaTokenOf(owner.user.username);
      return { owner, start: () => call(loginMfa, 'POST', '/api/login/mfa', { json: { mfaToken, code: codeAt(secret) }, ip: uniqueIp() }) };
    },
    async passkey() {
      const owner = await createUser();
      await enableMfa(owner.token);
      const authenticator = new SoftAuthenticator();
      await enrolPasskey(owner.token, authenticator);
      const mfaToken = await mfaTokenOf(owner.user.username);
      const options = await call(secondStepOptions, 'POST', '/api/login/mfa/passkey/options', { json: { mfaToken } });
      const passkey = authenticator.assert(options.body.options.challenge);
      return { owner, start: () => call(loginMfa, 'POST', '/api/login/mfa', { json: { mfaToken, passkey }, ip: uniqueIp() }) };
    },
  };
  it.each([
    ['code', 'before its first statement'],
    ['code', 'between its two statements'],
    ['passkey', 'before its first statement'],
    ['passkey', 'between its two statements'],
  ] as const)('with a %s, %s: the account goes, the second step is 401, nobody deadlocks', async (method, when) => {
    const { owner, start } = await steps[method]();
    const userId = owner.user.id;
    await byHand(async (deletion, watcher) => {
      const held = when === 'between its two statements' ? between.hold() : undefined;
      const stepping = held === undefined ? undefined : start();
      await held?.reached;
      await deletion.query('BEGIN');
      await deletion.query('SELECT id FROM users WHERE id = $1 FOR UPDATE', [userId]);
      const answer = stepping ?? start();
      held?.release();
      await untilBlocked(watcher);
      const deleted = await deletion.query('DELETE FROM users WHERE id = $1', [userId]).then(
        () => 'deleted',
        (error: { code?: string }) => `refused: ${error.code}`,
      );
      await deletion.query('COMMIT');
      const res = await answer;
      expect([deleted, res.status], res.text).toEqual(['deleted', 401]);
      const { rows } = await watcher.query(
        `SELECT (SELECT count(*)::int FROM users WHERE id = $1) AS users, (SELECT count(*)::int FROM sessions WHERE user_id = $1) AS sessions`,
        [userId],
      );
      expect(rows[0]).toEqual({ users: 0, sessions: 0 });
    });
  });
});

describe('logging out while the same session is in use', () => {
  it('logout racing reads and writes: each either completes as the user or is 401, never after the logout', async () => {
    await rounds('logout racing authenticated requests', 'api', async () => {
      const { user, token } = await createUser();
      const answers = await Promise.all([
        call(me, 'GET', '/api/me', { token }),
        call(posts, 'POST', '/api/posts', { token, json: { title: 'Racing the logout', body: 'Body' } }),
        call(logout, 'POST', '/api/logout', { token }),
        call(me, 'GET', '/api/me', { cookie: `session_id=${token}` }),
        call(logout, 'POST', '/api/logout', { token }),
      ]);
      const [read, write, out1, read2, out2] = answers.map((res) => res.status);
      expect([200, 401]).toContain(read);
      expect([200, 401]).toContain(read2);
      expect([201, 401]).toContain(write);
      expect([out1, out2].sort()).toEqual([204, 401]);
      if (write === 201) expect(answers[1]!.body.post.author.id).toBe(user.id);
      expect((await call(me, 'GET', '/api/me', { token })).status).toBe(401);
      return answers;
    });
  });

  it('the classic DELETE /sessions racing GET /profile', async () => {
    await rounds('classic logout racing GET /profile', 'classic', async () => {
      const { email, password } = await registerClassic();
      const cookie = sessionCookieOf(
        (await call(classicSessions, 'POST', '/sessions', { form: { email, password }, ip: uniqueIp() })).headers,
      );
      const answers = await Promise.all([
        call(classicProfile, 'GET', '/profile', { cookie }),
        call(classicSessions, 'DELETE', '/sessions', { cookie }),
      ]);
      expect(answers[1]!.status).toBe(302);
      expect([200, 403]).toContain(answers[0]!.status);
      expect((await call(classicProfile, 'GET', '/profile', { cookie })).status).toBe(403);
      return answers;
    });
  });
});

describe('commenting on a post while it is deleted', () => {
  it('each comment is 201 or 404, the delete 204, and no comment outlives the post', async () => {
    await rounds('comments racing the deletion of their post', 'api', async () => {
      const author = await createUser();
      const readers = await Promise.all([createUser(), createUser(), createUser()]);
      const post = await createPost(author.user, { title: 'About to go', body: 'Body' });
      const comment = (token: string) =>
        call(postComments, 'POST', `/api/posts/${post.id}/comments`, { token, json: { body: 'Am I orphaned?' } });
      const answers = await Promise.all([
        ...readers.map((r) => comment(r.token)),
        call(postsId, 'DELETE', `/api/posts/${post.id}`, { token: author.token }),
        ...readers.map((r) => comment(r.token)),
      ]);
      const deleted = answers.splice(readers.length, 1)[0]!;
      expect(deleted.status).toBe(204);
      for (const res of answers) expect([201, 404]).toContain(res.status);
      const { n } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM comments WHERE post_id = ${post.id}`
        .execute(getDb())
        .then((r) => r.rows[0]!);
      expect(n).toBe(0);
      return [deleted, ...answers];
    });
  });
});

describe('logging in to one account from one address, right and wrong passwords at once', () => {
  it(`${CROWD} attempts: each a session, a 401 or a 429, and every session works`, async () => {
    await rounds('right and wrong passwords at once', 'api', async () => {
      const { user, password } = await createUser();
      const ip = uniqueIp();
      const answers = await Promise.all(
        Array.from({ length: CROWD }, (_, i) =>
          call(login, 'POST', '/api/login', {
            json: { username: user.username, password: i % 2 === 0 ? password : 'Wrong-Password-1' },
            ip,
          }),
        ),
      );
      for (const res of answers) expect([200, 401, 429]).toContain(res.status);
      for (const res of answers.filter((a) => a.status === 200))
        expect((await call(me, 'GET', '/api/me', { token: res.body.token })).status).toBe(200);
      return answers;
    });
  });
});

describe('deleting an account while it logs in', () => {
  // Fewer logins than the live-session cap, so none of them ends the session that deletes.
  const LOGINS = Math.min(CROWD, 20);
  it(`DELETE /api/me racing ${LOGINS} logins with the right password: 204, each login 200 or 401, nothing of the account left`, async () => {
    await rounds('account deleted while logging in', 'api', async () => {
      const { user, token, password } = await createUser();
      const [deleted, ...logins] = await Promise.all([
        call(me, 'DELETE', '/api/me', { token, json: { password }, ip: uniqueIp() }),
        ...Array.from({ length: LOGINS }, () =>
          call(login, 'POST', '/api/login', { json: { username: user.username, password }, ip: uniqueIp() }),
        ),
      ]);
      expect(deleted!.status, deleted!.text).toBe(204);
      for (const res of logins) expect([200, 401], res.text).toContain(res.status);
      const { rows } = await sql<Record<string, number>>`SELECT
          (SELECT count(*) FROM users WHERE id = ${user.id})::int AS users,
          (SELECT count(*) FROM sessions WHERE user_id = ${user.id})::int AS sessions,
          (SELECT count(*) FROM one_time_tokens WHERE user_id = ${user.id})::int AS codes,
          (SELECT count(*) FROM security_events WHERE user_id = ${user.id})::int AS events,
          (SELECT count(*) FROM security_events WHERE deleted_user_id = ${user.id})::int AS deletions`.execute(getDb());
      expect(rows[0]).toEqual({ users: 0, sessions: 0, codes: 0, events: 0, deletions: 1 });
      for (const res of logins.filter((a) => a.status === 200))
        expect((await call(me, 'GET', '/api/me', { token: res.body.token })).status).toBe(401);
      return [deleted!, ...logins];
    });
  });
});

describe('a login whose password was checked just before the password changed', () => {
  // Statement 1 reads the hash, scrypt runs, statement 2 opens the session (or
  // the second step's challenge). A reset or a change that commits in between
  // ends every session and challenge; statement 2 must not open a new one
  // with the old password. Played step by step: the login is held after its
  // password check while the change completes.
  const NEW_PASSWORD = 'Granite-Meadow-58?';
  const logins = {
    'POST /api/login': (user: { username: string; email: string }, password: string, ip: string) =>
      call(login, 'POST', '/api/login', { json: { username: user.username, password }, ip }),
    'POST /sessions': (user: { username: string; email: string }, password: string, ip: string) =>
      call(classicSessions, 'POST', '/sessions', { form: { email: user.email, password }, ip }),
  };
  const changes = {
    async reset(owner: TestUser) {
      const asked = await call(forgot, 'POST', '/api/password/forgot', { json: { email: owner.user.email }, ip: uniqueIp() });
      const done = await call(reset, 'POST', '/api/password/reset', { json: { token: asked.body.token, password: NEW_PASSWORD } });
      expect(done.status).toBe(200);
    },
    async change(owner: TestUser) {
      const done = await call(mePassword, 'PUT', '/api/me/password', {
        token: owner.token,
        json: { currentPassword: owner.password, newPassword: NEW_PASSWORD },
        ip: uniqueIp(),
      });
      expect(done.status).toBe(200);
    },
  };
  it.each([
    ['POST /api/login', 'reset', false],
    ['POST /api/login', 'change', false],
    ['POST /api/login', 'reset', true],
    ['POST /sessions', 'reset', false],
  ] as const)(
    '%s meeting a %s (second factor: %s): the answer to a wrong password, no session or challenge, the attempt counted',
    async (route, change, factor) => {
      const owner = await createUser();
      if (factor) await enableMfa(owner.token);
      const ip = uniqueIp();
      const held = between.hold();
      const logging = logins[route](owner.user, owner.password, ip);
      await held.reached;
      await changes[change](owner);
      held.release();
      const res = await logging;
      const wrong = await logins[route](owner.user, 'Wrong-Password-1x', uniqueIp());
      expect([res.status, res.body]).toEqual([wrong.status, wrong.body]);
      // From the login's address: no session, no challenge, the attempt counted and recorded as a failed one.
      const { rows } = await sql<Record<string, unknown>>`SELECT
        (SELECT count(*) FROM sessions WHERE user_id = ${owner.user.id} AND ip = ${ip})::int AS sessions,
        (SELECT count(*) FROM mfa_challenges WHERE user_id = ${owner.user.id})::int AS challenges,
        (SELECT hits FROM rate_limits WHERE bucket = ${checks.loginAccount(owner.user.id, ip).bucket}) AS hits,
        (SELECT reason FROM security_events WHERE user_id = ${owner.user.id} AND ip = ${ip} AND kind = 'login_failed') AS failed`.execute(
        getDb(),
      );
      expect(rows[0]).toEqual({ sessions: 0, challenges: 0, hits: 1, failed: 'wrong_password' });
    },
  );

  // The mfaToken was opened before the reset, which retires it: the second step finds no ticket.
  it('the second step held between its statements while a reset completes: 401 invalid_mfa_code, no session', async () => {
    const owner = await createUser();
    const { secret } = await enableMfa(owner.token);
    const mfaToken = await mfaTokenOf(owner.user.username);
    const ip = uniqueIp();
    const held = between.hold();
    const stepping = call(loginMfa, 'POST', '/api/login/mfa', { json: { mfaToken, code: codeAt(secret) }, ip });
    await held.reached;
    await changes.reset(owner);
    held.release();
    const res = await stepping;
    expect([res.status, res.body.error?.code]).toEqual([401, 'invalid_mfa_code']);
    const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM sessions WHERE user_id = ${owner.user.id}`.execute(getDb());
    expect(rows[0]!.n).toBe(0);
  });
});

describe('one e-mail address, asked for codes by a crowd at once', () => {
  it(`${CROWD} resends: one new code is issued and stays usable; the rest change nothing`, async () => {
    await rounds('resends of one address at once', 'api', async () => {
      const { email, userId } = await registerAccount();
      // Past the minute the registration's code is kept for.
      skipAhead();
      const answers = await Promise.all(
        Array.from({ length: CROWD }, () => call(resend, 'POST', '/api/register/resend', { json: { email }, ip: uniqueIp() })),
      );
      // Over the per-e-mail limit the answer is the same 202, with nothing issued.
      expect(statuses(answers)).toEqual(times(CROWD, 202));
      expect(await liveCodes(userId, 'confirm_email')).toBe(1);
      // The first code written is kept for a minute: no later request in the crowd replaced it.
      const codes = answers.filter((res) => res.body.confirmation !== undefined).map((res) => res.body.confirmation.code as string);
      expect(codes).toHaveLength(1);
      expect((await call(confirm, 'POST', `/api/register/confirm/${codes[0]}`)).status).toBe(200);
      return answers;
    });
  });
});
