// The embedded development database: each cluster has its
// own random password, kept beside it readable by its owner only, and the
// commands (npm run dev, db:*) connect with it; the well-known `postgres` is
// refused, also on a cluster made before passwords were random. The folders
// are no more open than the server needs.
import { mkdtemp, readFile, rm, stat, unlink } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { resolveDatabase } from '../../src/cli/database.ts';
import { PASSWORD_FILE, runningEmbeddedPostgres, startEmbeddedPostgres, type EmbeddedServer } from '../../src/db/embedded.ts';

let dir: string;
let server: EmbeddedServer | undefined;

/** The error a connection with this password meets, or undefined when it gets in. */
async function connectWith(port: number, password: string): Promise<string | undefined> {
  const client = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', password, database: 'postgres' });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (error) {
    return (error as { code?: string }).code ?? (error as Error).message;
  } finally {
    await client.end().catch(() => undefined);
  }
}

const mode = async (path: string) => (await stat(path)).mode & 0o777;
const kept = async () => (await readFile(join(dir, PASSWORD_FILE), 'utf8')).trim();
const asRoot = userInfo().uid === 0;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'auth-password-'));
  server = await startEmbeddedPostgres({ dir, ephemeral: true });
}, 120_000);

afterAll(async () => {
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('the embedded database', () => {
  it('gets a random password on first start, kept in the data folder with mode 0600; postgres is refused', async () => {
    const password = await kept();
    expect(password).toMatch(/^[\w-]{32}$/);
    expect(await mode(join(dir, PASSWORD_FILE))).toBe(0o600);
    expect(decodeURIComponent(new URL(server!.url).password)).toBe(password);
    expect(await connectWith(server!.port, password)).toBeUndefined();
    // 28P01: invalid_password.
    expect(await connectWith(server!.port, 'postgres')).toBe('28P01');
    expect(await connectWith(server!.port, '')).toBeDefined();
  });

  it('keeps the cluster 0700 and its own, and the data folder closed to others', async () => {
    const cluster = await stat(join(dir, 'pg'));
    expect(cluster.mode & 0o777).toBe(0o700);
    const serverUid = asRoot ? Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' })) : userInfo().uid;
    expect(cluster.uid).toBe(serverUid);
    // As root the server (postgres) must pass through the data folder to its cluster: its group may, nobody else.
    const data = await stat(dir);
    expect(data.mode & 0o777).toBe(asRoot ? 0o710 : 0o700);
    expect(data.uid).toBe(userInfo().uid);
    if (asRoot) expect(data.gid).toBe(Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' })));
  });

  it('is what the commands beside a running server connect with (npm run db:*)', async () => {
    expect(decodeURIComponent(new URL((await runningEmbeddedPostgres(dir))!.url).password)).toBe(await kept());
    vi.stubEnv('DATABASE_URL', '');
    try {
      const database = await resolveDatabase(dir);
      expect(decodeURIComponent(new URL(database.url).password)).toBe(await kept());
      expect(database.description).not.toContain(await kept());
      await database.stop();
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('keeps its password across restarts, and another cluster gets another', async () => {
    const before = await kept();
    await server!.stop();
    server = await startEmbeddedPostgres({ dir, port: server!.port, ephemeral: true });
    expect(await kept()).toBe(before);
    expect(await connectWith(server.port, before)).toBeUndefined();

    const other = await mkdtemp(join(tmpdir(), 'auth-password-other-'));
    try {
      const second = await startEmbeddedPostgres({ dir: other, ephemeral: true });
      await second.stop();
      expect((await readFile(join(other, PASSWORD_FILE), 'utf8')).trim()).not.toBe(before);
    } finally {
      await rm(other, { recursive: true, force: true });
    }
  }, 120_000);

  it('replaces the old postgres password of a cluster made before, keeping its data', async () => {
    // A cluster as the previous version left it: password postgres, no password file.
    const admin = new pg.Client({ connectionString: server!.url });
    await admin.connect();
    await admin.query(`ALTER ROLE postgres PASSWORD 'postgres'`);
    await admin.query('CREATE DATABASE kept_data');
    await admin.end();
    await unlink(join(dir, PASSWORD_FILE));
    await server!.stop();

    server = await startEmbeddedPostgres({ dir, port: server!.port, ephemeral: true });
    const password = await kept();
    expect(password).not.toBe('postgres');
    expect(await mode(join(dir, PASSWORD_FILE))).toBe(0o600);
    expect(await connectWith(server.port, 'postgres')).toBe('28P01');
    const client = new pg.Client({ connectionString: server.url });
    await client.connect();
    try {
      expect((await client.query(`SELECT 1 FROM pg_database WHERE datname = 'kept_data'`)).rowCount).toBe(1);
    } finally {
      await client.end();
    }
  }, 120_000);
});
