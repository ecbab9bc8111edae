import { afterEach, describe, expect, it } from 'vitest';
import postById from '../../netlify/functions/posts-id.ts';
import posts from '../../netlify/functions/posts.ts';
import { setClock } from '../../src/config/clock.ts';
import { addComment } from '../../src/content/comments.ts';
import { createPost } from '../../src/content/posts.ts';
import { getDb } from '../../src/db/connection.ts';
import { call } from '../support/call.ts';
import { countRows, itRefusesBadBodies, MALFORMED_IDS, MALFORMED_PAGES } from '../support/content.ts';
import { countStatements } from '../support/statements.ts';
import { createUser } from '../support/users.ts';

const CONTENT = { title: 'A title', body: 'Some body' };

afterEach(() => setClock());

const titles = (res: { body: { items: { title: string }[] } }) => res.body.items.map((item) => item.title);

describe('GET /api/posts', () => {
  // First in the file, while this file's database has no post yet.
  it('answers an empty page when there are no posts', async () => {
    const res = await call(posts, 'GET', '/api/posts');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ items: [], page: 1, pageSize: 20, total: 0, nextCursor: null });
  });

  it('lists posts newest first, ties broken by id, each naming its author', async () => {
    const { user } = await createUser();
    setClock(() => new Date('2025-01-01T10:00:00Z'));
    const old = await createPost(user, { title: 'old', body: 'b' });
    setClock(() => new Date('2025-01-02T10:00:00Z'));
    const tieA = await createPost(user, { title: 'tie a', body: 'b' });
    const tieB = await createPost(user, { title: 'tie b', body: 'b' });

    const res = await call(posts, 'GET', '/api/posts?pageSize=100');
    expect(res.status).toBe(200);
    expect(res.body.total).toBe(3);
    expect(titles(res)).toEqual(['tie b', 'tie a', 'old']);
    expect(tieB.id).toBeGreaterThan(tieA.id);
    expect(res.body.items[2]).toEqual({
      id: old.id,
      title: 'old',
      body: 'b',
      createdAt: '2025-01-01T10:00:00.000Z',
      updatedAt: '2025-01-01T10:00:00.000Z',
      author: { id: user.id, username: user.username, profileUrl: `/api/users/${user.username}` },
    });
  });

  it('pages through the list; a page past the end is empty with the real total', async () => {
    const total = (await call(posts, 'GET', '/api/posts')).body.total as number;
    const all = titles(await call(posts, 'GET', '/api/posts?pageSize=100'));
    const second = await call(posts, 'GET', '/api/posts?page=2&pageSize=2');
    expect(second.body).toMatchObject({ page: 2, pageSize: 2, total });
    expect(titles(second)).toEqual(all.slice(2, 4));
    const beyond = await call(posts, 'GET', '/api/posts?page=99&pageSize=2');
    expect(beyond.status).toBe(200);
    expect(beyond.body).toEqual({ items: [], page: 99, pageSize: 2, total, nextCursor: null });
  });

  it('runs one statement whatever the page size', async () => {
    const { user } = await createUser();
    for (let i = 0; i < 6; i += 1) await createPost(user, CONTENT);
    for (const query of ['pageSize=1', 'pageSize=100', 'page=500']) {
      const { result, statements } = await countStatements(() => call(posts, 'GET', `/api/posts?${query}`));
      expect(result.status).toBe(200);
      expect(statements).toBe(1);
    }
  });

  it.each(MALFORMED_PAGES)('refuses ?%s with 400', async (query) => {
    const res = await call(posts, 'GET', `/api/posts?${query}`);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
  });

  it.each(['PUT', 'PATCH', 'DELETE'])('answers %s with 405', async (method) => {
    const res = await call(posts, method, '/api/posts');
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, HEAD, POST, OPTIONS');
  });
});

describe('POST /api/posts', () => {
  it('creates a post, trimmed title, in two statements', async () => {
    const { user, token } = await createUser();
    const { result: res, statements } = await countStatements(() =>
      call(posts, 'POST', '/api/posts', { token, json: { title: '  Trimmed  ', body: ' kept as is ' } }),
    );
    expect(res.status).toBe(201);
    expect(statements).toBe(2);
    expect(res.body.post).toEqual({
      id: expect.any(Number),
      title: 'Trimmed',
      body: ' kept as is ',
      createdAt: expect.any(String),
      updatedAt: res.body.post.createdAt,
      author: { id: user.id, username: user.username, profileUrl: `/api/users/${user.username}` },
    });
    expect((await call(postById, 'GET', `/api/posts/${res.body.post.id}`)).body).toEqual(res.body);
  });

  it('accepts a form body and the longest title and body, counted in code points', async () => {
    const { token } = await createUser();
    const title = '😀'.repeat(200);
    const body = 'é'.repeat(10_000);
    const res = await call(posts, 'POST', '/api/posts', { token, form: { title, body } });
    expect(res.status).toBe(201);
    expect(res.body.post).toMatchObject({ title, body });
  });

  it.each([
    [{}, { title: ['is required'], body: ['is required'] }],
    [
      { title: '   ', body: '' },
      { title: ['must not be empty'], body: ['must not be empty'] },
    ],
    [
      { title: 'x'.repeat(201), body: ' \n\t ' },
      { title: ['must be at most 200 characters'], body: ['must not be blank'] },
    ],
    [{ title: 'ok', body: 'x'.repeat(10_001) }, { body: ['must be at most 10000 characters'] }],
    [
      { title: 'a\u0000b', body: 1 },
      { title: ['must not contain NUL characters'], body: ['must be a string'] },
    ],
    [{ title: 'ok', body: 'ok', author: 'me' }, { author: ['is not a known field'] }],
  ])('refuses %o listing every broken rule, creating nothing', async (json, details) => {
    const { token } = await createUser();
    const before = await countRows('posts');
    const res = await call(posts, 'POST', '/api/posts', { token, json });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'validation_failed', details });
    expect(Object.keys(res.body.error.details)).toEqual(Object.keys(details));
    expect(await countRows('posts')).toBe(before);
  });

  it('answers 401 without a valid token', async () => {
    const res = await call(posts, 'POST', '/api/posts', { json: CONTENT });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('unauthenticated');
  });

  let before = 0;
  itRefusesBadBodies(
    posts,
    'POST',
    async () => {
      before = await countRows('posts');
      return { path: '/api/posts', token: (await createUser()).token };
    },
    async () => expect(await countRows('posts')).toBe(before),
  );
});

describe('GET /api/posts/{id}', () => {
  it('answers the post with its author in one statement', async () => {
    const { user } = await createUser();
    const created = await createPost(user, CONTENT);
    const { result: res, statements } = await countStatements(() => call(postById, 'GET', `/api/posts/${created.id}`));
    expect(res.status).toBe(200);
    expect(statements).toBe(1);
    expect(res.body).toEqual({ post: created });
  });

  it('answers 404 for a missing post', async () => {
    const res = await call(postById, 'GET', '/api/posts/9007199254740991');
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('not_found');
  });

  it.each(MALFORMED_IDS)('refuses the id %s with 400 before any query', async (id) => {
    const { result: res, statements } = await countStatements(() => call(postById, 'GET', `/api/posts/${id}`));
    expect(res.status).toBe(400);
    expect(res.body.error.details).toHaveProperty('id');
    expect(statements).toBe(0);
  });

  it.each(['POST', 'PUT'])('answers %s with 405', async (method) => {
    const res = await call(postById, method, '/api/posts/1');
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, HEAD, PATCH, DELETE, OPTIONS');
  });
});

describe('PATCH /api/posts/{id}', () => {
  const patch = (id: number | string, token: string, json: unknown) => call(postById, 'PATCH', `/api/posts/${id}`, { token, json });

  it('lets the author change one field, leaving the other, in two statements', async () => {
    const { user, token } = await createUser();
    setClock(() => new Date('2025-03-01T00:00:00Z'));
    const created = await createPost(user, CONTENT);
    setClock(() => new Date('2025-03-02T00:00:00Z'));
    const { result: res, statements } = await countStatements(() => patch(created.id, token, { title: ' New title ' }));
    expect(res.status).toBe(200);
    expect(statements).toBe(2);
    expect(res.body.post).toEqual({ ...created, title: 'New title', updatedAt: '2025-03-02T00:00:00.000Z' });
    expect((await call(postById, 'GET', `/api/posts/${created.id}`)).body.post).toEqual(res.body.post);
  });

  it('treats an empty patch as a no-op answering the post', async () => {
    const { user, token } = await createUser();
    const created = await createPost(user, CONTENT);
    const later = new Date(Date.now() + 60_000);
    setClock(() => later); // updatedAt would move if anything were written
    const res = await patch(created.id, token, {});
    expect(res.status).toBe(200);
    expect(res.body.post).toEqual(created);
  });

  it('answers 403 to anyone but the author and changes nothing, even for an empty patch', async () => {
    const { user } = await createUser();
    const stranger = await createUser();
    const created = await createPost(user, CONTENT);
    for (const json of [{ title: 'Hijacked' }, {}]) {
      const res = await patch(created.id, stranger.token, json);
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('forbidden');
    }
    expect((await call(postById, 'GET', `/api/posts/${created.id}`)).body.post).toEqual(created);
  });

  it('answers 404 for a missing post', async () => {
    const { token } = await createUser();
    expect((await patch(9_007_199_254_740_991, token, { title: 'x' })).status).toBe(404);
  });

  it('refuses an invalid body listing every broken rule, changing nothing', async () => {
    const { user, token } = await createUser();
    const created = await createPost(user, CONTENT);
    const res = await patch(created.id, token, { title: '', body: 'x'.repeat(10_001), tags: [] });
    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual({
      title: ['must not be empty'],
      body: ['must be at most 10000 characters'],
      tags: ['is not a known field'],
    });
    expect((await call(postById, 'GET', `/api/posts/${created.id}`)).body.post).toEqual(created);
  });

  it.each(MALFORMED_IDS)('refuses the id %s with 400', async (id) => {
    const { token } = await createUser();
    expect((await patch(id, token, { title: 'x' })).status).toBe(400);
  });

  it('answers 401 without a valid token', async () => {
    const { user } = await createUser();
    const created = await createPost(user, CONTENT);
    expect((await call(postById, 'PATCH', `/api/posts/${created.id}`, { json: { title: 'x' } })).status).toBe(401);
  });

  let postId = 0;
  let original: unknown;
  itRefusesBadBodies(
    postById,
    'PATCH',
    async () => {
      const { user, token } = await createUser();
      const created = await createPost(user, CONTENT);
      postId = created.id;
      original = created;
      return { path: `/api/posts/${created.id}`, token };
    },
    async () => expect((await call(postById, 'GET', `/api/posts/${postId}`)).body.post).toEqual(original),
  );
});

describe('DELETE /api/posts/{id}', () => {
  const remove = (id: number | string, token?: string) => call(postById, 'DELETE', `/api/posts/${id}`, token ? { token } : {});

  it('lets the author delete a post, its comments going with it, in two statements', async () => {
    const author = await createUser();
    const reader = await createUser();
    const created = await createPost(author.user, CONTENT);
    const kept = await createPost(author.user, CONTENT);
    await addComment(reader.user, created.id, { body: 'first' });
    await addComment(author.user, created.id, { body: 'second' });
    await addComment(reader.user, kept.id, { body: 'elsewhere' });

    const { result: res, statements } = await countStatements(() => remove(created.id, author.token));
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    expect(statements).toBe(2);
    expect((await call(postById, 'GET', `/api/posts/${created.id}`)).status).toBe(404);
    expect(await countRows('comments', { post_id: created.id })).toBe(0);
    expect(await countRows('comments', { post_id: kept.id })).toBe(1);
    expect((await remove(created.id, author.token)).status).toBe(404);
  });

  it('answers 403 to anyone but the author and keeps the post', async () => {
    const { user } = await createUser();
    const stranger = await createUser();
    const created = await createPost(user, CONTENT);
    const res = await remove(created.id, stranger.token);
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('forbidden');
    expect((await call(postById, 'GET', `/api/posts/${created.id}`)).status).toBe(200);
  });

  it('answers 404 for a missing post, 401 without a token, 400 for a malformed id', async () => {
    const { user, token } = await createUser();
    const created = await createPost(user, CONTENT);
    expect((await remove(9_007_199_254_740_991, token)).status).toBe(404);
    expect((await remove(created.id)).status).toBe(401);
    for (const id of MALFORMED_IDS) expect((await remove(id, token)).status).toBe(400);
    expect(await countRows('posts', { id: created.id })).toBe(1);
  });
});

describe('deleting a user', () => {
  it('removes their profile, posts and comments, and their comments on others’ posts', async () => {
    const leaving = await createUser();
    const staying = await createUser();
    const theirs = await createPost(leaving.user, CONTENT);
    const mine = await createPost(staying.user, CONTENT);
    await addComment(staying.user, theirs.id, { body: 'on their post' });
    await addComment(leaving.user, mine.id, { body: 'on my post' });
    await addComment(staying.user, mine.id, { body: 'mine' });

    await getDb().deleteFrom('users').where('id', '=', leaving.user.id).execute();

    expect(await countRows('user_profiles', { user_id: leaving.user.id })).toBe(0);
    expect(await countRows('posts', { user_id: leaving.user.id })).toBe(0);
    expect(await countRows('comments', { user_id: leaving.user.id })).toBe(0);
    expect(await countRows('comments', { post_id: theirs.id })).toBe(0);
    expect(await countRows('comments', { post_id: mine.id })).toBe(1);
    expect((await call(postById, 'GET', `/api/posts/${theirs.id}`)).status).toBe(404);
  });
});
