// Shared cases and tools for the profile, user and content API tests.
import { expect, it } from 'vitest';
import { getDb } from '../../src/db/connection.ts';
import { call, type CallOptions } from './call.ts';

type Handler = Parameters<typeof call>[0];

/** Path ids the API must refuse with 400 (never 404 or 500). */
export const MALFORMED_IDS = ['abc', '0', '-1', '1.5', '1e3', '01', '9007199254740992'];

/** Query strings the list endpoints must refuse with 400. */
export const MALFORMED_PAGES = ['page=0', 'pageSize=101', 'page=abc', 'pageSize=0', 'page=-1', 'page=1&page=2'];

/**
 * The body-level refusals every route that takes a body shares: 415, 413,
 * malformed JSON and a non-object. `prepare` gives the path and token to use
 * and `unchanged` checks afterwards that nothing was written.
 */
export function itRefusesBadBodies(
  handler: Handler,
  method: string,
  prepare: () => Promise<{ path: string; token: string }>,
  unchanged: () => Promise<void> = async () => {},
) {
  const cases: [string, (token: string) => CallOptions, number, string][] = [
    ['a text/plain body', (token) => ({ token, raw: 'hi', headers: { 'content-type': 'text/plain' } }), 415, 'unsupported_media_type'],
    ['a body over 64 KiB', (token) => ({ token, json: { body: 'x'.repeat(70_000) } }), 413, 'payload_too_large'],
    ['malformed JSON', (token) => ({ token, raw: '{"body": ', headers: { 'content-type': 'application/json' } }), 400, 'invalid_json'],
    ['a JSON array', (token) => ({ token, json: [] }), 400, 'validation_failed'],
  ];
  it.each(cases)('refuses %s', async (_name, options, status, code) => {
    const { path, token } = await prepare();
    const res = await call(handler, method, path, options(token));
    expect(res.status).toBe(status);
    expect(res.body.error.code).toBe(code);
    await unchanged();
  });
}

/** Rows in a table, read directly (for cascade and "nothing changed" checks). */
export async function countRows(
  table: 'posts' | 'comments' | 'user_profiles' | 'users' | 'sessions' | 'one_time_tokens' | 'security_events',
  where: Record<string, number> = {},
) {
  let query = getDb()
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as('n'));
  for (const [column, value] of Object.entries(where)) query = query.where(column as never, '=', value as never);
  const { n } = await query.executeTakeFirstOrThrow();
  return n;
}
