// Shared by the adversarial suite: every function with its path and methods,
// the checks every response must pass, the database invariants, and the
// figures each file prints.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { expect } from 'vitest';
import { getDb } from '../../src/db/connection.ts';
import type { ErrorCode } from '../../src/common/errors.ts';
import { ENDPOINTS } from '../../src/endpoints/index.ts';
import { call, type CallResult } from '../support/call.ts';

export type Handler = Parameters<typeof call>[0];

/** An iteration count from the environment (e.g. ADVERSARIAL_FUZZ_RUNS=5000), or the default. */
export function envCount(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`${name} must be a positive integer, not "${raw}"`);
  return value;
}

/** One line of figures on the console, e.g. `[adversarial] races: 120 runs …`. */
export function report(section: string, figures: Record<string, unknown>): void {
  const text = Object.entries(figures)
    .map(([name, value]) => `${name}: ${typeof value === 'object' ? JSON.stringify(value) : String(value)}`)
    .join(', ');
  console.log(`[adversarial] ${section}: ${text}`);
}

export interface RouteUnderTest {
  file: string;
  /** Netlify's `config.path`, with `:param` segments. */
  path: string;
  methods: string[];
  /** As declared (src/endpoints): `/api/*` and `/.well-known/*` answer `{error: {code, …}}`; the classic routes `{message}`. */
  style: 'api' | 'classic';
  handler: Handler;
}

const FUNCTIONS = fileURLToPath(new URL('../../netlify/functions/', import.meta.url));

/** Every function module, with the methods its OPTIONS answer allows. */
export async function loadRoutes(): Promise<RouteUnderTest[]> {
  const files = (await readdir(FUNCTIONS)).filter((name) => name.endsWith('.ts')).sort();
  const modules = await Promise.all(
    files.map(async (file) => [file, (await import(join(FUNCTIONS, file))) as { config: { path?: string }; default: Handler }] as const),
  );
  return Promise.all(
    // The scheduled purge has no path; the /api/* catch-all serves no method (tests/deploy/edges.test.ts covers it).
    modules
      .flatMap(([file, module]) =>
        module.config.path === undefined || file === 'api-not-found.ts' ? [] : [{ file, module, path: module.config.path }],
      )
      .map(async ({ file, module, path }) => {
        const options = await call(module.default, 'OPTIONS', path.replace(/:\w+/g, '1'));
        const methods = (options.headers.get('allow') ?? '').split(', ').filter(Boolean);
        return { file, path, methods, style: ENDPOINTS[file.replace(/\.ts$/, '')]!.style, handler: module.default } as const;
      }),
  );
}

const ERROR_CODES: readonly ErrorCode[] = [
  'invalid_json',
  'validation_failed',
  'unsupported_media_type',
  'payload_too_large',
  'unauthenticated',
  'invalid_credentials',
  'account_not_confirmed',
  'forbidden',
  'not_found',
  'method_not_allowed',
  'username_taken',
  'email_taken',
  'code_expired',
  'rate_limited',
  'internal_error',
  'service_unavailable',
  'access_tokens_unavailable',
  'mfa_required',
  'invalid_mfa_code',
  'mfa_token_invalid',
  'mfa_already_enabled',
  'mfa_unavailable',
  'email_unverified',
  'step_up_required',
  'passkey_invalid',
  'passkey_limit',
  'passkey_already_registered',
];

/** What must never reach a client: stack frames, SQL or driver text, password hashes, the JWT secret. */
const LEAKS: [string, RegExp][] = [
  ['stack trace', /\n\s+at |\bat \S+ \(|\.ts:\d+|node_modules|file:\/\//],
  ['SQL', /\b(?:select|insert into|update|delete from)\b[^"]*"[a-z_]+"|\$\d+\b.*\b(?:from|where)\b/i],
  // Phrases of Postgres errors; nothing a random token could spell (a code once held `pG_`).
  [
    'driver error',
    /duplicate key value|violates \S+ (?:key )?constraint|syntax error at|invalid (?:byte sequence|input syntax)|relation "|column "|\bpostgres(?:ql)?\b/i,
  ],
  ['password hash', /\$scrypt\$|password_hash/],
  ['JWT secret', new RegExp(process.env.JWT_SECRET ?? 'no secret configured')],
];

/**
 * Every problem with one response: a 5xx, a body that is not the error shape
 * of its surface, or a leak. Text the request itself sent (at least 3
 * characters) is removed first: an echoed field name or stored post body is
 * not a leak.
 */
export function responseProblems(res: CallResult, style: RouteUnderTest['style'], sent: readonly string[] = []): string[] {
  const problems: string[] = [];
  if (res.status >= 500) problems.push(`status ${res.status}`);
  if (res.text !== '' && !/^application\/json; charset=utf-8$/.test(res.headers.get('content-type') ?? '')) {
    problems.push(`content-type ${res.headers.get('content-type')}`);
  }
  // A HEAD request's error has the GET's status and headers but no body.
  if (res.status >= 400 && res.text !== '') {
    if (style === 'api') {
      const error = res.body?.error;
      if (!ERROR_CODES.includes(error?.code) || typeof error?.message !== 'string') problems.push(`error body ${res.text.slice(0, 200)}`);
    } else if (typeof res.body?.message !== 'string' || Object.keys(res.body).length !== 1) {
      problems.push(`classic error body ${res.text.slice(0, 200)}`);
    }
  }
  let text = res.text;
  for (const value of [...sent].filter((s) => s.length >= 3).sort((a, b) => b.length - a.length)) {
    for (const form of new Set([value, JSON.stringify(value).slice(1, -1), value.toLowerCase(), value.trim()])) {
      if (form.length >= 3) text = text.split(form).join('');
    }
  }
  for (const [name, pattern] of LEAKS) if (pattern.test(text)) problems.push(`${name} in body: ${res.text.slice(0, 300)}`);
  return problems;
}

export function expectSafe(res: CallResult, style: RouteUnderTest['style'], sent: readonly string[] = []): void {
  expect(responseProblems(res, style, sent), `${res.status} ${res.text.slice(0, 300)}`).toEqual([]);
}

/** Rows that must not exist, by kind: every count must be 0. */
export async function invariantViolations(): Promise<Record<string, number>> {
  const { rows } = await sql<Record<string, number>>`
    SELECT
      (SELECT count(*) FROM users u WHERE NOT EXISTS (SELECT 1 FROM user_profiles p WHERE p.user_id = u.id))::int AS users_without_profile,
      (SELECT count(*) FROM user_profiles p WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.id = p.user_id))::int AS profiles_without_user,
      (SELECT count(*) FROM sessions s WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.id = s.user_id))::int AS sessions_without_user,
      (SELECT count(*) FROM one_time_tokens t WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.id = t.user_id))::int AS codes_without_user,
      (SELECT count(*) FROM posts p WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.id = p.user_id))::int AS posts_without_author,
      (SELECT count(*) FROM security_events e
        WHERE e.user_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM users u WHERE u.id = e.user_id))::int AS events_without_user,
      (SELECT count(*) FROM comments c
        WHERE NOT EXISTS (SELECT 1 FROM posts p WHERE p.id = c.post_id)
           OR NOT EXISTS (SELECT 1 FROM users u WHERE u.id = c.user_id))::int AS orphan_comments
  `.execute(getDb());
  return rows[0]!;
}

export async function expectInvariants(): Promise<void> {
  const violations = await invariantViolations();
  expect(
    Object.values(violations).every((n) => n === 0),
    JSON.stringify(violations),
  ).toBe(true);
}

/** Tallies answers by status: `{200: 3, 404: 1}`. */
export class StatusCount {
  readonly counts: Record<number, number> = {};
  add(status: number): void {
    this.counts[status] = (this.counts[status] ?? 0) + 1;
  }
}

/**
 * Every row of every table but the attempt records, as JSON: what a failed
 * request must leave exactly as it was. Attempt records are the rate-limit
 * counters and the failed logins a login's first statement writes with them:
 * a login cut off after that statement did fail.
 */
export async function snapshotTables(): Promise<string> {
  const { rows } = await sql<{ data: unknown }>`
    SELECT json_build_object(
      'users', (SELECT json_agg(t ORDER BY t.id) FROM users t),
      'user_profiles', (SELECT json_agg(t ORDER BY t.user_id) FROM user_profiles t),
      'sessions', (SELECT json_agg(t ORDER BY t.id) FROM sessions t),
      'one_time_tokens', (SELECT json_agg(t ORDER BY t.id) FROM one_time_tokens t),
      'posts', (SELECT json_agg(t ORDER BY t.id) FROM posts t),
      'comments', (SELECT json_agg(t ORDER BY t.id) FROM comments t),
      'security_events', (SELECT json_agg(t ORDER BY t.id) FROM security_events t WHERE t.kind NOT IN ('login_failed', 'mfa_failed')),
      'list_totals', (SELECT json_agg(t ORDER BY t.list) FROM list_totals t),
      'post_comment_totals', (SELECT json_agg(t ORDER BY t.post_id) FROM post_comment_totals t),
      'totp_factors', (SELECT json_agg(t ORDER BY t.user_id) FROM totp_factors t),
      'recovery_codes', (SELECT json_agg(t ORDER BY t.user_id, t.code_hash) FROM recovery_codes t),
      -- tries_left is an attempt counter, spent before the code is checked.
      'mfa_challenges', (SELECT json_agg(json_build_object('id', id, 'user_id', user_id, 'expires_at', expires_at) ORDER BY id) FROM mfa_challenges)
    ) AS data
  `.execute(getDb());
  return JSON.stringify(rows[0]!.data);
}

/** The totals the triggers keep, each beside the count it must equal. */
export async function totalsAndCounts(): Promise<{ kept: unknown; counted: unknown }> {
  const { rows } = await sql<{ kept: unknown; counted: unknown }>`
    SELECT json_build_object(
             'lists', (SELECT json_object_agg(list, total ORDER BY list) FROM list_totals),
             'comments', (SELECT coalesce(json_object_agg(post_id, total ORDER BY post_id), '{}') FROM post_comment_totals WHERE total > 0)
           ) AS kept,
           json_build_object(
             'lists', json_build_object(
               'confirmed_users', (SELECT count(*) FROM users WHERE confirmed_at IS NOT NULL),
               'posts', (SELECT count(*) FROM posts),
               'users', (SELECT count(*) FROM users)),
             'comments', (SELECT coalesce(json_object_agg(post_id, n ORDER BY post_id), '{}')
                          FROM (SELECT post_id, count(*) AS n FROM comments GROUP BY post_id) c)
           ) AS counted
  `.execute(getDb());
  return rows[0]!;
}

/** What a request the database failed may say: generic, nothing of the cause (health names the database, its whole purpose). */
const UNAVAILABLE_MESSAGES = ['The service is temporarily unavailable; try again shortly.', 'The database is not reachable.'];

export function expectUnavailable(res: CallResult, style: RouteUnderTest['style']): void {
  expect(res.status, res.text).toBe(503);
  const body = style === 'api' ? res.body?.error : res.body;
  expect(Object.keys(body ?? {}).sort(), res.text).toEqual(style === 'api' ? ['code', 'message'] : ['message']);
  if (style === 'api') expect(body.code).toBe('service_unavailable');
  expect(UNAVAILABLE_MESSAGES).toContain(body.message);
  expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
}
