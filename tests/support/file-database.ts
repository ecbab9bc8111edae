// Each test file gets its own database, cloned from the migrated template,
// and DATABASE_URL points at it before any application module connects.
import { randomBytes } from 'node:crypto';
import { afterAll, inject } from 'vitest';
import { closeDb } from '../../src/db/connection.ts';
import { databaseUrl } from '../../src/db/embedded.ts';
import { admin } from './global-setup.ts';

const serverUrl = inject('databaseServerUrl');
const name = `auth_test_${randomBytes(6).toString('hex')}`;

await admin(serverUrl, (client) => client.query(`CREATE DATABASE ${name} TEMPLATE ${inject('templateDatabase')} STRATEGY FILE_COPY`));
process.env.DATABASE_URL = databaseUrl(serverUrl, name);

afterAll(async () => {
  await closeDb();
  await admin(serverUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
});
