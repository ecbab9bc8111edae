// The purge on a real database: each kind of row it deletes, the rows beside
// them that must survive, retention settings, bounded batches, two runs at once.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import { beforeEach, describe, expect, it } from 'vitest';
import scheduled, { config } from '../../netlify/functions/purge.ts';
import { getDb, onQuery } from '../../src/db/connection.ts';
import { PURGE_STEPS, purge, type PurgeStep } from '../../src/system/purge.ts';
import { envPerTest } from '../support/env.ts';
import { captureLogs } from '../support/logs.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
let serial = 0;

const ago = (ms: number) => new Date(Date.now() - ms);

async function user({ createdAgo = 0, confirmed = true } = {}): Promise<number> {
  serial += 1;
  const name = `purge_${serial}_${Math.random().toString(36).slice(2, 8)}`;
  const created = ago(createdAgo);
  const { rows } = await sql<{ id: number }>`
    INSERT INTO users (username, email, password_hash, confirmed_at, created_at, updated_at)
    VALUES (${name}, ${`${name}@example.com`}, '$scrypt$test', ${confirmed ? created : null}, ${created}, ${created})
    RETURNING id`.execute(getDb());
  await sql`INSERT INTO user_profiles (user_id) VALUES (${rows[0]!.id})`.execute(getDb());
  return rows[0]!.id;
}

async function session(userId: number, expiresAgo: number): Promise<number> {
  const expires = ago(expiresAgo);
  const { rows } = await sql<{ id: number }>`
    INSERT INTO sessions (user_id, created_at, expires_at) VALUES (${userId}, ${new Date(expires.getTime() - 7 * DAY)}, ${expires})
    RETURNING id`.execute(getDb());
  return rows[0]!.id;
}

/** A code that expires (or expired) `expiresAgo` ago, used `usedAgo` ago if given. */
async function code(
  userId: number,
  { expiresAgo, usedAgo, purpose = 'confirm_email' }: { expiresAgo: number; usedAgo?: number; purpose?: string },
): Promise<number> {
  const hash = Buffer.from(crypto.getRandomValues(new Uint8Array(32)));
  const expires = ago(expiresAgo);
  const { rows } = await sql<{ id: number }>`
    INSERT INTO one_time_tokens (user_id, purpose, token_hash, created_at, expires_at, used_at)
    VALUES (${userId}, ${purpose}, ${hash}, ${new Date(expires.getTime() - 10 * 60_000)}, ${expires},
            ${usedAgo === undefined ? null : ago(usedAgo)})
    RETURNING id`.execute(getDb());
  return rows[0]!.id;
}

async function counter(bucket: string, startedAgo: number): Promise<void> {
  await sql`INSERT INTO rate_limits (bucket, window_start, hits) VALUES (${bucket}, ${ago(startedAgo)}, 3)`.execute(getDb());
}

async function ids(table: 'users' | 'sessions' | 'one_time_tokens' | 'security_events' | 'admin_actions'): Promise<number[]> {
  const { rows } = await sql<{ id: number }>`SELECT id FROM ${sql.table(table)} ORDER BY id`.execute(getDb());
  return rows.map((row) => Number(row.id));
}

async function buckets(): Promise<string[]> {
  const { rows } = await sql<{ bucket: string }>`SELECT bucket FROM rate_limits ORDER BY bucket`.execute(getDb());
  return rows.map((row) => row.bucket);
}

beforeEach(async () => {
  await sql`TRUNCATE users, rate_limits CASCADE`.execute(getDb());
});

const env = envPerTest();

describe('purge', () => {
  it('deletes accounts never confirmed after 7 days, with their codes, and keeps the rest', async () => {
    const stale = await user({ createdAgo: 8 * DAY, confirmed: false });
    const staleCode = await code(stale, { expiresAgo: 8 * DAY });
    const recent = await user({ createdAgo: 6 * DAY, confirmed: false });
    const confirmed = await user({ createdAgo: 300 * DAY });
    // Asked for a new code just before the deadline: it still works, so the account stays.
    const waiting = await user({ createdAgo: 8 * DAY, confirmed: false });
    const liveCode = await code(waiting, { expiresAgo: -5 * 60_000 });

    const report = await purge();

    expect(report).toMatchObject({ complete: true, deleted: { 'unconfirmed accounts': 1 } });
    expect(await ids('users')).toEqual([recent, confirmed, waiting].sort((a, b) => a - b));
    expect(await ids('one_time_tokens')).toEqual([liveCode]);
    expect(staleCode).toBeLessThan(liveCode);
    const { rows } = await sql<{ n: string }>`SELECT count(*) AS n FROM user_profiles WHERE user_id = ${stale}`.execute(getDb());
    expect(Number(rows[0]!.n)).toBe(0);
  });

  it('deletes sessions a day after their idle end, and keeps those used within the idle period', async () => {
    const owner = await user();
    const idle = await session(owner, -20 * DAY);
    const used = await session(owner, -20 * DAY);
    await sql`UPDATE sessions SET last_seen_at = ${ago(9 * DAY)} WHERE id = ${idle}`.execute(getDb());
    await sql`UPDATE sessions SET last_seen_at = ${ago(6 * DAY)} WHERE id = ${used}`.execute(getDb());

    const report = await purge();

    expect(report.deleted['idle sessions']).toBe(1);
    expect(await ids('sessions')).toEqual([used]);
  });

  it('deletes sessions a day after they expired, and keeps live and recently expired ones', async () => {
    const owner = await user();
    const old = await session(owner, 2 * DAY);
    const recent = await session(owner, HOUR);
    const live = await session(owner, -DAY);

    const report = await purge();

    expect(report.deleted['expired sessions']).toBe(1);
    expect(await ids('sessions')).toEqual([recent, live]);
    expect(old).toBeLessThan(recent);
  });

  it('deletes codes a day after they were used or expired, and keeps live and recently spent ones', async () => {
    // One unused code per user and purpose (a unique index): two owners.
    const [owner, other] = [await user(), await user()];
    await code(other, { expiresAgo: 2 * DAY, purpose: 'reset_password' });
    await code(owner, { expiresAgo: -HOUR, usedAgo: 2 * DAY, purpose: 'reset_password' });
    const usedRecently = await code(owner, { expiresAgo: -HOUR, usedAgo: HOUR, purpose: 'reset_password' });
    const live = await code(owner, { expiresAgo: -HOUR, purpose: 'reset_password' });

    const report = await purge();

    expect(report.deleted['used or expired codes']).toBe(2);
    expect(await ids('one_time_tokens')).toEqual([usedRecently, live]);
  });

  it('deletes second-factor login challenges a day after they expired', async () => {
    const owner = await user();
    const challenge = (expiresAgo: number) =>
      sql<{ id: number }>`INSERT INTO mfa_challenges (user_id, token_hash, expires_at, tries_left)
        VALUES (${owner}, ${Buffer.from(crypto.getRandomValues(new Uint8Array(32)))}, ${ago(expiresAgo)}, 5) RETURNING id`.execute(getDb());
    await challenge(2 * DAY);
    const recent = (await challenge(HOUR)).rows[0]!.id;
    const live = (await challenge(-60_000)).rows[0]!.id;

    const report = await purge();

    expect(report.deleted['expired login challenges']).toBe(1);
    const { rows } = await sql<{ id: number }>`SELECT id FROM mfa_challenges ORDER BY id`.execute(getDb());
    expect(rows.map((r) => r.id)).toEqual([recent, live]);
  });

  it('deletes rate-limit rows whose window ended for every limit, and keeps the others', async () => {
    // The default limits' windows run from 10 minutes to a day (second-factor codes' long cap).
    await counter('login_ip:old', 2 * DAY);
    await counter('login_ip:current', 10 * 60_000);
    await counter('register_ip:ended', DAY + HOUR);

    const report = await purge();

    expect(report.deleted['ended rate-limit windows']).toBe(2);
    expect(await buckets()).toEqual(['login_ip:current']);
  });

  it('deletes expired passkey challenges at once (they live minutes), and keeps the open ones', async () => {
    const owner = await user();
    const challenge = async (expiresAgo: number, userId: number | null) =>
      sql`INSERT INTO webauthn_challenges (challenge, purpose, user_id, expires_at)
        VALUES (${`c${++serial}`}, ${userId === null ? 'login' : 'register'}, ${userId}, ${ago(expiresAgo)})`.execute(getDb());
    await challenge(60_000, owner);
    await challenge(60_000, null);
    await challenge(-4 * 60_000, null);

    expect((await purge()).deleted['expired passkey challenges']).toBe(2);
    const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM webauthn_challenges WHERE expires_at > now()`.execute(getDb());
    expect(rows[0]!.n).toBe(1);
    expect((await sql<{ n: number }>`SELECT count(*)::int AS n FROM webauthn_challenges`.execute(getDb())).rows[0]!.n).toBe(1);
  });

  it('deletes expired sign-ins at providers (they live minutes), and keeps the open ones', async () => {
    const pending = async (expiresAgo: number) =>
      sql`INSERT INTO federated_sign_ins (state_hash, provider, code_verifier, nonce, return_to, expires_at)
        VALUES (${Buffer.from(`s${++serial}`)}, 'corp', 'v', 'n', '/app/', ${ago(expiresAgo)})`.execute(getDb());
    await pending(60_000);
    await pending(-5 * 60_000);

    expect((await purge()).deleted['expired sign-ins at providers']).toBe(1);
    const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM federated_sign_ins`.execute(getDb());
    expect(rows[0]!.n).toBe(1);
  });

  it('deletes security events past AUDIT_EVENTS_RETENTION (90 days by default), and keeps the rest', async () => {
    const owner = await user();
    const ages = [200, 120, 91, 89, 1];
    const kept: number[] = [];
    for (const days of ages) {
      const { rows } = await sql<{ id: number }>`
        INSERT INTO security_events (user_id, kind, created_at) VALUES (${owner}, 'logout', ${ago(days * DAY)}) RETURNING id`.execute(
        getDb(),
      );
      if (days < 90) kept.push(Number(rows[0]!.id));
    }

    expect((await purge()).deleted['security events past retention']).toBe(3);
    expect(await ids('security_events')).toEqual(kept);

    env({ AUDIT_EVENTS_RETENTION: '7d' });
    expect((await purge()).deleted['security events past retention']).toBe(1);
    expect(await ids('security_events')).toEqual(kept.slice(1));
  });

  it('deletes admin actions past ADMIN_ACTIONS_RETENTION (365 days by default), kept apart from the events', async () => {
    const target = await user();
    const kept: number[] = [];
    for (const days of [800, 366, 364, 100, 1]) {
      const { rows } = await sql<{ id: number }>`
        INSERT INTO admin_actions (actor_name, action, target_user_id, created_at)
        VALUES ('command line', 'role_granted', ${target}, ${ago(days * DAY)}) RETURNING id`.execute(getDb());
      if (days < 365) kept.push(Number(rows[0]!.id));
    }

    expect((await purge()).deleted['admin actions past retention']).toBe(2);
    expect(await ids('admin_actions')).toEqual(kept);

    // The events' setting leaves the admin trail alone; its own shortens it.
    env({ AUDIT_EVENTS_RETENTION: '7d' });
    expect((await purge()).deleted['admin actions past retention']).toBe(0);
    env({ ADMIN_ACTIONS_RETENTION: '30d' });
    expect((await purge()).deleted['admin actions past retention']).toBe(2);
    expect(await ids('admin_actions')).toEqual(kept.slice(2));
  });

  it('deletes the addresses an account last logged in from over 30 days ago, and keeps the recent ones', async () => {
    const [owner, other] = [await user(), await user()];
    const known = (userId: number, address: string, lastLoginAgo: number) =>
      sql`INSERT INTO known_addresses (user_id, address, last_login_at) VALUES (${userId}, ${address}, ${ago(lastLoginAgo)})`.execute(
        getDb(),
      );
    await known(owner, '192.0.2.1', 31 * DAY);
    await known(owner, '2001:db8:1:2::/64', 29 * DAY);
    await known(other, '192.0.2.1', HOUR);
    await known(other, '198.51.100.7', 40 * DAY);

    const report = await purge();

    expect(report.deleted['known addresses unused for 30 days']).toBe(2);
    const { rows } = await sql<{ user_id: number; address: string }>`
      SELECT user_id, address FROM known_addresses ORDER BY user_id, address`.execute(getDb());
    expect(rows.map((row) => [Number(row.user_id), row.address])).toEqual([
      [owner, '2001:db8:1:2::/64'],
      [other, '192.0.2.1'],
    ]);
  });

  it('keeps a counter while any limit could still count it (RATE_LIMIT_* with a longer window)', async () => {
    env({ RATE_LIMIT_EMAIL: '5/2h' });
    await counter('email:one', HOUR);
    expect((await purge()).deleted['ended rate-limit windows']).toBe(0);
    expect(await buckets()).toEqual(['email:one']);
  });

  it('reads its retention from PURGE_UNCONFIRMED_AFTER and PURGE_EXPIRED_AFTER', async () => {
    env({ PURGE_UNCONFIRMED_AFTER: '1d', PURGE_EXPIRED_AFTER: '1m' });
    const unconfirmed = await user({ createdAgo: 2 * DAY, confirmed: false });
    const owner = await user();
    await session(owner, HOUR);

    const report = await purge();

    expect(report.deleted).toMatchObject({ 'unconfirmed accounts': 1, 'expired sessions': 1 });
    expect(await ids('users')).toEqual([owner]);
    expect(unconfirmed).toBeLessThan(owner);
  });

  it('refuses a retention that is not a duration, naming the variable', async () => {
    env({ PURGE_EXPIRED_AFTER: 'forever' });
    const owner = await user();
    await session(owner, 2 * DAY);
    await expect(purge()).rejects.toThrow(/PURGE_EXPIRED_AFTER/);
  });

  it('deletes in bounded batches, one statement each, until a batch comes back short', async () => {
    const owner = await user();
    for (let i = 0; i < 7; i += 1) await session(owner, 2 * DAY);
    const small: PurgeStep[] = [{ ...PURGE_STEPS.find((s) => s.name === 'expired sessions')!, batch: 3 }];
    const statements: string[] = [];
    const stop = onQuery((event) => statements.push(event.query.sql));
    try {
      const report = await purge({ steps: small });
      expect(report.deleted).toEqual({ 'expired sessions': 7 });
    } finally {
      stop();
    }
    // 3 + 3 + 1: the short third batch ends the step.
    expect(statements).toHaveLength(3);
    for (const text of statements) expect(text).toMatch(/LIMIT \$\d+ FOR UPDATE SKIP LOCKED/);
    expect(await ids('sessions')).toEqual([]);
  });

  it('stops when its time budget is spent and says so; the next run carries on', async () => {
    const owner = await user();
    await session(owner, 2 * DAY);
    const spent = await purge({ budgetMs: 0 });
    expect(spent.complete).toBe(false);
    expect(await ids('sessions')).toHaveLength(1);
    expect((await purge()).deleted['expired sessions']).toBe(1);
  });

  it('is safe twice at once: both finish, and together they delete each row once', async () => {
    const owners = await Promise.all(Array.from({ length: 4 }, () => user()));
    for (const owner of owners) for (let i = 0; i < 50; i += 1) await session(owner, 2 * DAY);
    const survivor = await session(owners[0]!, -DAY);
    const small = PURGE_STEPS.map((step) => ({ ...step, batch: 7 }));

    const [a, b] = await Promise.all([purge({ steps: small }), purge({ steps: small })]);

    expect(a.deleted['expired sessions']! + b.deleted['expired sessions']!).toBe(200);
    expect(await ids('sessions')).toEqual([survivor]);
  });

  it('runs hourly as a scheduled function and logs the count of each step', async () => {
    expect(config).toEqual({ schedule: '@hourly' });
    const owner = await user();
    await session(owner, 2 * DAY);
    const logs = captureLogs();
    try {
      const response = await scheduled();
      expect(response.status).toBe(204);
      expect(logs.of('purge_step').map((line) => [line.step, line.deleted])).toEqual([
        ['unconfirmed accounts', 0],
        ['expired sessions', 1],
        ['idle sessions', 0],
        ['used or expired codes', 0],
        ['expired login challenges', 0],
        ['expired passkey challenges', 0],
        ['expired sign-ins at providers', 0],
        ['ended rate-limit windows', 0],
        ['known addresses unused for 30 days', 0],
        ['security events past retention', 0],
        ['admin actions past retention', 0],
      ]);
      expect(logs.lines().map((line) => line.event)).toEqual([...PURGE_STEPS.map(() => 'purge_step'), 'request']);
    } finally {
      logs.restore();
    }
  });

  it('runs by hand as npm run db:purge, to the end, with one line of counts', { timeout: 60_000 }, async () => {
    const owner = await user();
    await session(owner, 2 * DAY);
    const root = new URL('../../', import.meta.url).pathname;
    const { stdout } = await promisify(execFile)(`${root}node_modules/.bin/tsx`, ['src/cli/purge.ts'], {
      cwd: root,
      env: { ...process.env },
    });
    expect(stdout).toMatch(
      /^DATABASE_URL \(postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:\d+\/auth_test_\w+\): purged 0 unconfirmed accounts, 1 expired sessions, /m,
    );
    expect(await ids('sessions')).toEqual([]);
  });
});
