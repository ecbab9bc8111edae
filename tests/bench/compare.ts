// `npm run bench:compare -- <git ref>`: the authenticated reads of this tree
// and of another commit side by side, in one process, on one database, in
// alternating slices (measure.ts), so that a change to the hot path is
// measured against the same load. The other commit's tree is extracted with
// `git archive` into a temporary folder that uses this checkout's node_modules;
// its modules are separate instances (their own settings, pool and caches).
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
import { loadEndpoints } from './functions.ts';
import { round, type Task } from './measure.ts';
import { atEachConcurrency, CONCURRENCY, endpointTask, loadRequests, selectOne } from './throughput.ts';

const ref = process.argv[2];
if (ref === undefined) throw new Error('usage: npm run bench:compare -- <git ref>');
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const READS = [
  ['GET /api/me', 'me.ts'],
  ['GET /profile', 'classic-profile.ts'],
] as const;

const loadBefore = loadavg()[0]!;
await benchEnvironment();
const other = await mkdtemp(join(tmpdir(), 'auth-compare-'));
execFileSync('sh', ['-c', `git -C "${ROOT}" archive "${ref}" | tar -x -C "${other}"`]);
await symlink(join(ROOT, 'node_modules'), join(other, 'node_modules'));
const password = 'Violet-Harbor-73!';
const database = await startBenchDatabase(await hashPassword(password, { ln: 10, r: 8, p: 1 }));
process.env.DATABASE_URL = database.url;
try {
  const endpoints = await loadEndpoints();
  const usernames = Array.from({ length: Math.max(...CONCURRENCY) }, (_, i) => `bench_${i + 1}`);
  const users = await getDb().selectFrom('users').select(['id', 'username']).where('username', 'in', usernames).execute();
  const tokens = await Promise.all(usernames.map(async (name) => (await createSession(users.find((u) => u.username === name)!.id)).token));
  const requests = loadRequests({ tokens, usernames, password });
  const tasks: Record<string, Task> = { 'SELECT 1 (baseline)': selectOne };
  for (const [name, file] of READS) {
    const { default: theirs } = (await import(join(other, 'netlify/functions', file))) as { default: RouteHandler };
    tasks[name] = endpointTask(endpoints, name, requests[name]!)!;
    tasks[`${name} at ${ref}`] = endpointTask(new Map([[name, { name, file, handler: theirs, stated: 1 }]]), name, requests[name]!)!;
  }
  const runs = await atEachConcurrency(tasks, { durationMs: Number(process.argv[3] ?? 8_000), warmUpMs: 500, slices: 8 });
  console.log(`\nreq/s, p99 ms; load average ${round(loadBefore, 1)} before, ${round(loadavg()[0]!, 1)} after`);
  for (const [name, byC] of Object.entries(runs)) {
    console.log(
      `${name.padEnd(40)} ${CONCURRENCY.map((c) => `c${c} ${String(round(byC[c]!.rps, 0)).padStart(6)} ${String(round(byC[c]!.p99, 2)).padStart(6)}`).join('   ')}`,
    );
  }
  for (const [name] of READS) {
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
