// npm run db:purge — the hourly purge (src/system/purge.ts), by hand and to the
// end, on DATABASE_URL (or NETLIFY_DATABASE_URL) or the embedded database.
import './require-node.ts';
import { describePurge, purge } from '../system/purge.ts';
import { runOnDatabase } from './database.ts';

await runOnDatabase(async (db, database) => {
  console.log(`${database.description}: ${describePurge(await purge({ db }))}`);
  return true;
});
