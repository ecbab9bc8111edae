// Database connections killed with pg_terminate_backend (this file's own
// database only): between requests, in the middle of a statement, and right
// before each statement of every operation that takes more than one. The
// request that lost its connection answers 503 with a generic body, nothing of
// it is half-applied (every table but the attempt counters is exactly as
// before), and the same request succeeds right after, without a restart.
// ADVERSARIAL_FAULT_ROUNDS sets how often the idle and mid-statement kills run.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import commentsId from '../../netlify/functions/comments-id.ts';
import classicReset from '../../netlify/functions/classic-reset-password.ts';
import classicSessions from '../../netlify/functions/classic-sessions.ts';
import classicUsers from '../../netlify/functions/classic-users.ts';
import health from '../../netlify/functions/health.ts';
import adminUsersIdMfa from '../../netlify/functions/admin-users-id-mfa.ts';
import adminUsersIdPasskeys from '../../netlify/functions/admin-users-id-passkeys.ts';
import passkeyOptions from '../../netlify/functions/me-passkeys-options.ts';
import loginMfa from '../../netlify/functions/login-mfa.ts';
import login from '../../netlify/functions/login.ts';
import logout from '../../netlify/functions/logout.ts';
import confirmChange from '../../netlify/functions/me-email-confirm.ts';
import changeEmail from '../../netlify/functions/me-email.ts';
import recoveryCodes from '../../netlify/functions/me-mfa-recovery-codes.ts';
import mfaConfirm from '../../netlify/functions/me-mfa-totp-confirm.ts';
import mfaTotp from '../../netlify/functions/me-mfa-totp.ts';
import mePassword from '../../netlify/functions/me-password.ts';
import meProfile from '../../netlify/functions/me-profile.ts';
import meSession from '../../netlify/functions/me-session.ts';
import meSessions from '../../netlify/functions/me-sessions.ts';
import me from '../../netlify/functions/me.ts';
import forgot from '../../netlify/functions/password-forgot.ts';
import reset from '../../netlify/functions/password-reset.ts';
import postComments from '../../netlify/functions/posts-id-comments.ts';
import postsId from '../../netlify/functions/posts-id.ts';
import posts from '../../netlify/functions/posts.ts';
import confirm from '../../netlify/functions/register-confirm.ts';
import resend from '../../netlify/functions/register-resend.ts';
import register from '../../netlify/functions/register.ts';
import { createSession } from '../../src/auth/sessions/sessions.ts';
import { addComment } from '../../src/content/comments.ts';
import { createPost } from '../../src/content/posts.ts';
import { registerAccount, useMailProvider } from '../support/accounts.ts';
import { call, type CallResult } from '../support/call.ts';
import { createAdmin } from '../support/admin.ts';
import { codeAt, enableMfa } from '../support/mfa.ts';
import { enrolPasskey, SoftAuthenticator, stepUpAssertion } from '../support/passkeys.ts';
import { registerClassic, sessionCookieOf } from '../support/classic.ts';
import { createUser, STRONG_PASSWORD, uniqueIp, uniqueName } from '../support/users.ts';
import { envCount, expectUnavailable, report, snapshotTables, totalsAndCounts, type RouteUnderTest } from './harness.ts';

// The pool's connections are node-postgres clients (src/db/pool.ts imports
// `pg` on first use, after this mock). When armed, the backend of the
// connection about to run statement number `killAt` is terminated first.
const plan = vi.hoisted(() => ({ armed: false, seen: 0, killAt: 0, killed: 0 }));

vi.mock('pg', async (importOriginal) => {
  const original = (await importOriginal<{ default: typeof import('pg') }>()).default;
  let admin: import('pg').Client | undefined;
  const terminate = async (pid: number) => {
    if (admin === undefined) {
      const client = new original.Client({ connectionString: process.env.DATABASE_URL });
      // The idle-connection test below terminates this one too: connect again on next use.
      client.on('error', () => (admin = undefined));
      await client.connect();
      admin = client;
    }
    // Waits (up to 5 s) until the backend is gone.
    await admin.query('SELECT pg_terminate_backend($1, 5000)', [pid]);
    plan.killed += 1;
  };
  const watched = new WeakSet<object>();
  class Pool extends original.Pool {
    // Only the promise form, the one Kysely uses.
    override async connect() {
      const client = (await super.connect()) as import('pg').PoolClient & { processID: number };
      if (!watched.has(client)) {
        watched.add(client);
        const query = client.query.bind(client) as (...args: unknown[]) => Promise<unknown>;
        client.query = (async (...args: unknown[]) => {
          if (plan.armed && ++plan.seen === plan.killAt) await terminate(client.processID);
          return query(...args);
        }) as typeof client.query;
      }
      return client;
    }
  }
  return { default: { ...original, Pool } };
});

const ROUNDS = envCount('ADVERSARIAL_FAULT_ROUNDS', 10);
const figures = {
  'changes killed before their counter': 0,
  operations: 0,
  'statements killed before they ran': 0,
  'statements killed in flight': 0,
  'idle pools killed': 0,
};
let terminatedDirectly = 0;

let admin: pg.Client;
beforeAll(async () => {
  admin = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await admin.connect();
  // Every lost connection is logged (a warning, and the 503's error line): hundreds of lines here.
  vi.spyOn(console, 'warn').mockImplementation(() => {});
  vi.spyOn(console, 'error').mockImplementation(() => {});
});
afterAll(async () => {
  await admin.end();
  report('database faults', { ...figures, 'backends terminated': plan.killed + terminatedDirectly });
});

/** Statements `request` runs, with the backend of statement `killAt` terminated just before it (0: none). */
async function run(request: () => Promise<CallResult>, killAt = 0): Promise<{ res: CallResult; statements: number }> {
  Object.assign(plan, { armed: true, seen: 0, killAt });
  try {
    const res = await request();
    return { res, statements: plan.seen };
  } finally {
    plan.armed = false;
  }
}

/**
 * `request`, whose statement waits for `table`, locked by `admin` meanwhile, and
 * is killed while it waits; the lock is released after. Returns its answer.
 */
async function killedWhileLocked(table: string, request: () => Promise<CallResult>): Promise<CallResult> {
  await admin.query('BEGIN');
  await admin.query(`LOCK TABLE ${table} IN ACCESS EXCLUSIVE MODE`);
  const pending = request();
  let killed = 0;
  try {
    for (let poll = 0; killed === 0 && poll < 500; poll++) {
      killed = await terminateOthers("wait_event_type = 'Lock'");
      if (killed === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    }
  } finally {
    await admin.query('ROLLBACK');
  }
  expect(killed).toBe(1);
  return pending;
}

/** Backends of this file's database other than `admin`, terminated: the pool's idle connections. */
async function terminateOthers(where = 'true'): Promise<number> {
  const { rowCount } = await admin.query(
    `SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND ${where}`,
  );
  terminatedDirectly += rowCount ?? 0;
  return rowCount ?? 0;
}

interface Operation {
  name: string;
  style: RouteUnderTest['style'];
  /** The answer with a healthy database. */
  expected: number;
  mail?: number;
  /** Fresh rows for one run, then the request (repeatable, for the retry). */
  prepare: () => Promise<() => Promise<CallResult>>;
}

const json = (body: object) => ({ json: body, ip: uniqueIp() });

async function resetToken(email: string): Promise<string> {
  const res = await call(forgot, 'POST', '/api/password/forgot', json({ email }));
  return res.body.token as string;
}

const registration = async () => {
  const username = uniqueName();
  const body = json({ username, email: `${username}@example.com`, password: STRONG_PASSWORD });
  return () => call(register, 'POST', '/api/register', body);
};

const OPERATIONS: Operation[] = [
  {
    name: 'POST /api/register',
    style: 'api',
    expected: 201,
    prepare: registration,
  },
  {
    name: 'POST /api/register, the e-mail accepted',
    style: 'api',
    expected: 201,
    mail: 202,
    prepare: registration,
  },
  {
    name: 'POST /api/register, the e-mail refused',
    style: 'api',
    expected: 503,
    mail: 500,
    prepare: registration,
  },
  {
    name: 'POST /users',
    style: 'classic',
    expected: 200,
    prepare: async () => {
      const body = { form: { email: `${uniqueName('classic')}@example.com`, password: STRONG_PASSWORD }, ip: uniqueIp() };
      return () => call(classicUsers, 'POST', '/users', body);
    },
  },
  {
    name: 'POST /api/login',
    style: 'api',
    expected: 200,
    prepare: async () => {
      const { user, password } = await createUser();
      const body = json({ username: user.username, password });
      return () => call(login, 'POST', '/api/login', body);
    },
  },
  {
    name: 'POST /api/login, unconfirmed account',
    style: 'api',
    expected: 403,
    prepare: async () => {
      const { user, password } = await createUser({ confirmed: false });
      const body = json({ username: user.username, password });
      return () => call(login, 'POST', '/api/login', body);
    },
  },
  {
    name: 'POST /api/login, second factor on',
    style: 'api',
    expected: 403,
    prepare: async () => {
      const { user, token, password } = await createUser();
      await enableMfa(token);
      const body = json({ username: user.username, password });
      return () => call(login, 'POST', '/api/login', body);
    },
  },
  {
    name: 'POST /api/login/mfa',
    style: 'api',
    expected: 200,
    prepare: async () => {
      const { user, token, password } = await createUser();
      const { secret } = await enableMfa(token);
      const mfaToken = (await call(login, 'POST', '/api/login', json({ username: user.username, password }))).body.error.mfaToken;
      return () => call(loginMfa, 'POST', '/api/login/mfa', json({ mfaToken, code: codeAt(secret) }));
    },
  },
  {
    name: 'POST /api/me/mfa/totp',
    style: 'api',
    expected: 200,
    prepare: async () => {
      const { token, password } = await createUser();
      return () => call(mfaTotp, 'POST', '/api/me/mfa/totp', { token, json: { password } });
    },
  },
  {
    name: 'POST /api/me/passkeys/options (with a passkey step-up)',
    style: 'api',
    expected: 200,
    prepare: async () => {
      const { token, password } = await createUser();
      const authenticator = new SoftAuthenticator();
      await enrolPasskey(token, authenticator);
      const passkey = await stepUpAssertion(token, authenticator);
      return () => call(passkeyOptions, 'POST', '/api/me/passkeys/options', { token, json: { password, passkey } });
    },
  },
  {
    name: 'POST /api/me/mfa/totp/confirm',
    style: 'api',
    expected: 200,
    prepare: async () => {
      const { user, token, password } = await createUser();
      await createSession(user.id);
      const { secret } = (await call(mfaTotp, 'POST', '/api/me/mfa/totp', { token, json: { password } })).body;
      return () => call(mfaConfirm, 'POST', '/api/me/mfa/totp/confirm', { token, json: { code: codeAt(secret) } });
    },
  },
  {
    name: 'DELETE /api/me/mfa/totp',
    style: 'api',
    expected: 204,
    prepare: async () => {
      const { token, password } = await createUser();
      const { secret } = await enableMfa(token);
      return () => call(mfaTotp, 'DELETE', '/api/me/mfa/totp', { token, json: { password, code: codeAt(secret) } });
    },
  },
  {
    name: 'POST /api/me/mfa/recovery-codes',
    style: 'api',
    expected: 200,
    prepare: async () => {
      const { token, password } = await createUser();
      const { secret } = await enableMfa(token);
      return () => call(recoveryCodes, 'POST', '/api/me/mfa/recovery-codes', { token, json: { password, code: codeAt(secret) } });
    },
  },
  // An admin's removal of a user's factors: the admin's own code counted by the first statement, taken by the second.
  {
    name: 'DELETE /api/admin/users/{id}/mfa',
    style: 'api',
    expected: 200,
    prepare: async () => {
      const target = await createUser();
      await enableMfa(target.token);
      const admin = await createAdmin();
      const { secret } = await enableMfa(admin.token);
      const path = `/api/admin/users/${target.user.id}/mfa`;
      return () => call(adminUsersIdMfa, 'DELETE', path, { token: admin.token, json: { code: codeAt(secret) } });
    },
  },
  {
    name: 'DELETE /api/admin/users/{id}/passkeys',
    style: 'api',
    expected: 200,
    prepare: async () => {
      const target = await createUser();
      await enrolPasskey(target.token, new SoftAuthenticator());
      const admin = await createAdmin();
      const { secret } = await enableMfa(admin.token);
      const path = `/api/admin/users/${target.user.id}/passkeys`;
      return () => call(adminUsersIdPasskeys, 'DELETE', path, { token: admin.token, json: { code: codeAt(secret) } });
    },
  },
  // The step-up: the code counted by the first statement, taken by the second.
  {
    name: 'PUT /api/me/password (with a second factor)',
    style: 'api',
    expected: 200,
    prepare: async () => {
      const { user, token, password } = await createUser();
      const { secret } = await enableMfa(token);
      await createSession(user.id);
      const body = json({ currentPassword: password, newPassword: 'Copper-Lantern-26#', code: codeAt(secret) });
      return () => call(mePassword, 'PUT', '/api/me/password', { token, ...body });
    },
  },
  {
    name: 'DELETE /api/me (with a second factor)',
    style: 'api',
    expected: 204,
    prepare: async () => {
      const { token, password } = await createUser();
      const { recoveryCodes: codes } = await enableMfa(token);
      return () => call(me, 'DELETE', '/api/me', { token, ...json({ password, code: codes[0] }) });
    },
  },
  {
    name: 'POST /sessions',
    style: 'classic',
    expected: 200,
    prepare: async () => {
      const { email, password } = await registerClassic();
      const body = { form: { email, password }, ip: uniqueIp() };
      return () => call(classicSessions, 'POST', '/sessions', body);
    },
  },
  {
    name: 'DELETE /sessions',
    style: 'classic',
    expected: 302,
    prepare: async () => {
      const { email, password } = await registerClassic();
      const cookie = sessionCookieOf(
        (await call(classicSessions, 'POST', '/sessions', { form: { email, password }, ip: uniqueIp() })).headers,
      );
      return () => call(classicSessions, 'DELETE', '/sessions', { cookie });
    },
  },
  {
    name: 'GET /api/register/confirm/{code}',
    style: 'api',
    expected: 200,
    prepare: async () => {
      const { code } = await registerAccount();
      return () => call(confirm, 'GET', `/api/register/confirm/${code}`);
    },
  },
  {
    name: 'POST /api/register/resend',
    style: 'api',
    expected: 202,
    prepare: async () => {
      const { email } = await registerAccount();
      const body = json({ email });
      return () => call(resend, 'POST', '/api/register/resend', body);
    },
  },
  {
    name: 'POST /api/password/forgot',
    style: 'api',
    expected: 202,
    prepare: async () => {
      const { user } = await createUser();
      const body = json({ email: user.email });
      return () => call(forgot, 'POST', '/api/password/forgot', body);
    },
  },
  {
    name: 'POST /reset_password',
    style: 'classic',
    expected: 200,
    prepare: async () => {
      const { email } = await registerClassic();
      const body = { form: { email }, ip: uniqueIp() };
      return () => call(classicReset, 'POST', '/reset_password', body);
    },
  },
  {
    name: 'POST /api/password/reset',
    style: 'api',
    expected: 200,
    prepare: async () => {
      const { user } = await createUser();
      const body = json({ token: await resetToken(user.email), password: 'Copper-Lantern-26#' });
      return () => call(reset, 'POST', '/api/password/reset', body);
    },
  },
  {
    name: 'PUT /reset_password',
    style: 'classic',
    expected: 200,
    prepare: async () => {
      const { user } = await createUser();
      const body = { form: { email: user.email, reset_token: await resetToken(user.email), new_password: 'Copper-Lantern-26#' } };
      return () => call(classicReset, 'PUT', '/reset_password', body);
    },
  },
  {
    name: 'PUT /api/me/password',
    style: 'api',
    expected: 200,
    prepare: async () => {
      const { user, token, password } = await createUser();
      await createSession(user.id);
      return () =>
        call(mePassword, 'PUT', '/api/me/password', { token, json: { currentPassword: password, newPassword: 'Copper-Lantern-26#' } });
    },
  },
  {
    name: 'PATCH /api/me/profile',
    style: 'api',
    expected: 200,
    prepare: async () => {
      const { token } = await createUser();
      return () => call(meProfile, 'PATCH', '/api/me/profile', { token, json: { bio: 'Rebuilt after a fault', gender: 'other' } });
    },
  },
  {
    name: 'POST /api/logout',
    style: 'api',
    expected: 204,
    prepare: async () => {
      const { token } = await createUser();
      return () => call(logout, 'POST', '/api/logout', { token });
    },
  },
  {
    name: 'DELETE /api/me/sessions/{id}',
    style: 'api',
    expected: 204,
    prepare: async () => {
      const { user, token } = await createUser();
      const other = await createSession(user.id);
      return () => call(meSession, 'DELETE', `/api/me/sessions/${other.sessionId}`, { token });
    },
  },
  {
    name: 'DELETE /api/me/sessions',
    style: 'api',
    expected: 200,
    prepare: async () => {
      const { user, token } = await createUser();
      await createSession(user.id);
      return () => call(meSessions, 'DELETE', '/api/me/sessions', { token });
    },
  },
  {
    name: 'DELETE /api/me',
    style: 'api',
    expected: 204,
    prepare: async () => {
      const { user, token, password } = await createUser();
      await createSession(user.id);
      const post = await createPost(user, { title: 'Goes with the account', body: 'Body' });
      await addComment((await createUser()).user, post.id, { body: 'Goes with the post' });
      const body = json({ password });
      return () => call(me, 'DELETE', '/api/me', { token, ...body });
    },
  },
  {
    name: 'POST /api/me/email',
    style: 'api',
    expected: 202,
    prepare: async () => {
      const { token, password } = await createUser();
      const body = json({ email: `${uniqueName('moved')}@example.org`, password });
      return () => call(changeEmail, 'POST', '/api/me/email', { token, ...body });
    },
  },
  {
    name: 'POST /api/me/email/confirm/{code}',
    style: 'api',
    expected: 200,
    prepare: async () => {
      const { user, token, password } = await createUser();
      await createSession(user.id);
      const { code } = (
        await call(changeEmail, 'POST', '/api/me/email', { token, ...json({ email: `${uniqueName('moved')}@example.org`, password }) })
      ).body;
      return () => call(confirmChange, 'POST', `/api/me/email/confirm/${code}`, { token });
    },
  },
  {
    name: 'POST /api/posts',
    style: 'api',
    expected: 201,
    prepare: async () => {
      const { token } = await createUser();
      return () => call(posts, 'POST', '/api/posts', { token, json: { title: 'Written through a fault', body: 'Body' } });
    },
  },
  {
    name: 'PATCH /api/posts/{id}',
    style: 'api',
    expected: 200,
    prepare: async () => {
      const { user, token } = await createUser();
      const post = await createPost(user, { title: 'Before', body: 'Body' });
      return () => call(postsId, 'PATCH', `/api/posts/${post.id}`, { token, json: { title: 'After' } });
    },
  },
  {
    name: 'DELETE /api/posts/{id}',
    style: 'api',
    expected: 204,
    prepare: async () => {
      const { user, token } = await createUser();
      const post = await createPost(user, { title: 'Doomed', body: 'Body' });
      await addComment(user, post.id, { body: 'Goes with it' });
      return () => call(postsId, 'DELETE', `/api/posts/${post.id}`, { token });
    },
  },
  {
    name: 'POST /api/posts/{id}/comments',
    style: 'api',
    expected: 201,
    prepare: async () => {
      const { user, token } = await createUser();
      const post = await createPost(user, { title: 'Commented', body: 'Body' });
      return () => call(postComments, 'POST', `/api/posts/${post.id}/comments`, { token, json: { body: 'Through a fault' } });
    },
  },
  {
    name: 'DELETE /api/comments/{id}',
    style: 'api',
    expected: 204,
    prepare: async () => {
      const { user, token } = await createUser();
      const post = await createPost(user, { title: 'Commented', body: 'Body' });
      const comment = await addComment(user, post.id, { body: 'Doomed' });
      return () => call(commentsId, 'DELETE', `/api/comments/${comment.id}`, { token });
    },
  },
];

describe('a connection killed right before each statement of an operation', () => {
  it.each(OPERATIONS.map((op) => [op.name, op] as const))(
    '%s: 503, nothing half-applied, then the same request succeeds',
    async (_name, op) => {
      const mail = op.mail === undefined ? undefined : useMailProvider(op.mail);
      try {
        const { res: clean, statements } = await run(await op.prepare());
        expect(clean.status, clean.text).toBe(op.expected);
        for (let killAt = 1; killAt <= statements; killAt++) {
          const request = await op.prepare();
          const before = await snapshotTables();
          const { res } = await run(request, killAt);
          expectUnavailable(res, op.style);
          expect(await snapshotTables(), `killed before statement ${killAt} of ${statements}`).toBe(before);
          const retry = await request();
          expect(retry.status, `retry after statement ${killAt} was killed: ${retry.text}`).toBe(op.expected);
          figures['statements killed before they ran'] += 1;
        }
        figures.operations += 1;
      } finally {
        mail?.restore();
      }
    },
  );
});

describe('connections killed outside any statement', () => {
  it(`survives its idle pooled connections being terminated, ${ROUNDS} times`, async () => {
    const { token } = await createUser();
    for (let round = 0; round < ROUNDS; round++) {
      // Several connections in the pool, then all of them killed while idle.
      await Promise.all(Array.from({ length: 4 }, () => call(me, 'GET', '/api/me', { token })));
      expect(await terminateOthers()).toBeGreaterThan(0);
      expect((await call(me, 'GET', '/api/me', { token })).status).toBe(200);
      expect((await call(health, 'GET', '/api/health')).status).toBe(200);
      figures['idle pools killed'] += 1;
    }
  });

  it(`answers 503 when the connection dies in the middle of a statement, and recovers, ${ROUNDS} times`, async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const { user, token } = await createUser();
      const before = await snapshotTables();
      const interrupted = await killedWhileLocked('posts', () =>
        call(posts, 'POST', '/api/posts', { token, json: { title: 'Interrupted', body: 'Body' } }),
      );
      expectUnavailable(interrupted, 'api');
      expect(await snapshotTables()).toBe(before);
      const retry = await call(posts, 'POST', '/api/posts', { token, json: { title: 'Interrupted', body: 'Body' } });
      expect(retry.status).toBe(201);
      expect(retry.body.post.author.id).toBe(user.id);
      figures['statements killed in flight'] += 1;
    }
  });
});

// The list totals are kept by triggers in the transaction of each change
// (sql/migrations/0006_list_totals.sql). Here the counter's table is locked, so
// the change has written its rows and waits to count them when its backend is
// killed: neither the rows nor the count may be kept, and the totals stay equal
// to the counts, before and after the same request succeeds.
describe('a connection killed in the middle of a change, between its rows and its counter', () => {
  const COUNTED: Record<string, 'list_totals' | 'post_comment_totals'> = {
    'POST /api/register': 'list_totals',
    'POST /api/posts': 'list_totals',
    'POST /api/posts/{id}/comments': 'post_comment_totals',
    // Its comment goes first (cascade) and lowers the post's total; the post's own count then waits.
    'DELETE /api/posts/{id}': 'list_totals',
  };

  it.each(Object.entries(COUNTED))('%s: 503, neither rows nor count kept, totals exact', async (name, counter) => {
    const op = OPERATIONS.find((candidate) => candidate.name === name)!;
    const request = await op.prepare();
    const before = await snapshotTables();
    expectUnavailable(await killedWhileLocked(counter, request), op.style);
    expect(await snapshotTables()).toBe(before);
    const afterKill = await totalsAndCounts();
    expect(afterKill.kept).toEqual(afterKill.counted);
    const retry = await request();
    expect(retry.status, retry.text).toBe(op.expected);
    const afterRetry = await totalsAndCounts();
    expect(afterRetry.kept).toEqual(afterRetry.counted);
    expect(afterRetry.kept).not.toEqual(afterKill.kept);
    figures['changes killed before their counter'] += 1;
  });
});
