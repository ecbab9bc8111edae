// Rows purged per second on a million-user database: `npm run bench:purge [-- 1000000]`.
// Builds it with sql/seed.sql (durable settings, like .data/), adds rows for
// every purge step beside rows that must survive, times migration 0005 on the
// populated tables, then one purge to the end with the shipped batch sizes.
import { copyFile, mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { runPsqlFile, SEED_FILE } from '../../src/cli/psql.ts';
import { databaseUrl, startEmbeddedPostgres } from '../../src/db/embedded.ts';
import { migrate, MIGRATIONS_DIR } from '../../src/db/migrate.ts';
import type { Database } from '../../src/db/schema.ts';
import { purge, PURGE_STEPS } from '../../src/system/purge.ts';
import { admin } from '../support/global-setup.ts';
import { round } from './measure.ts';

const users = Number(process.argv[2] ?? 1_000_000);
const PURGE_MIGRATION = '0005_purge.sql';

/** Purgeable rows beside live ones, as shares of `users`. */
const FILL = `
  -- A tenth of the users never confirmed, chosen among those who own no content.
  WITH idle AS (
    SELECT id FROM users u
    WHERE NOT EXISTS (SELECT FROM posts WHERE user_id = u.id) AND NOT EXISTS (SELECT FROM comments WHERE user_id = u.id)
    LIMIT $1::int / 10)
  UPDATE users SET confirmed_at = NULL, created_at = now() - interval '30 days' FROM idle WHERE users.id = idle.id;
  -- Their expired confirmation codes; a used reset code for half of everyone; a live one for a tenth.
  INSERT INTO one_time_tokens (user_id, purpose, token_hash, created_at, expires_at)
    SELECT id, 'confirm_email', sha256(('c' || id)::bytea), now() - interval '30 days', now() - interval '30 days' + interval '10 minutes'
    FROM users WHERE confirmed_at IS NULL;
  INSERT INTO one_time_tokens (user_id, purpose, token_hash, created_at, expires_at, used_at)
    SELECT id, 'reset_password', sha256(('u' || id)::bytea), now() - interval '3 days', now() - interval '3 days' + interval '30 minutes', now() - interval '3 days'
    FROM users WHERE confirmed_at IS NOT NULL AND id % 2 = 0;
  INSERT INTO one_time_tokens (user_id, purpose, token_hash, created_at, expires_at)
    SELECT id, 'reset_password', sha256(('l' || id)::bytea), now(), now() + interval '30 minutes'
    FROM users WHERE confirmed_at IS NOT NULL AND id % 10 = 1;
  -- One expired and one live session per confirmed user.
  INSERT INTO sessions (user_id, created_at, expires_at)
    SELECT id, now() - interval '9 days', now() - interval '2 days' FROM users WHERE confirmed_at IS NOT NULL;
  INSERT INTO sessions (user_id, created_at, expires_at)
    SELECT id, now(), now() + interval '7 days' FROM users WHERE confirmed_at IS NOT NULL;
  -- Half a user's worth of ended rate-limit windows, a tenth of current ones.
  INSERT INTO rate_limits (bucket, window_start, hits)
    SELECT 'login_ip:old-' || i, now() - interval '2 hours', 3 FROM generate_series(1, $1::int / 2) i;
  INSERT INTO rate_limits (bucket, window_start, hits)
    SELECT 'login_ip:now-' || i, now(), 1 FROM generate_series(1, $1::int / 10) i;`;

/** Admin actions on a hundredth of the users two years ago and on another hundredth now: their table is migration 0018's. */
const TRAIL_FILL = `INSERT INTO admin_actions (actor_name, action, target_user_id, created_at)
  SELECT 'command line', 'sessions_ended', id, now() - CASE WHEN id % 100 = 0 THEN interval '2 years' ELSE interval '0' END
  FROM users WHERE id % 100 IN (0, 1)`;

const COUNTS = `SELECT (SELECT count(*) FROM users) AS users, (SELECT count(*) FROM user_profiles) AS profiles,
  (SELECT count(*) FROM sessions) AS sessions, (SELECT count(*) FROM one_time_tokens) AS codes,
  (SELECT count(*) FROM rate_limits) AS rate_limits`;

async function one(url: string, text: string, values: unknown[] = []): Promise<Record<string, unknown>> {
  return admin(url, async (client) => (await client.query(text, values)).rows[0] ?? {});
}

const seconds = (since: number) => (performance.now() - since) / 1000;

const dir = await mkdtemp(join(tmpdir(), 'purge-bench-'));
const server = await startEmbeddedPostgres({ dir });
try {
  await admin(server.url, (client) => client.query('CREATE DATABASE purge_bench'));
  const url = databaseUrl(server.url, 'purge_bench');

  // Every migration but the purge's, so that it can be timed on full tables.
  const earlier = join(dir, 'migrations');
  await mkdir(earlier);
  for (const name of await readdir(MIGRATIONS_DIR)) {
    if (name.endsWith('.sql') && name < PURGE_MIGRATION) await copyFile(join(MIGRATIONS_DIR, name), join(earlier, name));
  }
  await migrate(url, earlier);

  let started = performance.now();
  const seeded = await runPsqlFile(url, SEED_FILE, ['-v', `users=${users}`]);
  if (seeded.code !== 0) throw new Error(`seed.sql failed (${seeded.code}): ${seeded.stderr}`);
  console.log(`seeded ${users} users in ${round(seconds(started), 1)} s`);
  started = performance.now();
  await admin(url, async (client) => {
    for (const statement of FILL.split(/;\s*$/m).filter((text) => text.trim() !== ''))
      await client.query(statement, statement.includes('$1') ? [users] : []);
    await client.query('VACUUM ANALYZE');
  });
  const before = await one(url, COUNTS);
  console.log(`added purgeable and live rows in ${round(seconds(started), 1)} s: ${JSON.stringify(before)}`);

  started = performance.now();
  await migrate(url);
  console.log(`migration ${PURGE_MIGRATION} on the populated tables: ${round(seconds(started), 2)} s`);
  const trail = await admin(url, async (client) => (await client.query(TRAIL_FILL)).rowCount);
  console.log(`added ${trail} admin actions, half of them past ADMIN_ACTIONS_RETENTION`);

  // Each batch is one statement in its own transaction: its time is how long it holds its row locks.
  const batches = new Map<string, number[]>(PURGE_STEPS.map((step) => [step.name, []]));
  const steps = PURGE_STEPS.map((step) => ({
    ...step,
    deleteBatch: async (...args: Parameters<typeof step.deleteBatch>) => {
      const t0 = performance.now();
      const count = await step.deleteBatch(...args);
      batches.get(step.name)!.push(performance.now() - t0);
      return count;
    },
  }));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url, max: 1 }) }) });
  try {
    const report = await purge({ db, steps });
    const total = Object.values(report.deleted).reduce((sum, n) => sum + n, 0);
    console.log(`purged ${total} rows in ${round(report.ms / 1000, 1)} s = ${Math.round(total / (report.ms / 1000))} rows/s`);
    for (const step of PURGE_STEPS) {
      const times = batches.get(step.name)!;
      const ms = times.reduce((sum, t) => sum + t, 0);
      const count = report.deleted[step.name]!;
      console.log(
        `  ${step.name}: ${count} in ${times.length} batches of up to ${step.batch}, ${Math.round(count / (ms / 1000))} rows/s,` +
          ` longest batch ${round(Math.max(...times), 0)} ms`,
      );
    }
    console.log(`after: ${JSON.stringify(await one(url, COUNTS))} (the profiles and codes of deleted accounts went with them)`);
    console.log(`admin actions kept: ${JSON.stringify(await one(url, 'SELECT count(*) AS admin_actions FROM admin_actions'))}`);
  } finally {
    await db.destroy();
  }
} finally {
  await server.stop();
  await rm(dir, { recursive: true, force: true });
}
