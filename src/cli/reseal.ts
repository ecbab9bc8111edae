// npm run mfa:reseal — every stored TOTP secret sealed again under the first
// key of MFA_ENCRYPTION_KEY (src/auth/mfa/README.md, "Rotating the key"), on
// DATABASE_URL (or NETLIFY_DATABASE_URL) or the embedded database, whose key
// is the one `npm run dev` keeps in .data/ unless the variable is set.
import './require-node.ts';
import { resealAll } from '../auth/mfa/reseal.ts';
import { ConfigError, envValue, setting } from '../config/settings.ts';
import { localMfaKey, runOnDatabase } from './database.ts';

await runOnDatabase(async (db, database) => {
  const embedded = setting('database') === undefined;
  if (envValue('MFA_ENCRYPTION_KEY') === undefined && !embedded) throw new ConfigError('MFA_ENCRYPTION_KEY is not set');
  const keys = setting('mfaEncryptionKeys') ?? [Buffer.from(await localMfaKey(), 'base64')];
  const { resealed, current, unreadable } = await resealAll(db, keys);
  console.log(`${database.description}: ${resealed} secrets sealed again under the first key, ${current} already were`);
  if (unreadable.length === 0) return true;
  console.error(`${unreadable.length} open with none of the keys (accounts ${unreadable.join(', ')}): keep the key they were sealed with`);
  return false;
});
