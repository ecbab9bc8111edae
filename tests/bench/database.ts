// The benchmark's own database: an embedded Postgres in a temporary folder,
// migrated, with a fixed amount of content so list endpoints read real pages.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { databaseUrl, startEmbeddedPostgres } from '../../src/db/embedded.ts';
import { migrate } from '../../src/db/migrate.ts';
import { admin } from '../support/global-setup.ts';

export const DATASET = { users: 2_000, posts: 6_000, comments: 12_000 };

export interface BenchDatabase {
  url: string;
  stop(): Promise<void>;
}

/**
 * Start, migrate and fill. Every bench user has `passwordHash`. Durability is
 * off (fsync, synchronous commit), as in the test suite: the figures are the
 * service's, not the disk's.
 */
export async function startBenchDatabase(passwordHash: string): Promise<BenchDatabase> {
  const dir = await mkdtemp(join(tmpdir(), 'auth-bench-pg-'));
  const server = await startEmbeddedPostgres({ dir, ephemeral: true });
  const url = databaseUrl(server.url, 'bench');
  await admin(server.url, (client) => client.query('CREATE DATABASE bench'));
  await migrate(url);
  await admin(url, (client) => fill(client, passwordHash));
  return {
    url,
    stop: async () => {
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function fill(client: pg.Client, passwordHash: string): Promise<void> {
  const { users, posts, comments } = DATASET;
  await client.query(
    `INSERT INTO users (username, email, password_hash, confirmed_at)
     SELECT 'bench_' || i, 'bench_' || i || '@example.com', $1, now() FROM generate_series(1, $2::int) i`,
    [passwordHash, users],
  );
  await client.query(`INSERT INTO user_profiles (user_id, bio, location) SELECT id, 'Writes benchmarks.', 'Lyon' FROM users`);
  await client.query(
    `INSERT INTO posts (user_id, title, body, created_at)
     SELECT 1 + i % $2::int, 'Post number ' || i, repeat('A sentence of a benchmark post. ', 12), now() - i * interval '1 minute'
     FROM generate_series(1, $1::int) i`,
    [posts, users],
  );
  await client.query(
    `INSERT INTO comments (post_id, user_id, body, created_at)
     SELECT 1 + i % $1::int, 1 + (i * 7) % $2::int, 'A comment of a benchmark.', now() - i * interval '1 second'
     FROM generate_series(1, $3::int) i`,
    [posts, users, comments],
  );
  await client.query('VACUUM ANALYZE');
}
