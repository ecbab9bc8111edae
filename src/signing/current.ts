// The process's key set, from JWT_SIGNING_KEYS and JWT_SECRET, imported once.
import { ConfigError, setting } from '../config/settings.ts';
import type { PrivateSigningJwk } from '../config/signing-keys.ts';
import { importKeySet, type KeySet } from './keys.ts';

const MISSING_KEYS = 'JWT_SIGNING_KEYS is not set (npm run keys prints a key for it; JWT_SECRET alone also works)';

// A deployed function without a usable key would answer 500 to every
// signed-in request: it refuses to start instead, with one line in the log.
if (setting('deployed')) {
  try {
    if (setting('signingKeys').length === 0 && setting('jwtSecret') === undefined) throw new ConfigError(MISSING_KEYS);
  } catch (error) {
    console.error(`configuration: ${(error as Error).message}`);
    process.exit(1);
  }
}

let loaded: { keys: PrivateSigningJwk[]; secret: string | undefined; set: Promise<KeySet> } | undefined;

/** The key set, imported on first use and again only when the settings change (tests). Throws a ConfigError naming the variable. */
export function currentKeys(): Promise<KeySet> {
  const keys = setting('signingKeys');
  const secret = setting('jwtSecret');
  if (loaded?.keys !== keys || loaded.secret !== secret) {
    const set =
      keys.length === 0 && secret === undefined
        ? Promise.reject(new ConfigError(MISSING_KEYS))
        : importKeySet(keys, secret).catch((error: Error) => Promise.reject(new ConfigError(`JWT_SIGNING_KEYS ${error.message}`)));
    set.catch(() => {});
    loaded = { keys, secret, set };
  }
  return loaded.set;
}
