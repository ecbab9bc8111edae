// sql/seed.sql loaded with psql, as operators do, into this file's database,
// which already holds users, posts and comments of its own.
import { sql, type RawBuilder } from 'kysely';
import * as v from 'valibot';
import { beforeAll, describe, expect, it } from 'vitest';
import login from '../../netlify/functions/login.ts';
import { passwordProblems } from '../../src/auth/passwords/policy.ts';
import { runPsqlFile, SEED_FILE, type PsqlResult } from '../../src/cli/psql.ts';
import { getDb } from '../../src/db/connection.ts';
import type { ProfileRow } from '../../src/db/schema.ts';
import { presentProfile } from '../../src/users/present.ts';
import { profilePatchSchema } from '../../src/users/profile-rules.ts';
import { usernameSchema } from '../../src/users/username.ts';
import { call } from '../support/call.ts';
import { createUser } from '../support/users.ts';

/** The documented password of every seeded user (README, sql/seed.sql). */
const SEED_PASSWORD = 'Seeded-Demo-42!';
const USERS = 600;
const WITHOUT_CONTENT = Math.floor(USERS / 5);

function seed(...vars: string[]): Promise<PsqlResult> {
  return runPsqlFile(
    process.env.DATABASE_URL!,
    SEED_FILE,
    vars.flatMap((assignment) => ['-v', assignment]),
  );
}

async function rows<T>(query: RawBuilder<T>): Promise<T[]> {
  return (await query.execute(getDb())).rows;
}

/** Row counts and who owns which post and comment. */
async function snapshot() {
  const [state] = await rows<Record<string, number | string>>(sql`
    SELECT (SELECT count(*) FROM users) AS users,
           (SELECT count(*) FROM user_profiles) AS profiles,
           (SELECT count(*) FROM posts) AS posts,
           (SELECT count(*) FROM comments) AS comments,
           (SELECT md5(coalesce(string_agg(id || ':' || user_id, ',' ORDER BY id), '')) FROM posts) AS post_owners,
           (SELECT md5(coalesce(string_agg(id || ':' || user_id, ',' ORDER BY id), '')) FROM comments) AS comment_owners`);
  return state!;
}

async function maxUserId(): Promise<number> {
  const [row] = await rows<{ max: number | null }>(sql`SELECT max(id) AS max FROM users`);
  return row!.max ?? 0;
}

interface Run {
  before: Record<string, number | string>;
  /** Ids above this one belong to the batch (nothing else writes to this database meanwhile). */
  firstId: number;
  result: PsqlResult;
}

async function run(...vars: string[]): Promise<Run> {
  const before = await snapshot();
  const firstId = (await maxUserId()) + 1;
  return { before, firstId, result: await seed(...vars) };
}

/** Each index and constraint of the seeded tables: its definition, and its oid (a new one once rebuilt). */
async function structure(): Promise<Map<string, { definition: string; oid: number }>> {
  const found = await rows<{ name: string; definition: string; oid: number }>(sql`
    SELECT c.relname AS name, pg_get_indexdef(c.oid) AS definition, c.oid::int AS oid
    FROM pg_index AS i JOIN pg_class AS c ON c.oid = i.indexrelid
    WHERE i.indrelid IN ('users'::regclass, 'user_profiles'::regclass, 'posts'::regclass, 'comments'::regclass, 'post_comment_totals'::regclass)
    UNION ALL
    SELECT conname, pg_get_constraintdef(oid) || CASE WHEN convalidated THEN '' ELSE ' NOT VALID' END, oid::int
    FROM pg_constraint
    WHERE conrelid IN ('users'::regclass, 'user_profiles'::regclass, 'posts'::regclass, 'comments'::regclass, 'post_comment_totals'::regclass)`);
  return new Map(found.map(({ name, ...rest }) => [name, rest]));
}

function rebuilt(before: Map<string, { definition: string; oid: number }>, after: Map<string, { definition: string; oid: number }>) {
  expect(new Map([...after].map(([name, { definition }]) => [name, definition]))).toEqual(
    new Map([...before].map(([name, { definition }]) => [name, definition])),
  );
  return [...after]
    .filter(([name, { oid }]) => before.get(name)!.oid !== oid)
    .map(([name]) => name)
    .sort();
}

let preexisting: { userIds: number[]; postIds: number[]; commentIds: number[] };
let first: Run;
let structureBefore: Awaited<ReturnType<typeof structure>>;
let structureAfter: Awaited<ReturnType<typeof structure>>;

beforeAll(async () => {
  const userIds: number[] = [];
  for (let i = 0; i < 3; i += 1) userIds.push((await createUser()).user.id);
  const postIds = (
    await rows<{ id: number }>(sql`
      INSERT INTO posts (user_id, title, body)
      SELECT ${userIds[0]}::bigint + n % 3, 'Hand-written post ' || n, 'Written before the seed.'
      FROM generate_series(1, 4) AS n RETURNING id`)
  ).map((row) => row.id);
  const commentIds = (
    await rows<{ id: number }>(sql`
      INSERT INTO comments (post_id, user_id, body)
      SELECT ${postIds[0]}::bigint + n % 4, ${userIds[0]}::bigint + n % 3, 'An early comment.'
      FROM generate_series(1, 6) AS n RETURNING id`)
  ).map((row) => row.id);
  preexisting = { userIds, postIds, commentIds };
  structureBefore = await structure();
  first = await run(`users=${USERS}`);
  structureAfter = await structure();
});

describe('sql/seed.sql', () => {
  it('adds exactly the requested number of users, each with a profile', async () => {
    expect(first.result).toMatchObject({ code: 0, stderr: '' });
    expect(first.result.stdout).toContain(`added ${USERS} users`);
    const after = await snapshot();
    expect(after.users).toBe(Number(first.before.users) + USERS);
    expect(after.profiles).toBe(Number(first.before.profiles) + USERS);
  });

  it('makes valid, unique usernames and e-mails, all confirmed, all with the one precomputed hash', async () => {
    const users = await rows<{ username: string; email: string; password_hash: string; confirmed_at: Date | null }>(
      sql`SELECT username, email, password_hash, confirmed_at FROM users WHERE id >= ${first.firstId}`,
    );
    expect(users).toHaveLength(USERS);
    expect(users.filter((user) => !v.is(usernameSchema, user.username)).map((user) => user.username)).toEqual([]);
    expect(users.filter((user) => user.email !== `${user.username}@example.com`)).toEqual([]);
    expect(users.filter((user) => user.confirmed_at === null)).toEqual([]);
    expect(new Set(users.map((user) => user.password_hash))).toEqual(new Set([expect.stringMatching(/^\$scrypt\$ln=17,r=8,p=1\$/)]));
  });

  it('gives every post and comment, the older ones included, a writing user of the batch', async () => {
    const [owners] = await rows<Record<string, number>>(sql`
      SELECT (SELECT count(*) FROM posts LEFT JOIN users ON users.id = posts.user_id
              WHERE users.id IS NULL OR users.id < ${first.firstId}) AS posts_outside_batch,
             (SELECT count(*) FROM comments LEFT JOIN users ON users.id = comments.user_id
              WHERE users.id IS NULL OR users.id < ${first.firstId}) AS comments_outside_batch,
             (SELECT count(*) FROM posts WHERE id = ANY(${preexisting.postIds}::bigint[])) AS old_posts,
             (SELECT count(*) FROM comments WHERE id = ANY(${preexisting.commentIds}::bigint[])) AS old_comments`);
    expect(owners).toEqual({ posts_outside_batch: 0, comments_outside_batch: 0, old_posts: 4, old_comments: 6 });
  });

  it('leaves exactly a fifth of the batch without content, and every other seeded user with a post', async () => {
    const [content] = await rows<Record<string, number>>(sql`
      WITH batch AS (
        SELECT id,
               (SELECT count(*) FROM posts WHERE posts.user_id = users.id) AS posts,
               (SELECT count(*) FROM comments WHERE comments.user_id = users.id) AS comments
        FROM users WHERE id >= ${first.firstId})
      SELECT count(*) FILTER (WHERE posts = 0 AND comments = 0) AS without_content,
             count(*) FILTER (WHERE posts = 0 AND comments > 0) AS commenting_only,
             (SELECT count(*) FROM posts) AS posts,
             (SELECT count(*) FROM comments) AS comments
      FROM batch`);
    const writers = USERS - WITHOUT_CONTENT;
    expect(content).toMatchObject({ without_content: WITHOUT_CONTENT, commenting_only: 0, comments: 2 * writers + 6 });
    // 1-3 new posts per writing user, plus the 4 that existed.
    expect(content!.posts).toBeGreaterThanOrEqual(writers + 4);
    expect(content!.posts).toBeLessThanOrEqual(3 * writers + 4);
  });

  it('gives every seeded user a profile that passes the API profile rules, with some fields left null', async () => {
    const profiles = await rows<Pick<ProfileRow, 'bio' | 'location' | 'birthday' | 'gender' | 'marital_status'>>(
      sql`SELECT bio, location, birthday, gender, marital_status FROM user_profiles WHERE user_id >= ${first.firstId}`,
    );
    expect(profiles).toHaveLength(USERS);
    const invalid = profiles
      .map((profile) => ({ profile, result: v.safeParse(profilePatchSchema, presentProfile(profile)) }))
      .filter(({ result }) => !result.success)
      .map(({ profile, result }) => ({ profile, issues: result.issues?.map((issue) => issue.message) }));
    expect(invalid).toEqual([]);
    for (const field of ['bio', 'location', 'birthday', 'gender', 'marital_status'] as const) {
      const missing = profiles.filter((profile) => profile[field] === null).length;
      expect(missing, field).toBeGreaterThan(0);
      expect(missing, field).toBeLessThan(USERS);
    }
  });

  it('lets a seeded user log in through POST /api/login with the documented password', async () => {
    const [user] = await rows<{ id: number; username: string; email: string }>(
      sql`SELECT id, username, email FROM users WHERE id >= ${first.firstId} ORDER BY random() LIMIT 1`,
    );
    expect(await passwordProblems(SEED_PASSWORD, user!)).toEqual([]);
    const res = await call(login, 'POST', '/api/login', { json: { username: user!.username, password: SEED_PASSWORD } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ token: expect.any(String), tokenType: 'Bearer', user: { id: user!.id, confirmed: true } });
  });

  it('keeps nothing when it fails after all its work, just before COMMIT', async () => {
    const failed = await run(`users=${USERS}`, 'force_failure=1');
    expect(failed.result.code).toBe(3);
    expect(failed.result.stderr).toContain('failing on purpose');
    expect(await snapshot()).toEqual(failed.before);
  });

  it('refuses a size that is not a positive whole number, changing nothing', async () => {
    for (const size of ['0', '-5', '1.5', '10; DROP TABLE users', '']) {
      const refused = await run(`users=${size}`);
      expect(refused.result.code, size).toBe(3);
      expect(refused.result.stderr, size).toContain('users must be a whole number');
      expect(await snapshot(), size).toEqual(refused.before);
    }
  });

  it('adds a second batch, under new names, when run again; 10,000 users without -v users', async () => {
    const second = await run();
    expect(second.result).toMatchObject({ code: 0, stderr: '' });
    const [batches] = await rows<Record<string, number>>(sql`
      SELECT count(*) AS users,
             count(DISTINCT split_part(username, '_', 2)) FILTER (WHERE id >= ${first.firstId}) AS tags,
             count(*) FILTER (WHERE id >= ${second.firstId}) AS second_batch
      FROM users`);
    expect(batches).toEqual({ users: Number(second.before.users) + 10_000, tags: 2, second_batch: 10_000 });
  });

  // A batch at least as large as the users already there loads with the
  // secondary indexes, unique constraints and foreign keys set aside; they are
  // put back as they were, validated. A smaller batch leaves them in place.
  it('puts back every index and constraint it set aside for a large batch, as it was, and sets none aside for a small one', async () => {
    expect(first.result.code).toBe(0);
    expect(rebuilt(structureBefore, structureAfter)).toEqual([
      'comments_post_id_created_at_id_idx',
      'comments_post_id_fkey',
      'comments_user_id_fkey',
      'comments_user_id_idx',
      'post_comment_totals_post_id_fkey',
      'posts_created_at_id_idx',
      'posts_user_id_fkey',
      'posts_user_id_idx',
      'user_profiles_user_id_fkey',
      'users_admin_idx',
      'users_banned_idx',
      'users_confirmed_username_idx',
      'users_email_key',
      'users_email_prefix_idx',
      'users_unconfirmed_created_at_idx',
      'users_unconfirmed_idx',
      'users_username_key',
      'users_username_prefix_idx',
    ]);
    const before = await structure();
    expect((await run('users=1')).result).toMatchObject({ code: 0, stderr: '' });
    expect(rebuilt(before, await structure())).toEqual([]);
  });
});
