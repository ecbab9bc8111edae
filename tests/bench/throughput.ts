// In-process load: the functions called with Request objects against the
// bench database, and the two limits they are compared with: the native
// scrypt a login must spend, and one bare `SELECT 1` through the same Kysely
// instance an authenticated read must spend.
import { randomBytes, scrypt, type ScryptOptions } from 'node:crypto';
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import { sql } from 'kysely';
import { currentParams } from '../../src/auth/passwords/hash.ts';
import { getDb } from '../../src/db/connection.ts';
import type { Context } from '@netlify/functions';
import { BASE_URL, call, type CallOptions } from '../support/call.ts';
import type { Endpoint } from './functions.ts';
import { alternate, measure, type Measurement, type Task } from './measure.ts';

export const CONCURRENCY = [1, 8] as const;

/** One request of a loop: path and options for worker `w`. */
type Request = (w: number) => { path: string; options?: CallOptions };

export interface Subjects {
  /** A session token per worker (distinct users, so no two workers touch the same rows). */
  tokens: string[];
  usernames: string[];
  password: string;
}

export function loadRequests({ tokens, usernames, password }: Subjects): Record<string, Request> {
  const ip = '198.18.1.1';
  let registered = 0;
  return {
    'GET /api/me': (w) => ({ path: '/api/me', options: { token: tokens[w] } }),
    'GET /api/posts': () => ({ path: '/api/posts' }),
    'GET /api/users/{username}': (w) => ({ path: `/api/users/${usernames[w]}` }),
    'POST /api/login': (w) => ({ path: '/api/login', options: { json: { username: usernames[w], password }, ip } }),
    'POST /api/register': () => {
      const username = `load_${++registered}`;
      return { path: '/api/register', options: { json: { username, email: `${username}@example.com`, password }, ip } };
    },
    'GET /profile': (w) => ({ path: '/profile', options: { cookie: `session_id=${tokens[w]}` } }),
    'POST /api/token': (w) => ({ path: '/api/token', options: { token: tokens[w] } }),
  };
}

/**
 * What another service does with each request instead of calling GET /api/me:
 * verify the caller's access token with the JWKS it fetched once (jose's
 * local key set; no database, no network), as the README shows.
 */
export async function localVerification(accessTokens: string[], jwks: JSONWebKeySet, issuer: string): Promise<Task> {
  const keys = createLocalJWKSet(jwks);
  return async (w) => {
    const { payload } = await jwtVerify(accessTokens[w]!, keys, { issuer, audience: issuer, typ: 'at+jwt', algorithms: ['ES256'] });
    if (payload.sub === undefined) throw new Error('an access token without sub');
  };
}

/**
 * The endpoint's request loop as a load task; undefined when no function
 * answers it (yet). A read's answer is read as text, as the platform sends it
 * on, not parsed (call() parses it for the tests, which would count a JSON
 * parse of the answer against the endpoint, and nothing against a baseline).
 */
export function endpointTask(endpoints: Map<string, Endpoint>, name: string, request: Request): Task | undefined {
  const endpoint = endpoints.get(name);
  if (endpoint === undefined) return undefined;
  const method = name.split(' ')[0]!;
  const context = { ip: '203.0.113.7', params: {} } as unknown as Context;
  return async (w: number) => {
    const { path, options } = request(w);
    if (options?.json !== undefined) {
      const res = await call(endpoint.handler, method, path, options);
      if (res.status >= 300) throw new Error(`${name} answered ${res.status}: ${res.text.slice(0, 200)}`);
      return;
    }
    const headers: Record<string, string> = {};
    if (options?.token) headers.authorization = `Bearer ${options.token}`;
    if (options?.cookie) headers.cookie = options.cookie;
    const res = await endpoint.handler(new Request(`${BASE_URL}${path}`, { method, headers }), context);
    const text = await res.text();
    if (res.status >= 300) throw new Error(`${name} answered ${res.status}: ${text.slice(0, 200)}`);
  };
}

/** scrypt itself at the parameters new hashes use (PASSWORD_SCRYPT_N), as login's verification runs it. */
export function nativeScrypt(): Task {
  const { ln, r, p } = currentParams();
  const N = 2 ** ln;
  const options: ScryptOptions = { N, r, p, maxmem: 128 * N * r * p + 1024 * 1024 };
  const salt = randomBytes(16);
  return () =>
    new Promise((resolve, reject) =>
      scrypt('Violet-Harbor-73!', salt, 32, options, (error, key) => (error ? reject(error) : resolve(key))),
    );
}

export const selectOne: Task = () => sql`SELECT 1`.execute(getDb());

/**
 * Each task at each concurrency, the tasks of a group in alternating slices
 * (measure.ts `alternate`) so that a ratio between them sees one load.
 */
export async function atEachConcurrency<Name extends string>(
  tasks: Record<Name, Task>,
  { durationMs, warmUpMs, slices }: { durationMs: number; warmUpMs: number; slices: number },
): Promise<Record<Name, Record<number, Measurement>>> {
  const runs = Object.fromEntries(Object.keys(tasks).map((name) => [name, {}])) as Record<Name, Record<number, Measurement>>;
  for (const concurrency of CONCURRENCY) {
    // Warm-up: JIT, pool connections, the first scrypt's memory.
    for (const task of Object.values<Task>(tasks)) await measure(task, { concurrency, durationMs: warmUpMs, minRequests: concurrency });
    const measured = await alternate(tasks, { concurrency, durationMs, slices, minRequests: concurrency });
    for (const name of Object.keys(tasks) as Name[]) runs[name][concurrency] = measured[name];
  }
  return runs;
}
