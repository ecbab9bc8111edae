// The plans of every list query, on a database seeded by sql/seed.sql (2,000
// users: about 3,200 posts and comments), read with EXPLAIN ANALYZE. At this
// size a sequential scan and a sort are cheap, and the planner would often
// take them; at a million users they cost the whole table. So the planner is
// told what scale makes true (enable_seqscan and enable_sort off: such plans
// are taken only when no other exists) and the plans must show:
//   - the list's own index read in the list's order, never a Seq Scan of a
//     listed table, and no Sort but over a page (a Limit below it);
//   - a cursor page reads only the page from the index (pageSize + 1 entries);
//   - a page number reads the skipped entries from an Index Only Scan (no heap
//     fetch after VACUUM), then only the page's rows;
//   - a page past the end reads nothing at all.
// The totals the seeded lists answer are checked against count(*) here too.
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import meSessions from '../../netlify/functions/me-sessions.ts';
import postComments from '../../netlify/functions/posts-id-comments.ts';
import posts from '../../netlify/functions/posts.ts';
import users from '../../netlify/functions/users.ts';
import { createSession } from '../../src/auth/sessions/sessions.ts';
import { runPsqlFile, SEED_FILE } from '../../src/cli/psql.ts';
import { getDb, onQuery } from '../../src/db/connection.ts';
import { call, type CallOptions } from '../support/call.ts';

const USERS = 2_000;
const UNCONFIRMED = 300;
const PAGE_SIZE = 20;
const PLANNER = ['SET enable_seqscan = off', 'SET enable_sort = off'];
const LISTED_TABLES = ['users', 'posts', 'comments', 'sessions'];

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Actual Rows': number;
  'Actual Loops': number;
  'Heap Fetches'?: number;
  Plans?: PlanNode[];
}

const nodes = (plan: PlanNode): PlanNode[] => [plan, ...(plan.Plans ?? []).flatMap(nodes)];

let client: pg.Client;
let token: string;
let busyPost: { id: number; comments: number };
let totals: { users: number; posts: number };

beforeAll(async () => {
  const { code, stderr } = await runPsqlFile(process.env.DATABASE_URL!, SEED_FILE, ['-v', `users=${USERS}`]);
  expect(code, stderr).toBe(0);
  const db = getDb();
  const { id: userId } = await db.selectFrom('users').select('id').orderBy('id').limit(1).executeTakeFirstOrThrow();
  await sql`INSERT INTO sessions (user_id, created_at, expires_at)
             SELECT ${userId}, now() - i * interval '1 minute', now() + interval '1 day' FROM generate_series(1, 60) i`.execute(db);
  token = (await createSession(userId)).token;
  // Accounts that never confirmed are left out of the directory: some among the seeded ones.
  await sql`INSERT INTO users (username, email, password_hash, created_at, updated_at)
             SELECT 'unconfirmed_' || i, 'unconfirmed_' || i || '@example.com', '$scrypt$unusable', now(), now()
             FROM generate_series(1, ${UNCONFIRMED}) i`.execute(db);
  const { rows } = await sql<{ id: number; comments: number }>`
    SELECT post_id AS id, count(*)::int AS comments FROM comments GROUP BY post_id ORDER BY 2 DESC, 1 LIMIT 1`.execute(db);
  busyPost = rows[0]!;
  const counted = await sql<{ users: number; posts: number }>`
    SELECT (SELECT count(*) FROM users WHERE confirmed_at IS NOT NULL)::int AS users, (SELECT count(*) FROM posts)::int AS posts`.execute(
    db,
  );
  totals = counted.rows[0]!;
  client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  // The test server commits asynchronously, and VACUUM marks a page all-visible only once the commits of
  // its rows, and of every transaction near them, are on disk: flush them all, then commit synchronously.
  await client.query('SET synchronous_commit = on');
  await client.query('CHECKPOINT');
  await client.query('VACUUM ANALYZE');
  for (const setting of PLANNER) await client.query(setting);
}, 120_000);

afterAll(async () => {
  await client?.end();
});

/** The one statement a request runs, explained with the values it was sent with. */
async function planOf(handler: Parameters<typeof call>[0], path: string, options?: CallOptions): Promise<PlanNode> {
  const statements: { sql: string; parameters: readonly unknown[] }[] = [];
  const stop = onQuery((event) => void statements.push(event.query));
  let res: Awaited<ReturnType<typeof call>>;
  try {
    res = await call(handler, 'GET', path, options);
  } finally {
    stop();
  }
  expect(res.status, res.text).toBe(200);
  expect(statements).toHaveLength(1);
  const { rows } = await client.query(`EXPLAIN (ANALYZE, FORMAT JSON) ${statements[0]!.sql}`, [...statements[0]!.parameters]);
  return rows[0]['QUERY PLAN'][0].Plan as PlanNode;
}

interface List {
  name: string;
  handler: Parameters<typeof call>[0];
  path: () => string;
  options?: () => CallOptions;
  index: string;
  size: () => number;
}

const LISTS: List[] = [
  { name: 'posts', handler: posts, path: () => '/api/posts', index: 'posts_created_at_id_idx', size: () => totals.posts },
  { name: 'users', handler: users, path: () => '/api/users', index: 'users_confirmed_username_idx', size: () => totals.users },
  {
    name: "a post's comments",
    handler: postComments,
    path: () => `/api/posts/${busyPost.id}/comments`,
    index: 'comments_post_id_created_at_id_idx',
    size: () => busyPost.comments,
  },
  {
    name: "the caller's sessions",
    handler: meSessions,
    path: () => '/api/me/sessions',
    options: () => ({ token }),
    index: 'sessions_user_id_created_at_id_idx',
    size: () => 61,
  },
];

/**
 * The checks every plan passes; returns the scan that reads the list's order:
 * the scan of its index right under the page's Limit (a deferred join looks
 * rows up again by key, through the same index for users).
 */
function expectIndexedPlan(plan: PlanNode, index: string): PlanNode {
  const all = nodes(plan);
  const seqScans = all.filter((n) => n['Node Type'] === 'Seq Scan' && LISTED_TABLES.includes(n['Relation Name']!));
  expect(seqScans.map((n) => n['Relation Name'])).toEqual([]);
  for (const sort of all.filter((n) => n['Node Type'] === 'Sort')) {
    expect(
      nodes(sort).some((n) => n['Node Type'] === 'Limit'),
      'a Sort over more than a page',
    ).toBe(true);
  }
  // Under the Limit, maybe through the Result that checks the offset against the total once.
  const underLimit = all
    .filter((n) => n['Node Type'] === 'Limit')
    .flatMap((limit) => limit.Plans ?? [])
    .flatMap((n) => (n['Node Type'] === 'Result' ? (n.Plans ?? []) : [n]));
  const scans = underLimit.filter((n) => n['Index Name'] === index);
  expect(scans, `no scan of ${index} under a Limit`).toHaveLength(1);
  expect(['Index Scan', 'Index Only Scan']).toContain(scans[0]!['Node Type']);
  return scans[0]!;
}

describe.each(LISTS)('the plan of $name', (list) => {
  // The two-item window keeps the short lists (a post's comments) deep enough to test.
  const pageSize = () => (list.size() >= 4 * PAGE_SIZE ? PAGE_SIZE : 2);
  const middle = () => Math.floor(list.size() / pageSize() / 2) + 1;

  it('reads the first page from the index, nothing more', async () => {
    const scan = expectIndexedPlan(await planOf(list.handler, `${list.path()}?pageSize=${pageSize()}`, list.options?.()), list.index);
    expect(scan['Actual Rows'] * scan['Actual Loops']).toBeLessThanOrEqual(pageSize() + 1);
  });

  it('reads a deep cursor page from the index at its key, nothing more', async () => {
    const deep = await call(list.handler, 'GET', `${list.path()}?pageSize=${pageSize()}&page=${middle()}`, list.options?.());
    expect(deep.body.nextCursor).toEqual(expect.any(String));
    const path = `${list.path()}?pageSize=${pageSize()}&cursor=${deep.body.nextCursor}`;
    const scan = expectIndexedPlan(await planOf(list.handler, path, list.options?.()), list.index);
    expect(scan['Actual Rows'] * scan['Actual Loops']).toBeLessThanOrEqual(pageSize() + 1);
  });

  it('reads a deep page number from the index only, then only the rows of the page', async () => {
    const plan = await planOf(list.handler, `${list.path()}?pageSize=${pageSize()}&page=${middle()}`, list.options?.());
    const scan = expectIndexedPlan(plan, list.index);
    const skipped = (middle() - 1) * pageSize();
    expect(scan['Actual Rows']).toBe(skipped + pageSize() + 1);
    // Sessions are filtered by expiry, which the index does not hold: a user's own short list reads its rows.
    if (list.name !== "the caller's sessions") {
      expect(scan['Node Type']).toBe('Index Only Scan');
      expect(scan['Heap Fetches']).toBe(0);
    }
  });
});

// Sessions have no total to guard with: past the end, OFFSET walks the caller's own short list.
describe.each(LISTS.filter((list) => list.name !== "the caller's sessions"))('the plan of $name past the end', (list) => {
  it('reads nothing from the index', async () => {
    const pageSize = list.size() >= 4 * PAGE_SIZE ? PAGE_SIZE : 2;
    const past = Math.ceil(list.size() / pageSize) + 1;
    const scan = expectIndexedPlan(
      await planOf(list.handler, `${list.path()}?pageSize=${pageSize}&page=${past}`, list.options?.()),
      list.index,
    );
    expect(scan['Actual Loops']).toBe(0);
  });
});

describe('the totals of the seeded lists', () => {
  it('are the exact counts', async () => {
    expect((await call(posts, 'GET', '/api/posts?pageSize=1')).body.total).toBe(totals.posts);
    expect((await call(users, 'GET', '/api/users?pageSize=1')).body.total).toBe(totals.users);
    expect((await call(postComments, 'GET', `/api/posts/${busyPost.id}/comments?pageSize=1`)).body.total).toBe(busyPost.comments);
  });
});
