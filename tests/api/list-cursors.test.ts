// Every list walked by its cursors and by its Link headers: the same items in
// the same order as one big page, each page one statement, the last page
// without a cursor; timestamps that differ by a microsecond or not at all;
// cursors that are malformed, changed, or given to another list are a 400.
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import meSessions from '../../netlify/functions/me-sessions.ts';
import postComments from '../../netlify/functions/posts-id-comments.ts';
import posts from '../../netlify/functions/posts.ts';
import users from '../../netlify/functions/users.ts';
import { createSession } from '../../src/auth/sessions/sessions.ts';
import { getDb } from '../../src/db/connection.ts';
import { call, type CallOptions, type CallResult } from '../support/call.ts';
import { countStatements } from '../support/statements.ts';
import { createUser, type TestUser } from '../support/users.ts';

type Handler = Parameters<typeof call>[0];
interface List {
  name: string;
  handler: Handler;
  path: string;
  options?: CallOptions;
  /** How many items the list has. */
  size: number;
}

const ids = (res: CallResult): number[] => res.body.items.map((item: { id: number }) => item.id);

/** The URL of the Link header's rel="next", or undefined without one. */
function nextLink(res: CallResult): string | undefined {
  const link = res.headers.get('link');
  if (link === null) return undefined;
  const match = /^<([^>]+)>; rel="next"$/.exec(link);
  expect(match, `Link: ${link}`).not.toBeNull();
  return match![1];
}

/** Every page from `first`, following `follow` until a page says there is no next one. */
async function walk(list: List, first: string, follow: (res: CallResult) => string | undefined) {
  const pages: CallResult[] = [];
  let path: string | undefined = first;
  while (path !== undefined) {
    const { result, statements } = await countStatements(() => call(list.handler, 'GET', path!, list.options));
    expect(result.status, result.text).toBe(200);
    expect(statements).toBe(1);
    pages.push(result);
    expect(pages.length).toBeLessThanOrEqual(list.size + 1);
    path = follow(result);
  }
  return pages;
}

let author: TestUser;
let lists: List[];
/** A post of this file's database with its comments. */
let postId: number;
let otherPostId: number;

beforeAll(async () => {
  author = await createUser({ username: 'cursor_author' });
  for (const username of ['cursor_b', 'cursor_c', 'cursor_d', 'cursor_e']) await createUser({ username });
  // Timestamps one microsecond apart, and ties broken by id: what a Date (milliseconds) would lose.
  const at = (micros: number) => sql<Date>`timestamptz '2025-03-01T12:00:00Z' + ${micros} * interval '1 microsecond'`;
  const db = getDb();
  await db
    .insertInto('posts')
    .values(
      [0, 1, 1, 1, 2, 3, 1000, 1001, 1001].map((micros, i) => ({
        user_id: author.user.id,
        title: `p${i}`,
        body: 'b',
        created_at: at(micros),
      })),
    )
    .execute();
  const { id } = await db.selectFrom('posts').select('id').orderBy('id').limit(1).executeTakeFirstOrThrow();
  postId = id;
  otherPostId = id + 1;
  await db
    .insertInto('comments')
    .values([5, 5, 6, 7, 7, 7, 8].map((micros, i) => ({ post_id: postId, user_id: author.user.id, body: `c${i}`, created_at: at(micros) })))
    .execute();
  await db.insertInto('comments').values({ post_id: otherPostId, user_id: author.user.id, body: 'elsewhere' }).execute();
  // Sessions created in the same microsecond, and one already expired (never listed).
  await db
    .insertInto('sessions')
    .values([
      ...[1, 1, 2, 3, 3].map((micros) => ({
        user_id: author.user.id,
        created_at: at(micros),
        expires_at: sql<Date>`now() + interval '1 day'`,
      })),
      { user_id: author.user.id, created_at: at(4), expires_at: at(5) },
    ])
    .execute();
  lists = [
    { name: 'posts', handler: posts, path: '/api/posts', size: 9 },
    { name: 'users', handler: users, path: '/api/users', size: 5 },
    { name: 'comments', handler: postComments, path: `/api/posts/${postId}/comments`, size: 7 },
    { name: 'sessions', handler: meSessions, path: '/api/me/sessions', options: { token: author.token }, size: 6 },
  ];
});

describe.each(['posts', 'users', 'comments', 'sessions'])('the %s list', (name) => {
  const list = () => lists.find((l) => l.name === name)!;

  it('walked by nextCursor or by Link, two at a time, gives the order of one big page', async () => {
    const { path, size } = list();
    const whole = await call(list().handler, 'GET', `${path}?pageSize=100`, list().options);
    expect(ids(whole)).toHaveLength(size);
    expect(whole.body.nextCursor).toBeNull();
    expect(whole.headers.get('link')).toBeNull();

    const byCursor = await walk(list(), `${path}?pageSize=2`, (res) =>
      res.body.nextCursor === null ? undefined : `${path}?pageSize=2&cursor=${res.body.nextCursor}`,
    );
    expect(byCursor.flatMap(ids)).toEqual(ids(whole));
    expect(byCursor).toHaveLength(Math.ceil(size / 2));
    expect(byCursor.slice(1).map((res) => res.body.page)).toEqual(byCursor.slice(1).map(() => null));

    const byLink = await walk(list(), `${path}?pageSize=2`, nextLink);
    expect(byLink.map((res) => res.body)).toEqual(byCursor.map((res) => res.body));
    // The link keeps the page size and drops the page number.
    expect(nextLink(await call(list().handler, 'GET', `${path}?page=2&pageSize=2`, list().options))).toMatch(/\?pageSize=2&cursor=[\w-]+$/);
  });

  it('continues from a page number by the cursor that page gives', async () => {
    const { path } = list();
    const second = await call(list().handler, 'GET', `${path}?page=2&pageSize=2`, list().options);
    const third = await call(list().handler, 'GET', `${path}?page=3&pageSize=2`, list().options);
    const after = await call(list().handler, 'GET', `${path}?pageSize=2&cursor=${second.body.nextCursor}`, list().options);
    expect(ids(after)).toEqual(ids(third));
    expect(ids(after).length).toBeGreaterThan(0);
  });

  it.each([
    ['not base64url', 'not a cursor!'],
    ['random text', 'aGVsbG8'],
    ['a changed one', 'WyJwb3N0cyIsMSwwXQ'],
  ])('refuses a cursor that is %s with 400', async (_, cursor) => {
    const res = await call(list().handler, 'GET', `${list().path}?cursor=${encodeURIComponent(cursor)}`, list().options);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
    expect(Object.keys(res.body.error.details)).toEqual(['cursor']);
  });

  it("refuses every other list's cursor with 400", async () => {
    for (const other of lists.filter((l) => l.name !== name)) {
      const page = await call(other.handler, 'GET', `${other.path}?pageSize=1`, other.options);
      const res = await call(list().handler, 'GET', `${list().path}?cursor=${page.body.nextCursor}`, list().options);
      expect(res.status, `${other.name}'s cursor`).toBe(400);
    }
  });
});

describe('cursors', () => {
  it("of one post's comments are refused for another post's", async () => {
    const page = await call(postComments, 'GET', `/api/posts/${postId}/comments?pageSize=1`);
    const res = await call(postComments, 'GET', `/api/posts/${otherPostId}/comments?cursor=${page.body.nextCursor}`);
    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual({ cursor: ['belongs to the comments of another post'] });
  });

  it('are positions: the item a cursor names may be deleted and the next page still follows it', async () => {
    const user = await createUser({ username: 'cursor_bz' });
    const next = await call(users, 'GET', '/api/users?pageSize=100');
    const index = ids(next).indexOf(user.user.id);
    const before = await call(users, 'GET', `/api/users?page=${index + 1}&pageSize=1`);
    expect(before.body.items[0].username).toBe('cursor_bz');
    await getDb().deleteFrom('users').where('id', '=', user.user.id).execute();
    const after = await call(users, 'GET', `/api/users?cursor=${before.body.nextCursor}`);
    expect(ids(after)).toEqual(ids(next).slice(index + 1));
    expect(ids(after).length).toBeGreaterThan(0);
  });

  it('may not be combined with a page number', async () => {
    const page = await call(posts, 'GET', '/api/posts?pageSize=1');
    const res = await call(posts, 'GET', `/api/posts?page=2&cursor=${page.body.nextCursor}`);
    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual({ cursor: ['cannot be combined with page'] });
  });

  it('of sessions list only live sessions, and a revoked caller is a 401 on every page', async () => {
    const { token, sessionId } = await createSession(author.user.id);
    const first = await call(meSessions, 'GET', '/api/me/sessions?pageSize=1', { token });
    expect(first.body.items).toEqual([expect.objectContaining({ id: sessionId, current: true })]);
    await getDb().deleteFrom('sessions').where('id', '=', sessionId).execute();
    expect((await call(meSessions, 'GET', `/api/me/sessions?cursor=${first.body.nextCursor}`, { token })).status).toBe(401);
  });
});
