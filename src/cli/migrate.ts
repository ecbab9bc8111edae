// npm run db:migrate — apply sql/migrations to DATABASE_URL (or the embedded database).
import { migrate } from '../db/migrate.ts';
import { resolveDatabase } from './database.ts';

const database = await resolveDatabase();
try {
  const applied = await migrate(database.url);
  console.log(`${database.description}: ${applied.length ? `applied ${applied.join(', ')}` : 'already up to date'}`);
} catch (error) {
  console.error((error as Error).message);
  process.exitCode = 1;
} finally {
  await database.stop();
}
