// Better Auth 1.7.25 beside the service, in the same process and on the same
// embedded Postgres: its get-session is the read GET /api/me is compared with.
// It lives in its own folder (better-auth/, with its own lock), installed
// there on first use: its optional peer dependencies conflict with the
// project's vite, so it cannot be one of the project's devDependencies.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Task } from './measure.ts';
import { admin } from '../support/global-setup.ts';

const FOLDER = fileURLToPath(new URL('./better-auth/', import.meta.url));
const ORIGIN = 'http://localhost:3000';
const PASSWORD = 'Violet-Harbor-73!';

/** What the bench uses of Better Auth (its own types live in its folder, which the project's typecheck does not install). */
interface BetterAuth {
  handler(req: Request): Promise<Response>;
  options: object;
}
interface BetterAuthModules {
  betterAuth(options: object): BetterAuth;
  getMigrations(options: object): Promise<{ runMigrations(): Promise<void> }>;
  Pool: new (config: { connectionString: string; max: number }) => { end(): Promise<void> };
}

/** `npm ci` in its folder when its node_modules is missing (peers left out: the adapter needs only pg). */
function install(): void {
  if (existsSync(`${FOLDER}node_modules/better-auth/package.json`)) return;
  console.error('Installing Better Auth for the comparison (tests/bench/better-auth, once)…');
  execFileSync('npm', ['ci', '--prefix', FOLDER, '--legacy-peer-deps', '--ignore-scripts', '--no-audit', '--no-fund'], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

async function load(): Promise<BetterAuthModules> {
  install();
  const require = createRequire(`${FOLDER}package.json`);
  const from = (specifier: string) => import(pathToFileURL(require.resolve(specifier)).href);
  const [{ betterAuth }, { getMigrations }, pg] = await Promise.all([from('better-auth'), from('better-auth/db/migration'), from('pg')]);
  return { betterAuth, getMigrations, Pool: (pg.default ?? pg).Pool };
}

export interface BetterAuthBench {
  /** GET /api/auth/get-session through its handler, with worker `w`'s session cookie. */
  getSession: Task;
  stop(): Promise<void>;
}

/**
 * Better Auth on its own database of the same Postgres server (`databaseUrl`'s,
 * named `better_auth`), with the email and password plugin, its tables made by
 * its own migrations, and one user signed in per worker. Its defaults
 * otherwise (no cookie cache: each get-session reads the session row, as each
 * of our reads does), but rate limits and telemetry off, as ours are in the bench.
 */
export async function startBetterAuth(databaseUrl: string, workers: number): Promise<BetterAuthBench> {
  const { betterAuth, getMigrations, Pool } = await load();
  const url = new URL(databaseUrl);
  url.pathname = '/better_auth';
  await admin(databaseUrl, (client) => client.query('CREATE DATABASE better_auth'));
  // The same pool size as the service's (src/db/pool.ts).
  const pool = new Pool({ connectionString: url.href, max: 10 });
  const auth = betterAuth({
    database: pool,
    baseURL: ORIGIN,
    secret: 'a-bench-secret-of-at-least-32-characters',
    emailAndPassword: { enabled: true },
    rateLimit: { enabled: false },
    telemetry: { enabled: false },
    logger: { disabled: true },
  });
  await (await getMigrations(auth.options)).runMigrations();
  const cookies: string[] = [];
  for (let w = 0; w < workers; w++) {
    const res = await auth.handler(
      new Request(`${ORIGIN}/api/auth/sign-up/email`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: ORIGIN },
        body: JSON.stringify({ email: `bench_${w + 1}@example.com`, password: PASSWORD, name: `bench_${w + 1}` }),
      }),
    );
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('better-auth.session_token='));
    if (!res.ok || cookie === undefined) throw new Error(`Better Auth's sign-up answered ${res.status}: ${await res.text()}`);
    cookies.push(cookie.slice(0, cookie.indexOf(';')));
  }
  return {
    getSession: async (w) => {
      const res = await auth.handler(new Request(`${ORIGIN}/api/auth/get-session`, { headers: { cookie: cookies[w]! } }));
      const text = await res.text();
      if (res.status !== 200 || !text.includes('"session"')) throw new Error(`Better Auth's get-session answered ${res.status}: ${text}`);
    },
    stop: () => pool.end(),
  };
}
