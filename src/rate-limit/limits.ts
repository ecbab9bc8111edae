// The configured limits (shared/API.md "Rate limits"): each is `COUNT/WINDOW`
// from an environment variable, parsed once per process.
import * as v from 'valibot';
import { durationMs } from '../config/duration.ts';
import { parseEnv } from '../config/env.ts';
import { addressKey } from './address.ts';

export interface Limit {
  count: number;
  windowMs: number;
}

export type LimitName = 'loginAccount' | 'loginAccountTotal' | 'loginIp' | 'registerIp' | 'email' | 'emailIp';

const VARIABLES: Record<LimitName, { name: string; fallback: string }> = {
  loginAccount: { name: 'RATE_LIMIT_LOGIN_ACCOUNT', fallback: '10/15m' },
  loginAccountTotal: { name: 'RATE_LIMIT_LOGIN_ACCOUNT_TOTAL', fallback: '100/1h' },
  loginIp: { name: 'RATE_LIMIT_LOGIN_IP', fallback: '50/15m' },
  registerIp: { name: 'RATE_LIMIT_REGISTER_IP', fallback: '30/10m' },
  email: { name: 'RATE_LIMIT_EMAIL', fallback: '5/10m' },
  emailIp: { name: 'RATE_LIMIT_EMAIL_IP', fallback: '30/10m' },
};

const LIMIT_TEXT = /^([1-9]\d{0,8})\/([1-9]\d{0,8}[smh])$/;

export const limitSchema = v.pipe(
  v.string(),
  v.regex(LIMIT_TEXT, 'must be COUNT/WINDOW with a positive count and a window in s, m or h, e.g. 10/15m'),
  v.transform((text): Limit => {
    const [, count, window] = LIMIT_TEXT.exec(text)!;
    return { count: Number(count), windowMs: durationMs(window!)! };
  }),
);

const cache = new Map<LimitName, Limit>();

export function limitFor(name: LimitName): Limit {
  let limit = cache.get(name);
  if (limit === undefined) {
    const { name: variable, fallback } = VARIABLES[name];
    limit = parseEnv(variable, v.optional(limitSchema, fallback));
    cache.set(name, limit);
  }
  return limit;
}

/** Tests only: forget parsed limits after changing the environment. */
export function resetRateLimitSettings(): void {
  cache.clear();
}

/** One counter: the row it lives in and the limit that applies to it. */
export interface Check {
  bucket: string;
  limit: Limit;
}

const bucketKey = (kind: string, ...parts: (string | number)[]) => [kind, ...parts].join(':');

/**
 * The per-account login counters. One is keyed by account AND client address,
 * so a guesser elsewhere cannot lock the owner out (README, design notes); the
 * other counts every address together, so guesses spread over many addresses
 * are bounded too, and does not apply to an address the account logged in
 * from lately (src/auth/known-addresses.ts). Their keys are `prefix + userId
 * + suffix`, so SQL can build them for a user it has just found.
 */
export const loginAccountKey = (ip: string) => ({ prefix: 'login_account:', suffix: `:${addressKey(ip)}` });
export const loginAccountTotalKey = { prefix: 'login_account_total:', suffix: '' } as const;

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
  registerIp: (ip: string): Check => ({ bucket: bucketKey('register_ip', addressKey(ip)), limit: limitFor('registerIp') }),
  email: (email: string): Check => ({ bucket: bucketKey('email', email.toLowerCase()), limit: limitFor('email') }),
  emailIp: (ip: string): Check => ({ bucket: bucketKey('email_ip', addressKey(ip)), limit: limitFor('emailIp') }),
};
