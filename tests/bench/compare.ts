// `npm run bench:compare -- <git ref>`: the authenticated reads of this tree
// and of another commit side by side, in one process, on one database, in
// alternating slices (measure.ts), so that a change to the hot path is
// measured against the same load. The other commit's tree is extracted with
// `git archive` into a temporary folder that uses this checkout's node_modules;
// its modules are separate instances (their own settings, pool and caches).
// Each side signs its own session tokens, so a change to their form compares
// too; `GET /api/me, a new token each request` cycles through more tokens than
// the verified-token cache holds (src/auth/sessions/tokens.ts), so every
// request verifies a signature, as a token's first request to an instance does.
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, symlink } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hashPassword } from '../../src/auth/passwords/hash.ts';
import { createSession } from '../../src/auth/sessions/sessions.ts';
import { closeDb, getDb } from '../../src/db/connection.ts';
import type { RouteHandler } from '../../src/http/route.ts';
import { startBenchDatabase } from './database.ts';
import { benchEnvironment } from './environment.ts';
import { round, type Task } from './measure.ts';
import { atEachConcurrency, CONCURRENCY, endpointTask, loadRequests, selectOne } from './throughput.ts';

const ref = process.argv[2];
if (ref === undefined) throw new Error('usage: npm run bench:compare -- <git ref>');
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const READS = [
  ['GET /api/me', 'me.ts'],
  ['GET /profile', 'classic-profile.ts'],
] as const;
const FRESH = 'GET /api/me, a new token each request';
/** More than the verified-token cache's 1,000, taken in turn: each one is gone from it when it comes again (one user each: MAX_LIVE_SESSIONS). */
const FRESH_TOKENS = 1_200;

const loadBefore = loadavg()[0]!;
await benchEnvironment();
const other = await mkdtemp(join(tmpdir(), 'auth-compare-'));
execFileSync('sh', ['-c', `git -C "${ROOT}" archive "${ref}" | tar -x -C "${other}"`]);
await symlink(join(ROOT, 'node_modules'), join(other, 'node_modules'));
const password = 'Violet-Harbor-73!';
const database = await startBenchDatabase(await hashPassword(password, { ln: 10, r: 8, p: 1 }));
process.env.DATABASE_URL = database.url;
try {
  const usernames = Array.from({ length: Math.max(...CONCURRENCY) }, (_, i) => `bench_${i + 1}`);
  const users = await getDb().selectFrom('users').select(['id', 'username']).where('username', 'in', usernames).execute();
  const freshNames = Array.from({ length: FRESH_TOKENS }, (_, i) => `bench_${101 + i}`);
  const freshUsers = await getDb().selectFrom('users').select('id').where('username', 'in', freshNames).execute();
  type Sign = (userId: number) => Promise<{ token: string }>;
  const theirs = (await import(join(other, 'src/auth/sessions/sessions.ts'))) as { createSession: Sign };
  const tasks: Record<string, Task> = { 'SELECT 1 (baseline)': selectOne };
  for (const [side, sign] of [
    ['', createSession],
    [` at ${ref}`, theirs.createSession],
  ] as const) {
    const userIds = usernames.map((name) => users.find((u) => u.username === name)!.id);
    const tokens = await Promise.all(userIds.map(async (id) => (await sign(id)).token));
    const fresh: string[] = [];
    for (const { id } of freshUsers) fresh.push((await sign(id)).token);
    let next = 0;
    const requests: Record<string, ReturnType<typeof loadRequests>[string]> = {
      ...loadRequests({ tokens, usernames, password }),
      [FRESH]: () => ({ path: '/api/me', options: { token: fresh[next++ % fresh.length] } }),
    };
    for (const [name, file] of [...READS, [FRESH, 'me.ts']] as const) {
      const { default: handler } = (await import(join(side === '' ? ROOT : other, 'netlify/functions', file))) as {
        default: RouteHandler;
      };
      const route = name === FRESH ? 'GET /api/me' : name;
      tasks[`${name}${side}`] = endpointTask(new Map([[route, { name: route, file, handler, stated: 1 }]]), route, requests[name]!)!;
    }
  }
  const runs = await atEachConcurrency(tasks, { durationMs: Number(process.argv[3] ?? 8_000), warmUpMs: 500, slices: 8 });
  console.log(`\nreq/s, p50 ms, p99 ms; load average ${round(loadBefore, 1)} before, ${round(loadavg()[0]!, 1)} after`);
  const figure = (n: number, digits: number) => String(round(n, digits)).padStart(6);
  for (const [name, byC] of Object.entries(runs)) {
    console.log(
      `${name.padEnd(56)} ${CONCURRENCY.map((c) => `c${c} ${figure(byC[c]!.rps, 0)} ${figure(byC[c]!.p50, 2)} ${figure(byC[c]!.p99, 2)}`).join('   ')}`,
    );
  }
  for (const [name] of [...READS, [FRESH]]) {
    console.log(
      `${name} now / at ${ref}: ${CONCURRENCY.map((c) => `c${c} ${round(runs[name]![c]!.rps / runs[`${name} at ${ref}`]![c]!.rps, 2)}`).join(', ')}`,
    );
  }
  console.log(
    `GET /api/me / GET /profile: ${CONCURRENCY.map((c) => `c${c} ${round(runs['GET /api/me']![c]!.rps / runs['GET /profile']![c]!.rps, 2)}`).join(', ')}`,
  );
} finally {
  await closeDb();
  await ((await import(join(other, 'src/db/connection.ts'))) as { closeDb: () => Promise<void> }).closeDb();
  await database.stop();
  await rm(other, { recursive: true, force: true });
}
