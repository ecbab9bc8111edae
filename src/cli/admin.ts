// npm run admin -- grant <email> | revoke <email> — the role of an account, on
// DATABASE_URL (or NETLIFY_DATABASE_URL) or the embedded database; recorded in
// its audit trail and the admin trail. How the first admin is made.
import './require-node.ts';
import { setRoleByEmail } from '../auth/admin/roles.ts';
import { runOnDatabase } from './database.ts';

const [command, email] = process.argv.slice(2);
if ((command !== 'grant' && command !== 'revoke') || email === undefined) {
  console.error('Usage: npm run admin -- grant <email> | revoke <email>');
  process.exit(2);
}

await runOnDatabase(async (db, database) => {
  const done = await setRoleByEmail(db, email, command === 'grant' ? 'admin' : 'user');
  if (done === undefined) {
    console.error(`${database.description}: no account has the address ${email}`);
    return false;
  }
  const role = command === 'grant' ? 'an admin' : 'a user';
  console.log(`${database.description}: ${done.username} (id ${done.id}) ${done.changed ? 'is now' : 'was already'} ${role}`);
  return true;
});
