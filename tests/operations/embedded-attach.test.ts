// `npm run db:migrate`, `db:seed` and `db:purge` while `npm run dev` runs: they
// attach to the embedded server that holds the cluster instead of failing on
// its lock file, and leave it running.
import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { resolveDatabase } from '../../src/cli/database.ts';
import { runPsqlFile, SEED_FILE } from '../../src/cli/psql.ts';
import { runningEmbeddedPostgres, startEmbeddedPostgres, type EmbeddedServer } from '../../src/db/embedded.ts';
import { migrate } from '../../src/db/migrate.ts';
import { purge } from '../../src/system/purge.ts';
import { Kysely, PostgresDialect } from 'kysely';
import type { Database } from '../../src/db/schema.ts';

let dir: string;
let dev: EmbeddedServer;

async function count(url: string, table: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return Number((await client.query(`SELECT count(*) AS n FROM ${table}`)).rows[0].n);
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'auth-attach-'));
  // What `npm run dev` leaves running: a server holding <dir>/pg.
  dev = await startEmbeddedPostgres({ dir, ephemeral: true });
});

afterAll(async () => {
  await dev?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('commands beside a running embedded server', () => {
  it('finds the running server from its postmaster.pid', async () => {
    expect(await runningEmbeddedPostgres(dir)).toMatchObject({ port: dev.port, url: dev.url });
  });

  it('migrate, seed and purge attach to it and leave it running', async () => {
    // As on a developer's machine: no DATABASE_URL (empty counts as unset).
    vi.stubEnv('DATABASE_URL', '');
    const database = await resolveDatabase(dir);
    expect(database.description).toMatch(
      /^embedded PostgreSQL in \.data\/, already running \(postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:\d+\/auth\)$/,
    );
    expect(new URL(database.url).port).toBe(String(dev.port));

    expect(await migrate(database.url)).toContain('0001_accounts.sql');
    const seeded = await runPsqlFile(database.url, SEED_FILE, ['-v', 'users=20']);
    expect(seeded.code).toBe(0);
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: database.url }) }) });
    try {
      expect((await purge({ db })).complete).toBe(true);
    } finally {
      await db.destroy();
    }
    await database.stop();

    // Still up for its owner, with the work done.
    expect(await count(database.url, 'users')).toBe(20);
    const again = await resolveDatabase(dir);
    expect(await migrate(again.url)).toEqual([]);
    await again.stop();
    vi.unstubAllEnvs();
  });

  it('ignores a lock file whose process is gone, or that is not one', async () => {
    const stale = await mkdtemp(join(tmpdir(), 'auth-stale-'));
    try {
      await mkdir(join(stale, 'pg'));
      // Process ids are at most 2^22 on Linux: this one cannot exist.
      await writeFile(join(stale, 'pg', 'postmaster.pid'), `${2 ** 23}\n${stale}/pg\n1700000000\n54329\n\n127.0.0.1\n 1 2\nready\n`);
      expect(await runningEmbeddedPostgres(stale)).toBeUndefined();
      await writeFile(join(stale, 'pg', 'postmaster.pid'), 'garbage\n');
      expect(await runningEmbeddedPostgres(stale)).toBeUndefined();
      expect(await runningEmbeddedPostgres(join(stale, 'missing'))).toBeUndefined();
    } finally {
      await rm(stale, { recursive: true, force: true });
    }
  });

  it('a second checkout whose port is taken starts on a free one, and keeps it', async () => {
    const other = await mkdtemp(join(tmpdir(), 'auth-second-'));
    // Another program (another clone's `npm run dev`) on the default port; it may hold it already.
    const holder = createServer();
    await new Promise<void>((resolve) => holder.once('error', () => resolve()).listen(54329, '127.0.0.1', resolve));
    vi.stubEnv('DATABASE_URL', '');
    vi.stubEnv('EMBEDDED_PG_PORT', '');
    try {
      const database = await resolveDatabase(other);
      const port = new URL(database.url).port;
      expect(port).not.toBe('54329');
      expect((await readFile(join(other, 'postgres-port'), 'utf8')).trim()).toBe(port);
      expect(await count(database.url, 'pg_database')).toBeGreaterThan(0);
      await database.stop();

      vi.stubEnv('EMBEDDED_PG_PORT', '54329');
      await expect(resolveDatabase(other)).rejects.toThrow('EMBEDDED_PG_PORT: port 54329 is taken by another program; choose another');
    } finally {
      vi.unstubAllEnvs();
      holder.close();
      await rm(other, { recursive: true, force: true });
    }
  });
});
