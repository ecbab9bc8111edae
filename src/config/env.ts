// Environment settings, parsed once per process with valibot so a bad value
// fails loudly and names its variable instead of surfacing as a runtime bug.
import * as v from 'valibot';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Read one variable, treating an empty string as unset. */
export function envValue(name: string): string | undefined {
  const value = process.env[name];
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

/** Parse `value` with `schema`, or throw a ConfigError naming the variable. */
export function parseEnv<T extends v.GenericSchema>(
  name: string,
  schema: T,
  value: unknown = envValue(name),
): v.InferOutput<T> {
  const result = v.safeParse(schema, value);
  if (!result.success) {
    throw new ConfigError(`${name}: ${result.issues.map((i) => i.message).join('; ')}`);
  }
  return result.output;
}

/** Netlify sets CONTEXT=production for production deploys. */
export function isProduction(): boolean {
  return envValue('CONTEXT') === 'production';
}

/** Vitest sets VITEST; some safety checks relax (never silently) under test. */
export function isTest(): boolean {
  return envValue('VITEST') !== undefined || envValue('NODE_ENV') === 'test';
}

/**
 * Local development: `netlify dev` (NETLIFY_DEV=true) or the test runner,
 * never a Netlify deploy (CONTEXT production, deploy-preview or branch-deploy).
 * Only here may the session cookie go without `Secure` over plain http.
 */
export function isLocalDevelopment(): boolean {
  const context = envValue('CONTEXT');
  if (context === 'production' || context === 'deploy-preview' || context === 'branch-deploy') return false;
  return envValue('NETLIFY_DEV') === 'true' || isTest();
}
