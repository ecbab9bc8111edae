// Every setting of the service, read from the environment in this one module
// and parsed with valibot, so that a bad value fails loudly and names its
// variable instead of surfacing as a runtime bug. Each setting is parsed on
// first use and kept for the life of the process: only what needs a setting
// fails when it is wrong (a bad MAIL_FROM does not stop the health check).
// Tests that change the environment call resetSettings() (tests/support/env.ts).
import * as v from 'valibot';
import { durationMs, durationSchema } from './duration.ts';
import { parseSigningKeys, type PrivateSigningJwk } from './signing-keys.ts';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Read one variable, treating an empty string as unset. */
export function envValue(name: string): string | undefined {
  const value = process.env[name];
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

/** Parse `value` with `schema`, or throw a ConfigError naming the variable. */
function parseEnv<T extends v.GenericSchema>(name: string, schema: T, value: unknown = envValue(name)): v.InferOutput<T> {
  const result = v.safeParse(schema, value);
  if (!result.success) throw new ConfigError(`${name}: ${result.issues.map((i) => i.message).join('; ')}`);
  return result.output;
}

export interface Limit {
  count: number;
  windowMs: number;
}

const LIMIT_TEXT = /^([1-9]\d{0,8})\/([1-9]\d{0,8}[smh])$/;

/** `COUNT/WINDOW`, e.g. `10/15m`. */
export const limitSchema = v.pipe(
  v.string(),
  v.regex(LIMIT_TEXT, 'must be COUNT/WINDOW with a positive count and a window in s, m or h, e.g. 10/15m'),
  v.transform((text): Limit => {
    const [, count, window] = LIMIT_TEXT.exec(text)!;
    return { count: Number(count), windowMs: durationMs(window!)! };
  }),
);

const limit = (variable: string, fallback: string) => () => parseEnv(variable, v.optional(limitSchema, fallback));

export interface MailSettings {
  url: string;
  apiKey: string | undefined;
  from: string;
}

/** An absolute http(s) URL (MAIL_API_URL, APP_URL, BREACHED_PASSWORD_API_URL). */
const httpUrlSchema = v.pipe(
  v.string(),
  v.url('must be an absolute URL'),
  v.check((text) => /^https?:\/\//i.test(text), 'must be an http or https URL'),
);

/**
 * Exact origins, comma-separated, as a browser writes them in `Origin`: a
 * scheme, a host and a port only where it is not the default. Anything looser
 * (`*`, a path, a trailing slash, upper case) is refused, not reinterpreted.
 */
const isOrigin = (text: string) => {
  try {
    return /^https?:\/\//.test(text) && new URL(text).origin === text;
  } catch {
    return false;
  }
};

const originListSchema = v.pipe(
  v.string(),
  v.transform((list) => list.split(',').flatMap((origin) => origin.trim() || [])),
  v.array(
    v.pipe(
      v.string(),
      v.check(isOrigin, (issue) => `${JSON.stringify(issue.input)} is not an origin such as https://app.example.com`),
    ),
  ),
  v.transform((origins): ReadonlySet<string> => new Set(origins)),
);

/** An absolute https URL: what a deploy context asks of a third party (BREACHED_PASSWORD_API_URL). */
const httpsUrlSchema = v.pipe(
  v.string(),
  v.url('must be an absolute URL'),
  v.check((text) => /^https:\/\//i.test(text), 'must be an https URL in a deploy context'),
);

/** A provider people may sign in with (src/auth/providers/README.md). */
export interface IdentityProviderSetting {
  /** In the routes' paths: `/api/auth/<id>/start`. */
  id: string;
  /** On the button: "Sign in with <name>". */
  name: string;
  /** `oidc`: discovery from `issuer`; `github`: OAuth 2 and GitHub's user and e-mail APIs. */
  kind: 'oidc' | 'github';
  issuer: string;
  clientId: string;
  clientSecret: string;
}

const providerIdSchema = v.pipe(
  v.string(),
  v.regex(
    /^[a-z][a-z0-9-]{0,31}$/,
    (issue) => `${JSON.stringify(issue.input)} is not an id of 1-32 of a-z, 0-9 and "-", starting with a letter`,
  ),
  v.check((id) => id !== 'github', '"github" is configured by GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET'),
);
const requiredText = (name: string) => parseEnv(name, v.pipe(v.string(`is required`), v.minLength(1, 'is required')));

/** `neon`: HTTP per statement, WebSocket for transactions; `neon-ws`: WebSocket only (see src/db/neon.ts). */
export const DRIVERS = ['pg', 'neon', 'neon-ws'] as const;
export type Driver = (typeof DRIVERS)[number];

/** log2 of scrypt's N for new hashes: 17 (OWASP's minimum) unless PASSWORD_SCRYPT_N lowers it (tests). */
const SCRYPT_LN = 17;
const MAX_SCRYPT_LN = 20;

const READERS = {
  // Where the process runs: what may be revealed, where links point.
  /**
   * The Netlify deploy context this process runs in, if any (production, deploy-preview,
   * branch-deploy; `netlify dev` sets CONTEXT=dev): CONTEXT in a build, and in a
   * function (Netlify's run on AWS Lambda, which sets AWS_LAMBDA_FUNCTION_NAME) a deploy
   * whatever CONTEXT says, so that a missing CONTEXT can never pass for local development.
   */
  deployContext: (): string | undefined => {
    // Any CONTEXT but netlify dev's: a context Netlify adds later is a deploy too.
    const context = envValue('CONTEXT');
    if (context !== undefined && context !== 'dev') return context;
    // netlify dev emulates Lambda too (it sets AWS_LAMBDA_FUNCTION_NAME), and says so in NETLIFY_DEV.
    if (READERS.netlifyDev()) return undefined;
    return envValue('AWS_LAMBDA_FUNCTION_NAME') === undefined ? undefined : 'deployed function';
  },
  /**
   * Local development: `netlify dev` or the test runner, never a deploy context. Only here may
   * codes and reset tokens travel in responses and log lines, and the session cookie go
   * without `Secure` over plain http.
   */
  localDevelopment: (): boolean => READERS.deployContext() === undefined && (READERS.netlifyDev() || READERS.test()),
  /** RETURN_CODES_IN_RESPONSES=true: codes in responses outside netlify dev and the tests; refused in every deploy context (src/auth/codes/delivery.ts). */
  returnCodesInResponses: () =>
    parseEnv('RETURN_CODES_IN_RESPONSES', v.optional(v.picklist(['true', 'false'], 'must be true or false'), 'false')) === 'true',
  /** Netlify's DEPLOY_PRIME_URL: the address of this deploy preview or branch deploy. */
  deployUrl: () => envValue('DEPLOY_PRIME_URL'),
  /** APP_URL: where the web pages live when not at /app of this deploy (src/http/client.ts). */
  appUrl: () => {
    const url = envValue('APP_URL');
    return url === undefined ? undefined : parseEnv('APP_URL', httpUrlSchema, url).replace(/\/+$/, '');
  },
  /** Netlify sets CONTEXT on every deploy (production, deploy-preview, branch-deploy); `dev` is a local `netlify dev`. */
  deployed: () => {
    const context = envValue('CONTEXT');
    return context !== undefined && context !== 'dev';
  },
  /** Vitest sets VITEST; some safety checks relax (never silently) under test. */
  test: () => envValue('VITEST') !== undefined || envValue('NODE_ENV') === 'test',
  /** `netlify dev` sets NETLIFY_DEV (see src/http/route.ts for why it matters). */
  netlifyDev: () => envValue('NETLIFY_DEV') === 'true',
  /** Netlify's URL: the site's main address; links in e-mails open its /app pages unless APP_URL says otherwise. */
  siteUrl: () => envValue('URL'),

  // How long rows that nothing needs are kept before the purge (src/system/purge.ts) deletes them.
  /** PURGE_UNCONFIRMED_AFTER: accounts never confirmed go this long after sign-up (7d). */
  purgeUnconfirmedAfterMs: () => parseEnv('PURGE_UNCONFIRMED_AFTER', v.optional(durationSchema, '7d')),
  /** PURGE_EXPIRED_AFTER: expired sessions and used or expired codes go this long after (1d). */
  purgeExpiredAfterMs: () => parseEnv('PURGE_EXPIRED_AFTER', v.optional(durationSchema, '1d')),
  /** AUDIT_EVENTS_RETENTION: how long security events are kept before the scheduled purge deletes them (default 90d). */
  auditRetentionMs: () => parseEnv('AUDIT_EVENTS_RETENTION', v.optional(durationSchema, '90d')),
  /** ADMIN_ACTIONS_RETENTION: how long the admin trail is kept before the scheduled purge deletes it (default 365d). */
  adminTrailRetentionMs: () => parseEnv('ADMIN_ACTIONS_RETENTION', v.optional(durationSchema, '365d')),

  // The database and the driver that reaches it (src/db/README.md).
  /**
   * DATABASE_URL, or else Netlify DB's NETLIFY_DATABASE_URL (Neon underneath), with the variable it
   * came from; checked by src/db/url.ts, which names what is wrong without showing the password.
   */
  database: (): { variable: 'DATABASE_URL' | 'NETLIFY_DATABASE_URL'; url: string } | undefined => {
    for (const variable of ['DATABASE_URL', 'NETLIFY_DATABASE_URL'] as const) {
      const url = envValue(variable);
      if (url !== undefined) return { variable, url };
    }
    return undefined;
  },
  databaseDriver: (): Driver | undefined => {
    const forced = envValue('DATABASE_DRIVER');
    if (forced !== undefined && !(DRIVERS as readonly string[]).includes(forced)) {
      throw new ConfigError(`DATABASE_DRIVER must be "pg", "neon" or "neon-ws", not "${forced}"`);
    }
    return forced as Driver | undefined;
  },
  /** A local stand-in for Neon's proxy (tests, benchmarks). */
  neonWsProxy: () => envValue('NEON_WS_PROXY'),

  // Sessions, access tokens and the keys that sign them (src/signing/README.md).
  /** JWT_SIGNING_KEYS: a JSON array of private ES256 JWKs, the first signing (`npm run keys` prints one). */
  signingKeys: (): PrivateSigningJwk[] => {
    const text = envValue('JWT_SIGNING_KEYS');
    if (text === undefined) return [];
    try {
      return parseSigningKeys(text);
    } catch (error) {
      throw new ConfigError(`JWT_SIGNING_KEYS ${(error as Error).message}`);
    }
  },
  /** The HS256 secret: signs session tokens when there are no keys, and still verifies them when there are. */
  jwtSecret: (): string | undefined => {
    // No fallback in shipped code: a default secret would be a known one. The test setup and `npm run dev` supply their own.
    const secret = envValue('JWT_SECRET');
    if (secret !== undefined && new TextEncoder().encode(secret).length < 32)
      throw new ConfigError('JWT_SECRET must be at least 32 bytes long');
    return secret;
  },
  /** SESSION_TTL: a session's absolute lifetime, its token's `exp` (default 30d). */
  sessionTtlMs: () => parseEnv('SESSION_TTL', v.optional(durationSchema, '30d')),
  /** SESSION_IDLE_TTL: a session unused this long ends (default 7d); using it moves the end, at most once an hour. */
  sessionIdleTtlMs: () => parseEnv('SESSION_IDLE_TTL', v.optional(durationSchema, '7d')),
  /** ACCESS_TOKEN_TTL: an access token's lifetime (default 15m, at most 1d: a verifier cannot revoke one). */
  accessTokenTtlMs: () =>
    parseEnv('ACCESS_TOKEN_TTL', v.optional(v.pipe(durationSchema, v.maxValue(86_400_000, 'must be at most 1d')), '15m')),
  /** JWT_ISSUER: the access tokens' `iss`; default the site's URL. */
  jwtIssuer: () => parseEnv('JWT_ISSUER', v.optional(v.pipe(v.string(), v.url('must be an absolute URL')))),
  /** JWT_AUDIENCE: the access tokens' `aud`; default the issuer. */
  jwtAudience: () => parseEnv('JWT_AUDIENCE', v.optional(v.pipe(v.string(), v.maxLength(200, 'is too long')))),
  /** CORS_ALLOWED_ORIGINS: the origins whose pages may call the JSON API with a Bearer token (src/http/README.md, "CORS"). */
  corsAllowedOrigins: () => parseEnv('CORS_ALLOWED_ORIGINS', v.optional(originListSchema, '')),

  // Rate limits: how many attempts per window.
  loginAccountLimit: limit('RATE_LIMIT_LOGIN_ACCOUNT', '10/15m'),
  loginIpLimit: limit('RATE_LIMIT_LOGIN_IP', '50/15m'),
  registerIpLimit: limit('RATE_LIMIT_REGISTER_IP', '30/10m'),
  emailLimit: limit('RATE_LIMIT_EMAIL', '5/10m'),
  emailIpLimit: limit('RATE_LIMIT_EMAIL_IP', '30/10m'),
  /** RATE_LIMIT_MFA: wrong second-factor codes per account, from all addresses together. */
  mfaLimit: limit('RATE_LIMIT_MFA', '10/15m'),
  /** RATE_LIMIT_MFA_DAY: the long cap on them; past it the second step is locked until a password reset. */
  mfaDayLimit: limit('RATE_LIMIT_MFA_DAY', '30/24h'),

  // Failed logins per account across all addresses, and how much of an IPv6 address names one client.
  loginAccountTotalLimit: limit('RATE_LIMIT_LOGIN_ACCOUNT_TOTAL', '100/1h'),
  /** RATE_LIMIT_IPV6_PREFIX: the leading bits of an IPv6 address that rate limits count as one client. */
  ipv6PrefixBits: () =>
    parseEnv(
      'RATE_LIMIT_IPV6_PREFIX',
      v.optional(
        v.pipe(
          v.string(),
          v.regex(/^\d{1,3}$/, 'must be a whole number of bits'),
          v.transform(Number),
          v.minValue(16, 'must be at least 16'),
          v.maxValue(128, 'must be at most 128'),
        ),
        '64',
      ),
    ),

  /** The HTTP mail provider; without MAIL_API_URL there is none (local development). */
  mail: (): MailSettings | undefined => {
    const url = envValue('MAIL_API_URL');
    if (url === undefined) return undefined;
    const from = envValue('MAIL_FROM');
    if (from === undefined) throw new ConfigError('MAIL_FROM is required when MAIL_API_URL is set');
    return {
      url: parseEnv('MAIL_API_URL', httpUrlSchema, url),
      apiKey: envValue('MAIL_API_KEY'),
      from: parseEnv('MAIL_FROM', v.pipe(v.string(), v.maxLength(320, 'is too long')), from),
    };
  },

  // The second factor (src/auth/mfa/README.md).
  /**
   * MFA_ENCRYPTION_KEY: 32-byte AES-256-GCM keys in base64, comma-separated: the first seals TOTP
   * secrets, every one opens them (rotation: src/auth/mfa/README.md). Without it the second-factor
   * endpoints answer 503 (`npm run dev` makes one in .data/).
   */
  mfaEncryptionKeys: (): Buffer[] | undefined => {
    const text = envValue('MFA_ENCRYPTION_KEY');
    if (text === undefined) return undefined;
    return text.split(',').map((item, index) => {
      const trimmed = item.trim();
      const key = Buffer.from(trimmed, 'base64');
      if (!/^[A-Za-z0-9+/]+={0,2}$/.test(trimmed) || key.length !== 32) {
        throw new ConfigError(
          `MFA_ENCRYPTION_KEY must be 32 bytes in base64 (openssl rand -base64 32), or a comma-separated list of such keys: key ${index + 1} is not`,
        );
      }
      return key;
    });
  },

  // New passwords: how hard their hash is, and the breached-password check (src/auth/passwords/breached.ts).
  /** PASSWORD_SCRYPT_N, a power of two, as its log2. */
  scryptLn: () =>
    Math.log2(
      parseEnv(
        'PASSWORD_SCRYPT_N',
        v.optional(
          v.pipe(
            v.string(),
            v.transform(Number),
            v.number(),
            v.check(
              (n) => Number.isInteger(Math.log2(n)) && n >= 2 ** 10 && n <= 2 ** MAX_SCRYPT_LN,
              'must be a power of two from 1024 to 1048576',
            ),
          ),
          String(2 ** SCRYPT_LN),
        ),
      ),
    ),
  /** BREACHED_PASSWORD_CHECK=on|off: new passwords are checked against Have I Been Pwned; on unless in local development. */
  breachedPasswordCheck: (): boolean => {
    const value = parseEnv('BREACHED_PASSWORD_CHECK', v.optional(v.picklist(['on', 'off'], 'must be on or off')));
    return value === undefined ? !READERS.localDevelopment() : value === 'on';
  },
  /**
   * BREACHED_PASSWORD_API_URL: the base of the range API, asked at `<base>/range/<prefix>`;
   * https in every deploy context (a prefix of a new password's hash goes out in it).
   */
  breachedPasswordApiUrl: () =>
    parseEnv(
      'BREACHED_PASSWORD_API_URL',
      v.optional(READERS.deployContext() === undefined ? httpUrlSchema : httpsUrlSchema, 'https://api.pwnedpasswords.com'),
    ).replace(/\/+$/, ''),
  // Other identity providers (src/auth/providers/README.md).
  /**
   * OIDC_PROVIDERS (ids, comma-separated) with OIDC_<ID>_ISSUER (https in a deploy context),
   * OIDC_<ID>_CLIENT_ID, OIDC_<ID>_CLIENT_SECRET and OIDC_<ID>_NAME (default: the id), the id
   * upper-cased with "-" as "_"; GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET (both or neither).
   */
  identityProviders: (): readonly IdentityProviderSetting[] => {
    const ids = parseEnv(
      'OIDC_PROVIDERS',
      v.optional(
        v.pipe(
          v.string(),
          v.transform((list) => list.split(',').flatMap((id) => id.trim() || [])),
          v.array(providerIdSchema),
          v.check((list) => new Set(list).size === list.length, 'names a provider twice'),
        ),
        '',
      ),
    );
    const issuerSchema = READERS.deployContext() === undefined ? httpUrlSchema : httpsUrlSchema;
    const providers: IdentityProviderSetting[] = ids.map((id) => {
      const prefix = `OIDC_${id.toUpperCase().replaceAll('-', '_')}_`;
      return {
        id,
        kind: 'oidc',
        name: envValue(`${prefix}NAME`) ?? id,
        issuer: parseEnv(`${prefix}ISSUER`, issuerSchema),
        clientId: requiredText(`${prefix}CLIENT_ID`),
        clientSecret: requiredText(`${prefix}CLIENT_SECRET`),
      };
    });
    if (envValue('GITHUB_CLIENT_ID') !== undefined || envValue('GITHUB_CLIENT_SECRET') !== undefined) {
      providers.push({
        id: 'github',
        kind: 'github',
        name: 'GitHub',
        issuer: 'https://github.com',
        clientId: requiredText('GITHUB_CLIENT_ID'),
        clientSecret: requiredText('GITHUB_CLIENT_SECRET'),
      });
    }
    return providers;
  },
  /** IDENTITY_PROVIDER_TIMEOUT: each request to a provider (discovery, keys, token, GitHub's APIs) gives up after this (5s, at most 10s). */
  identityProviderTimeoutMs: () =>
    parseEnv('IDENTITY_PROVIDER_TIMEOUT', v.optional(v.pipe(durationSchema, v.maxValue(10_000, 'must be at most 10s')), '5s')),
  /** BREACHED_PASSWORD_TIMEOUT: after this (1s), the password is accepted unchecked; at most 10s: no request should wait longer on a third party. */
  breachedPasswordTimeoutMs: () =>
    parseEnv('BREACHED_PASSWORD_TIMEOUT', v.optional(v.pipe(durationSchema, v.maxValue(10_000, 'must be at most 10s')), '1s')),
};

export type SettingName = keyof typeof READERS;
export type Settings = { [K in SettingName]: ReturnType<(typeof READERS)[K]> };

const parsed = new Map<SettingName, unknown>();

/** One setting, parsed on first use; a bad value throws a ConfigError naming its variable (and is read again next time). */
export function setting<K extends SettingName>(name: K): Settings[K] {
  if (!parsed.has(name)) parsed.set(name, READERS[name]());
  return parsed.get(name) as Settings[K];
}

/** Tests only: forget every parsed setting after changing the environment. */
export function resetSettings(): void {
  parsed.clear();
}
