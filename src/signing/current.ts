// The process's key set: JWT_SIGNING_KEYS (private JWKs, the first signs) and
// JWT_SECRET (HS256, for deploys from before keys), imported once.
import { ConfigError, envValue, isTest } from '../config/env.ts';
import { importKeySet, parseSigningKeys, type KeySet } from './keys.ts';

const TEST_SECRET = 'test-only-secret-0123456789abcdef';

export const MISSING_KEYS = 'JWT_SIGNING_KEYS is not set (npm run keys prints a key to put in it; JWT_SECRET alone also works)';

/**
 * Netlify sets CONTEXT on every deploy (production, deploy-preview,
 * branch-deploy); `dev` is a local `netlify dev`. A deployed function without
 * a key would answer 500 to every signed-in request: it does not start.
 */
const context = envValue('CONTEXT');
if (context !== undefined && context !== 'dev' && envValue('JWT_SIGNING_KEYS') === undefined && envValue('JWT_SECRET') === undefined) {
  console.error(`configuration: ${MISSING_KEYS}`);
  process.exit(1);
}

let loaded: { source: string; keys: Promise<KeySet> } | undefined;

/** The key set, imported on first use and again only if the variables change (tests). Throws a ConfigError naming the variable. */
export function currentKeys(): Promise<KeySet> {
  const text = envValue('JWT_SIGNING_KEYS');
  const secret = envValue('JWT_SECRET') ?? (isTest() && text === undefined ? TEST_SECRET : undefined);
  const source = `${text}\u0000${secret}`;
  if (loaded?.source !== source) loaded = { source, keys: load(text, secret) };
  return loaded.keys;
}

async function load(text: string | undefined, secret: string | undefined): Promise<KeySet> {
  if (text === undefined && secret === undefined) throw new ConfigError(MISSING_KEYS);
  if (secret !== undefined && new TextEncoder().encode(secret).length < 32) throw new ConfigError('JWT_SECRET must be at least 32 bytes long');
  try {
    return await importKeySet(text === undefined ? [] : parseSigningKeys(text), secret);
  } catch (error) {
    throw new ConfigError(`JWT_SIGNING_KEYS: ${(error as Error).message}`);
  }
}
