// Migrations at deploy: the build command runs `npm run db:migrate` on the
// deploy context's database (DATABASE_URL, or Netlify DB's NETLIFY_DATABASE_URL).
// A failing migration fails `netlify build` and leaves nothing applied; two
// deploys migrating at once apply each migration once.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cp, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { afterAll, describe, expect, it, inject, vi } from 'vitest';
import { closeDb, getDb } from '../../src/db/connection.ts';
import { databaseUrl } from '../../src/db/embedded.ts';
import { migrate, MIGRATIONS_DIR } from '../../src/db/migrate.ts';
import { admin } from '../support/global-setup.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const serverUrl = inject('databaseServerUrl');
const created: string[] = [];
const dirs: string[] = [];

async function database(template?: string): Promise<string> {
  const name = `auth_deploy_${randomBytes(4).toString('hex')}`;
  await admin(serverUrl, (client) => client.query(`CREATE DATABASE ${name}${template ? ` TEMPLATE ${template}` : ''}`));
  created.push(name);
  return databaseUrl(serverUrl, name);
}

async function state(url: string) {
  return admin(url, async (client) => ({
    tables: (await client.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`)).rows.map(
      (r) => r.table_name,
    ),
    migrations: (await client.query('SELECT name FROM schema_migrations ORDER BY name')).rows.map((r) => r.name),
  }));
}

/** The project as Netlify's build sees it (sources and config, node_modules linked), plus `extra` migrations. */
async function checkout(extra: Record<string, string> = {}): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'auth-build-'));
  dirs.push(dir);
  for (const entry of ['package.json', 'netlify.toml', 'tsconfig.json', 'src', 'sql', 'netlify'])
    await cp(join(ROOT, entry), join(dir, entry), { recursive: true });
  await symlink(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  for (const [name, text] of Object.entries(extra)) await writeFile(join(dir, 'sql', 'migrations', name), text);
  return dir;
}

function run(command: string, args: string[], cwd: string, env: Record<string, string>): Promise<{ code: number; output: string }> {
  // Only what a Netlify build has: none of the test runner's variables (DATABASE_URL, VITEST, NODE_ENV).
  const base = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !/^(DATABASE_URL|NETLIFY_DATABASE_URL|VITEST.*|NODE_ENV|CONTEXT)$/.test(key)),
  );
  const child = spawn(command, args, { cwd, env: { ...base, ...env } as NodeJS.ProcessEnv });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code: code ?? 1, output })));
}

const netlifyBuild = (cwd: string, env: Record<string, string>) =>
  run(join(ROOT, 'node_modules/.bin/netlify'), ['build', '--offline', '--context', 'production'], cwd, env);

afterAll(async () => {
  for (const name of created) await admin(serverUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

describe('migrations at deploy', () => {
  it('a failing migration fails netlify build and changes nothing', { timeout: 120_000 }, async () => {
    const url = await database(inject('templateDatabase'));
    const before = await state(url);
    const dir = await checkout({
      '9998_fine.sql': 'CREATE TABLE fine_so_far (id int);\n',
      '9999_broken.sql': 'CREATE TABLE half_done (id int);\nSELECT 1 / 0;\n',
    });

    const build = await netlifyBuild(dir, { DATABASE_URL: url });

    expect(build.code).not.toBe(0);
    expect(build.output).toContain('migration 9999_broken.sql failed: division by zero');
    expect(build.output).toMatch(/"build\.command" failed/);
    // The migration before it is complete and recorded; nothing of the broken one is.
    const after = await state(url);
    expect(after.migrations).toEqual([...before.migrations, '9998_fine.sql']);
    expect(after.tables).toEqual([...before.tables, 'fine_so_far'].sort());
  });

  it('fails a build that has no database variable instead of starting an embedded one', { timeout: 60_000 }, async () => {
    const result = await run(join(ROOT, 'node_modules/.bin/tsx'), ['src/cli/migrate.ts'], ROOT, { CONTEXT: 'deploy-preview' });
    expect(result.code).toBe(1);
    expect(result.output).toContain('DATABASE_URL is not set in this deploy-preview build (nor NETLIFY_DATABASE_URL)');
  });

  it("uses Netlify DB's NETLIFY_DATABASE_URL when DATABASE_URL is unset", { timeout: 60_000 }, async () => {
    const url = await database();
    const result = await run(join(ROOT, 'node_modules/.bin/tsx'), ['src/cli/migrate.ts'], ROOT, {
      CONTEXT: 'production',
      NETLIFY_DATABASE_URL: url,
    });
    expect(result.output).toMatch(
      /^NETLIFY_DATABASE_URL \(postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:\d+\/auth_deploy_\w+\): applied 0001_accounts\.sql/m,
    );
    expect(result.code).toBe(0);
  });

  it('connects the functions to NETLIFY_DATABASE_URL when DATABASE_URL is unset', async () => {
    const url = await database(inject('templateDatabase'));
    await closeDb();
    vi.stubEnv('NETLIFY_DATABASE_URL', url);
    vi.stubEnv('DATABASE_URL', '');
    try {
      const { rows } = await sql<{ name: string }>`SELECT current_database() AS name`.execute(getDb());
      expect(rows[0]!.name).toBe(new URL(url).pathname.slice(1));
    } finally {
      await closeDb();
      vi.unstubAllEnvs();
    }
  });

  it('applies each migration once when two deploys migrate at once', async () => {
    const url = await database();
    const files = (await readdir(MIGRATIONS_DIR)).filter((name) => name.endsWith('.sql')).sort();
    const [a, b] = await Promise.all([migrate(url), migrate(url)]);
    expect([...a, ...b].sort()).toEqual(files);
    expect((await state(url)).migrations).toEqual(files);
  });
});
