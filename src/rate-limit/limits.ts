// The rate limits and the counters they apply to: each limit is `COUNT/WINDOW`
// from an environment variable (the README's "Rate limits").
import { setting, type Limit } from '../config/settings.ts';
import { addressKey } from './address.ts';

export const LIMIT_NAMES = ['loginAccount', 'loginAccountTotal', 'loginIp', 'registerIp', 'email', 'emailIp', 'mfa', 'mfaDay'] as const;
export type LimitName = (typeof LIMIT_NAMES)[number];

/** The limit as configured (RATE_LIMIT_*, see src/config/settings.ts). */
export function limitFor(name: LimitName): Limit {
  return setting(`${name}Limit`);
}

/** The longest window of any limit: a counter whose window started before that counts as empty for every limit. */
export function longestWindowMs(): number {
  return Math.max(...LIMIT_NAMES.map((name) => limitFor(name).windowMs));
}

/** One counter: the row it lives in and the limit that applies to it. */
export interface Check {
  bucket: string;
  limit: Limit;
}

const bucketKey = (kind: string, ...parts: (string | number)[]) => [kind, ...parts].join(':');

/**
 * The per-account login counters. One is keyed by account AND client address,
 * so a guesser elsewhere cannot lock the owner out (src/auth/README.md, "Security hardening"); the
 * other counts every address together, so guesses spread over many addresses
 * are bounded too, and does not apply to an address the account logged in
 * from lately (src/auth/attempts/known-addresses.ts). Their keys are `prefix + userId
 * + suffix`, so SQL can build them for a user it has just found.
 */
export const loginAccountKey = (ip: string) => ({ prefix: 'login_account:', suffix: `:${addressKey(ip)}` });
export const loginAccountTotalKey = { prefix: 'login_account_total:', suffix: '' } as const;

/** How long a successful login exempts its address from the per-account total (30 days); the purge drops older rows. */
export const KNOWN_ADDRESS_MS = 30 * 24 * 60 * 60_000;

/** The second-factor counters' keys are these and the user id, so SQL can build them for a user it has just found. */
export const MFA_BUCKET_PREFIX = 'mfa:';
export const MFA_DAY_BUCKET_PREFIX = 'mfa_day:';

/**
 * How many views of the log-in page an address gets per password attempt of
 * RATE_LIMIT_LOGIN_IP: the passkey sign-in's options (asked for as the page
 * opens) and the starts of a sign-in at another provider (a row each) count
 * in buckets of their own at this multiple, so neither spends a password attempt.
 */
export const VIEWS_PER_LOGIN = 5;

/** A bucket of `kind` per address at VIEWS_PER_LOGIN times RATE_LIMIT_LOGIN_IP, in its window. */
function viewsOf(kind: string, ip: string): Check {
  const login = limitFor('loginIp');
  // Within Postgres's integer, whatever the configured count.
  return { bucket: bucketKey(kind, addressKey(ip)), limit: { ...login, count: Math.min(login.count * VIEWS_PER_LOGIN, 2 ** 31 - 1) } };
}

export const checks = {
  loginAccount: (userId: number, ip: string): Check => {
    const { prefix, suffix } = loginAccountKey(ip);
    return { bucket: `${prefix}${userId}${suffix}`, limit: limitFor('loginAccount') };
  },
  loginAccountTotal: (userId: number): Check => ({
    bucket: `${loginAccountTotalKey.prefix}${userId}${loginAccountTotalKey.suffix}`,
    limit: limitFor('loginAccountTotal'),
  }),
  loginIp: (ip: string): Check => ({ bucket: bucketKey('login_ip', addressKey(ip)), limit: limitFor('loginIp') }),
  /**
   * The passkey sign-in's options of an address: the login page asks for them
   * as it opens (the autofill's request); a refused assertion counts on
   * loginIp as a wrong password does.
   */
  passkeyOptionsIp: (ip: string): Check => viewsOf('passkey_options_ip', ip),
  /** The starts of a sign-in at another provider from an address: each keeps a pending row until the purge. */
  providerStartIp: (ip: string): Check => viewsOf('provider_start_ip', ip),
  registerIp: (ip: string): Check => ({ bucket: bucketKey('register_ip', addressKey(ip)), limit: limitFor('registerIp') }),
  email: (email: string): Check => ({ bucket: bucketKey('email', email.toLowerCase()), limit: limitFor('email') }),
  emailIp: (ip: string): Check => ({ bucket: bucketKey('email_ip', addressKey(ip)), limit: limitFor('emailIp') }),
  /**
   * E-mail change codes sent to an address, under RATE_LIMIT_EMAIL but in a
   * bucket of their own: someone asking to move their account to a stranger's
   * address must not spend that stranger's own budget of codes and tokens.
   */
  emailChange: (email: string): Check => ({ bucket: bucketKey('email_change', email.toLowerCase()), limit: limitFor('email') }),
  /**
   * Wrong second-factor codes of one account, whatever the address: only a
   * holder of the password or of a session can make them, and a right
   * password does not clear this counter (only a right code does).
   */
  mfa: (userId: number): Check => ({ bucket: `${MFA_BUCKET_PREFIX}${userId}`, limit: limitFor('mfa') }),
  /**
   * The same codes over a long window (RATE_LIMIT_MFA_DAY), which a right code
   * does not clear: past it the factor is locked until a password reset
   * (src/auth/mfa/guesses.ts).
   */
  mfaDay: (userId: number): Check => ({ bucket: `${MFA_DAY_BUCKET_PREFIX}${userId}`, limit: limitFor('mfaDay') }),
};
