// Validation of DATABASE_URL (or NETLIFY_DATABASE_URL) and the choice of driver for it.
import { ConfigError, setting, type Driver } from '../config/settings.ts';

/** Parse a postgres URL, or throw a ConfigError that names `variable` (never the password). */
export function parseDatabaseUrl(raw: string | undefined, variable = 'DATABASE_URL'): URL {
  if (raw === undefined) {
    throw new ConfigError(
      `${variable} is not set (nor Netlify DB's NETLIFY_DATABASE_URL); npm run dev starts an embedded database and sets it`,
    );
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`${variable} is not a valid URL; expected postgres://user:password@host:port/database`);
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new ConfigError(`${variable} must start with postgres:// or postgresql://, not ${url.protocol}//`);
  }
  if (url.hostname === '') throw new ConfigError(`${variable} has no host`);
  if (url.pathname.length <= 1) throw new ConfigError(`${variable} names no database`);
  return url;
}

/** Neon's driver for Neon hosts (or DATABASE_DRIVER=neon); node-postgres for everything else. */
export function chooseDriver(url: URL): Driver {
  return setting('databaseDriver') ?? (url.hostname.endsWith('.neon.tech') ? 'neon' : 'pg');
}
