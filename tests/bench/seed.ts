// Time of sql/seed.sql through psql on a fresh embedded database (default
// settings, durable like .data/), per size: `npm run bench:seed [-- 10000 1000000]`.
// `--again` also times a second run on top of the first (it re-associates all
// the content the first one made).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { runPsqlFile, SEED_FILE } from '../../src/cli/psql.ts';
import { databaseUrl, startEmbeddedPostgres } from '../../src/db/embedded.ts';
import { migrate } from '../../src/db/migrate.ts';
import { round } from './measure.ts';

const args = process.argv.slice(2);
const again = args.includes('--again');
const sizes = args.filter((arg) => arg !== '--again').map(Number);
if (sizes.length === 0) sizes.push(10_000, 1_000_000);

async function query(url: string, text: string): Promise<Record<string, unknown>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text)).rows[0];
  } finally {
    await client.end();
  }
}

async function timedSeed(url: string, users: number): Promise<number> {
  const started = performance.now();
  const { code, stderr } = await runPsqlFile(url, SEED_FILE, ['-v', `users=${users}`]);
  if (code !== 0) throw new Error(`seed.sql failed (${code}): ${stderr}`);
  return (performance.now() - started) / 1000;
}

const dir = await mkdtemp(join(tmpdir(), 'seed-bench-'));
const server = await startEmbeddedPostgres({ dir });
try {
  for (const users of sizes) {
    const name = `seed_bench_${users}`;
    await query(server.url, `CREATE DATABASE ${name}`);
    const url = databaseUrl(server.url, name);
    await migrate(url);
    const runs = [await timedSeed(url, users)];
    if (again) runs.push(await timedSeed(url, users));
    const totals = await query(
      url,
      `SELECT (SELECT count(*) FROM users) AS users, (SELECT count(*) FROM posts) AS posts,
              (SELECT count(*) FROM comments) AS comments, pg_size_pretty(pg_database_size(current_database())) AS size`,
    );
    console.log(
      `${users} users: ${runs.map((seconds, i) => `${i === 0 ? 'fresh' : 'again'} ${round(seconds, 1)} s`).join(', ')}` +
        ` -> ${totals.users} users, ${totals.posts} posts, ${totals.comments} comments, ${totals.size}`,
    );
  }
} finally {
  await server.stop();
  await rm(dir, { recursive: true, force: true });
}
