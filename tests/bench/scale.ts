// `npm run bench:scale [-- 10000 1000000]`: every list endpoint on a small and
// a large seeded database, at its first page, at a deep cursor page and at a
// deep page number, p50 and p99 in-process, and the ratio large/small against
// the goal of 2 (tests/bench/README.md, "Lists at scale"). Starts its own embedded Postgres in
// a temporary folder; not part of `npm test`. The million-user seed is most of
// its time (about 85 s alone on a quiet machine; 5-11 minutes under heavy load).
//
// Each database is built with sql/seed.sql through psql, as operators do, then
// given sessions (the seed makes none): one live session per user, and 60 for
// the user whose list is measured. VACUUM ANALYZE then leaves it as autovacuum
// would after the bulk load. "Deep" is the middle of each list: the cursor is
// the `nextCursor` of the deep page-number request, so both reach the same rows.
// A post's comments and a user's sessions are short lists; their deep pages
// are read with pageSize=1.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import adminUsers from '../../netlify/functions/admin-users.ts';
import meSessions from '../../netlify/functions/me-sessions.ts';
import postComments from '../../netlify/functions/posts-id-comments.ts';
import posts from '../../netlify/functions/posts.ts';
import users from '../../netlify/functions/users.ts';
import { createSession } from '../../src/auth/sessions/sessions.ts';
import { runPsqlFile, SEED_FILE } from '../../src/cli/psql.ts';
import { resetSettings } from '../../src/config/settings.ts';
import { closeDb } from '../../src/db/connection.ts';
import { databaseUrl, startEmbeddedPostgres } from '../../src/db/embedded.ts';
import { migrate } from '../../src/db/migrate.ts';
import { admin } from '../support/global-setup.ts';
import { call, type CallOptions } from '../support/call.ts';
import { round, sample, sectionTimer, summarize, type Measurement, type Sample } from './measure.ts';

const GOAL = 2;
const SIZES = process.argv.slice(2).map(Number);
if (SIZES.length === 0) SIZES.push(10_000, 1_000_000);
if (SIZES.length !== 2 || !SIZES.every((n) => Number.isInteger(n) && n > 0)) {
  throw new Error('usage: npm run bench:scale [-- <small users> <large users>]');
}
/** Per scenario and database: turns of SLICE_MS alternating between the databases, so both see one load. */
const SLICES = 3;
const SLICE_MS = 700;
const WARM_UP_MS = 200;
const SESSIONS_OF_MEASURED_USER = 60;

Object.assign(process.env, { JWT_SECRET: process.env.JWT_SECRET ?? randomBytes(32).toString('hex'), DATABASE_DRIVER: 'pg' });

type Handler = Parameters<typeof call>[0];
interface Scenario {
  list: string;
  at: 'first page' | 'deep cursor' | 'deep page';
  handler: Handler;
  path: string;
  options?: CallOptions;
}

interface Built {
  users: number;
  url: string;
  scenarios: Scenario[];
  description: string;
}

const started = performance.now();
const loadBefore = loadavg();
const { seconds, timed } = sectionTimer();
const dir = await mkdtemp(join(tmpdir(), 'scale-bench-'));
const server = await startEmbeddedPostgres({ dir, ephemeral: true });
try {
  const built: Built[] = [];
  for (const size of SIZES) built.push(await build(size));
  const results = await measureAll(built);
  printTable(built, results);
  console.log(
    `\n${cpus().length} CPUs (shared: other work on the machine adds noise), Node ${process.versions.node}; ` +
      `load average before ${loadBefore.map((n) => round(n)).join(' ')}, after ${loadavg()
        .map((n) => round(n))
        .join(' ')}; ` +
      `${Object.entries(seconds)
        .map(([k, v]) => `${k} ${v} s`)
        .join(', ')}, total ${round((performance.now() - started) / 1000, 0)} s`,
  );
} finally {
  await closeDb();
  await server.stop();
  await rm(dir, { recursive: true, force: true });
}

/** A migrated, seeded database of `size` users with the requests to measure on it. */
async function build(size: number): Promise<Built> {
  const name = `scale_${size}`;
  await admin(server.url, (client) => client.query(`CREATE DATABASE ${name}`));
  const url = databaseUrl(server.url, name);
  await migrate(url);
  await timed(`seed ${size}`, async () => {
    const { code, stderr } = await runPsqlFile(url, SEED_FILE, ['-v', `users=${size}`]);
    if (code !== 0) throw new Error(`seed.sql failed (${code}): ${stderr}`);
  });
  const facts = await timed(`sessions and vacuum ${size}`, () =>
    admin(url, async (client) => {
      await client.query(
        `INSERT INTO sessions (user_id, created_at, expires_at)
         SELECT id, now() - random() * interval '6 days', now() + interval '30 days' FROM users`,
      );
      const { rows } = await client.query(
        `SELECT (SELECT min(id) FROM users) AS measured_user,
                (SELECT count(*) FROM users) AS users,
                (SELECT count(*) FROM posts) AS posts,
                (SELECT post_id FROM comments GROUP BY post_id ORDER BY count(*) DESC, post_id LIMIT 1) AS busy_post`,
      );
      const facts = rows[0] as { measured_user: string; users: string; posts: string; busy_post: string };
      await client.query(
        `INSERT INTO sessions (user_id, created_at, expires_at)
         SELECT $1, now() - i * interval '1 minute', now() + interval '30 days' FROM generate_series(1, $2::int - 2) i`,
        [facts.measured_user, SESSIONS_OF_MEASURED_USER],
      );
      const { rows: counted } = await client.query('SELECT count(*) AS n FROM comments WHERE post_id = $1', [facts.busy_post]);
      // Commits are asynchronous here, and VACUUM marks a page all-visible only once the commits of its
      // rows, and of every transaction near them, are on disk: flush them all, then commit synchronously.
      await client.query('SET synchronous_commit = on');
      await client.query('CHECKPOINT');
      await client.query('VACUUM ANALYZE');
      return { ...facts, busyPostComments: Number(counted[0].n) };
    }),
  );
  await useDatabase(url);
  // The measured session itself, through the service (a token it accepts).
  const { token } = await createSession(Number(facts.measured_user));
  const auth = { token };
  const middle = (total: number, pageSize: number) => Math.max(1, Math.ceil(total / 2 / pageSize));
  const scenarios: Scenario[] = [];
  const list = async (name: string, handler: Handler, path: string, total: number, pageSize: number, options?: CallOptions) => {
    const size = pageSize === 20 ? '' : `pageSize=${pageSize}&`;
    const deepPage = `${path}?${size}page=${middle(total, pageSize)}`;
    scenarios.push({ list: name, at: 'first page', handler, path: `${path}${size ? `?${size.slice(0, -1)}` : ''}`, options });
    const res = await call(handler, 'GET', deepPage, options);
    if (res.status !== 200) throw new Error(`${name}: GET ${deepPage} answered ${res.status}: ${res.text.slice(0, 200)}`);
    // Code without cursors has no deep cursor page to measure.
    const cursor: unknown = res.body.nextCursor;
    if (typeof cursor === 'string') {
      scenarios.push({ list: name, at: 'deep cursor', handler, path: `${path}?${size}cursor=${encodeURIComponent(cursor)}`, options });
    }
    scenarios.push({ list: name, at: 'deep page', handler, path: deepPage, options });
  };
  await list('GET /api/posts', posts, '/api/posts', Number(facts.posts), 20);
  await list('GET /api/users', users, '/api/users', Number(facts.users), 20);
  await list('GET /api/posts/{id}/comments', postComments, `/api/posts/${facts.busy_post}/comments`, facts.busyPostComments, 1);
  await list('GET /api/me/sessions', meSessions, '/api/me/sessions', SESSIONS_OF_MEASURED_USER, 1, auth);
  // The admin search: the measured user made an admin at aal2; first pages of a prefix matching every
  // user, one matching one user in the middle, and each role and state filter.
  const middleUser = await admin(url, async (client) => {
    await client.query("UPDATE users SET role = 'admin' WHERE id = $1", [facts.measured_user]);
    const { rows } = await client.query('SELECT username FROM users ORDER BY id OFFSET (SELECT count(*) / 2 FROM users) LIMIT 1');
    return rows[0].username as string;
  });
  const adminSession = await createSession(Number(facts.measured_user), undefined, undefined, undefined, ['pwd', 'otp']);
  const searches: [label: string, query: string][] = [
    ['q=seed_', 'q=seed_'],
    ['q=<one user>', `q=${middleUser}`],
    ...['role=admin', 'state=banned', 'state=unconfirmed', 'state=mfa'].map((q): [string, string] => [q, q]),
  ];
  for (const [label, query] of searches) {
    const options = { token: adminSession.token };
    scenarios.push({
      list: `GET /api/admin/users?${label}`,
      at: 'first page',
      handler: adminUsers,
      path: `/api/admin/users?${query}`,
      options,
    });
  }
  const description =
    `${facts.users} users, ${facts.posts} posts; the busiest post has ${facts.busyPostComments} comments; ` +
    `the measured user ${SESSIONS_OF_MEASURED_USER} sessions`;
  console.log(`${size}: ${description}`);
  return { users: size, url, scenarios, description };
}

function key(s: Scenario): string {
  return `${s.list} ${s.at}`;
}

async function useDatabase(url: string): Promise<void> {
  await closeDb();
  process.env.DATABASE_URL = url;
  // Settings are parsed once; the next connection must read the new URL.
  resetSettings();
}

/** Each scenario on each database, in alternating slices; percentiles over all of a scenario's requests. */
async function measureAll(built: Built[]): Promise<Map<string, Measurement>[]> {
  const samples = built.map(() => new Map<string, Sample[]>());
  await timed('measure', async () => {
    for (let slice = 0; slice < SLICES; slice++) {
      for (const [i, db] of built.entries()) {
        await useDatabase(db.url);
        for (const scenario of db.scenarios) {
          const task = async () => {
            const res = await call(scenario.handler, 'GET', scenario.path, scenario.options);
            if (res.status !== 200) throw new Error(`GET ${scenario.path} answered ${res.status}: ${res.text.slice(0, 200)}`);
          };
          if (slice === 0) await sample(task, { concurrency: 1, durationMs: WARM_UP_MS });
          const taken = samples[i]!.get(key(scenario)) ?? [];
          taken.push(await sample(task, { concurrency: 1, durationMs: SLICE_MS, minRequests: 3 }));
          samples[i]!.set(key(scenario), taken);
        }
      }
    }
  });
  return samples.map((byKey) => new Map([...byKey].map(([k, taken]) => [k, summarize(taken)])));
}

function printTable(built: Built[], results: Map<string, Measurement>[]): void {
  const [small, large] = built as [Built, Built];
  const header = ['list', 'request', `${small.users} p50`, 'p99', `${large.users} p50`, 'p99', 'ratio p50', `goal ${GOAL}`];
  const rows = small.scenarios.map((scenario) => {
    const a = results[0]!.get(key(scenario))!;
    const b = results[1]!.get(key(scenario));
    const ratio = b ? b.p50 / a.p50 : NaN;
    // Deep page numbers have no goal (they may grow with the depth): shown beside the cursor's.
    const verdict = scenario.at === 'deep page' ? '(no goal)' : ratio <= GOAL ? 'ok' : 'MISSED';
    return [
      scenario.list,
      scenario.at,
      ...[a.p50, a.p99, b?.p50 ?? NaN, b?.p99 ?? NaN].map((ms) => `${round(ms)} ms`),
      `${round(ratio, 1)}x`,
      verdict,
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((cell, i) => (i < 2 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
  console.log(`\nList latency in-process, ms (small: ${small.description}; large: ${large.description})`);
  console.log(`${line(header)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}\n${rows.map(line).join('\n')}`);
}
