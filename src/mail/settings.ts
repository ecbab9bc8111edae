// The HTTP mail provider, from MAIL_API_URL / MAIL_API_KEY / MAIL_FROM, read once
// per process. Without MAIL_API_URL there is no provider (local development).
import * as v from 'valibot';
import { ConfigError, envValue, parseEnv } from '../config/env.ts';

export interface MailSettings {
  url: string;
  apiKey: string | undefined;
  from: string;
}

let cached: { settings: MailSettings | undefined } | undefined;

const urlSchema = v.pipe(
  v.string(),
  v.url('must be an absolute URL'),
  v.check((text) => /^https?:\/\//i.test(text), 'must be an http or https URL'),
);

export function mailSettings(): MailSettings | undefined {
  cached ??= { settings: readSettings() };
  return cached.settings;
}

function readSettings(): MailSettings | undefined {
  const url = envValue('MAIL_API_URL');
  if (url === undefined) return undefined;
  const from = envValue('MAIL_FROM');
  if (from === undefined) throw new ConfigError('MAIL_FROM is required when MAIL_API_URL is set');
  return {
    url: parseEnv('MAIL_API_URL', urlSchema, url),
    apiKey: envValue('MAIL_API_KEY'),
    from: parseEnv('MAIL_FROM', v.pipe(v.string(), v.maxLength(320, 'is too long')), from),
  };
}

/** Tests only: forget the settings after changing the environment. */
export function resetMailSettings(): void {
  cached = undefined;
}
