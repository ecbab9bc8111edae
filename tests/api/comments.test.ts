import { afterEach, describe, expect, it } from 'vitest';
import commentById from '../../netlify/functions/comments-id.ts';
import postComments from '../../netlify/functions/posts-id-comments.ts';
import { setClock } from '../../src/config/clock.ts';
import { addComment } from '../../src/content/comments.ts';
import { createPost, deletePost } from '../../src/content/posts.ts';
import { call } from '../support/call.ts';
import { countRows, itRefusesBadBodies, MALFORMED_IDS, MALFORMED_PAGES } from '../support/content.ts';
import { countStatements } from '../support/statements.ts';
import { createUser } from '../support/users.ts';

const CONTENT = { title: 'A post', body: 'To comment on' };
const MISSING_ID = 9_007_199_254_740_991;

afterEach(() => setClock());

const bodies = (res: { body: { items: { body: string }[] } }) => res.body.items.map((item) => item.body);

async function postOfNewUser() {
  const author = await createUser();
  return { author, post: await createPost(author.user, CONTENT) };
}

describe('GET /api/posts/{id}/comments', () => {
  it('answers an empty page for a post without comments', async () => {
    const { post } = await postOfNewUser();
    const res = await call(postComments, 'GET', `/api/posts/${post.id}/comments`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ items: [], page: 1, pageSize: 20, total: 0, nextCursor: null });
  });

  it('lists comments oldest first, ties broken by id, each naming its author', async () => {
    const { post } = await postOfNewUser();
    const { user } = await createUser();
    setClock(() => new Date('2025-05-02T08:00:00Z'));
    const tieA = await addComment(user, post.id, { body: 'tie a' });
    const tieB = await addComment(user, post.id, { body: 'tie b' });
    setClock(() => new Date('2025-05-01T08:00:00Z'));
    const oldest = await addComment(user, post.id, { body: 'oldest' });

    const res = await call(postComments, 'GET', `/api/posts/${post.id}/comments`);
    expect(res.status).toBe(200);
    expect(res.body.total).toBe(3);
    expect(tieB.id).toBeGreaterThan(tieA.id);
    expect(bodies(res)).toEqual(['oldest', 'tie a', 'tie b']);
    expect(res.body.items[0]).toEqual({
      id: oldest.id,
      postId: post.id,
      body: 'oldest',
      createdAt: '2025-05-01T08:00:00.000Z',
      author: { id: user.id, username: user.username, profileUrl: `/api/users/${user.username}` },
    });
  });

  it('lists only the comments of that post, paginated; past the end is empty with the real total', async () => {
    const { author, post } = await postOfNewUser();
    const other = await createPost(author.user, CONTENT);
    for (const body of ['one', 'two', 'three']) await addComment(author.user, post.id, { body });
    await addComment(author.user, other.id, { body: 'elsewhere' });

    const second = await call(postComments, 'GET', `/api/posts/${post.id}/comments?page=2&pageSize=2`);
    expect(second.body).toEqual({ items: [expect.objectContaining({ body: 'three' })], page: 2, pageSize: 2, total: 3, nextCursor: null });
    const beyond = await call(postComments, 'GET', `/api/posts/${post.id}/comments?page=3&pageSize=2`);
    expect(beyond.status).toBe(200);
    expect(beyond.body).toEqual({ items: [], page: 3, pageSize: 2, total: 3, nextCursor: null });
  });

  it('runs one statement whatever the page size', async () => {
    const { author, post } = await postOfNewUser();
    for (let i = 0; i < 6; i += 1) await addComment(author.user, post.id, { body: `c${i}` });
    for (const query of ['pageSize=1', 'pageSize=100', 'page=40']) {
      const { result, statements } = await countStatements(() => call(postComments, 'GET', `/api/posts/${post.id}/comments?${query}`));
      expect(result.status).toBe(200);
      expect(statements).toBe(1);
    }
  });

  it('answers 404 for a missing post, in one statement', async () => {
    const { result: res, statements } = await countStatements(() => call(postComments, 'GET', `/api/posts/${MISSING_ID}/comments`));
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('not_found');
    expect(statements).toBe(1);
  });

  it.each(MALFORMED_IDS)('refuses the post id %s with 400', async (id) => {
    const res = await call(postComments, 'GET', `/api/posts/${id}/comments`);
    expect(res.status).toBe(400);
    expect(res.body.error.details).toHaveProperty('id');
  });

  it.each(MALFORMED_PAGES)('refuses ?%s with 400', async (query) => {
    const { post } = await postOfNewUser();
    const res = await call(postComments, 'GET', `/api/posts/${post.id}/comments?${query}`);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
  });

  it.each(['PUT', 'PATCH', 'DELETE'])('answers %s with 405', async (method) => {
    const res = await call(postComments, method, '/api/posts/1/comments');
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, HEAD, POST, OPTIONS');
  });
});

describe('POST /api/posts/{id}/comments', () => {
  const comment = (postId: number | string, token: string | undefined, json: unknown) =>
    call(postComments, 'POST', `/api/posts/${postId}/comments`, { ...(token && { token }), json });

  it('adds a comment naming its author, in two statements', async () => {
    const { post } = await postOfNewUser();
    const { user, token } = await createUser();
    const { result: res, statements } = await countStatements(() => comment(post.id, token, { body: 'Nice post' }));
    expect(res.status).toBe(201);
    expect(statements).toBe(2);
    expect(res.body.comment).toEqual({
      id: expect.any(Number),
      postId: post.id,
      body: 'Nice post',
      createdAt: expect.any(String),
      author: { id: user.id, username: user.username, profileUrl: `/api/users/${user.username}` },
    });
    const list = await call(postComments, 'GET', `/api/posts/${post.id}/comments`);
    expect(list.body.items).toEqual([res.body.comment]);
  });

  it('accepts a form body and the longest body, counted in code points', async () => {
    const { post } = await postOfNewUser();
    const { token } = await createUser();
    const body = '😀'.repeat(2_000);
    const res = await call(postComments, 'POST', `/api/posts/${post.id}/comments`, { token, form: { body } });
    expect(res.status).toBe(201);
    expect(res.body.comment.body).toBe(body);
  });

  it('answers 404 for a missing post', async () => {
    const { token } = await createUser();
    const res = await comment(MISSING_ID, token, { body: 'Hello?' });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('not_found');
  });

  it.each([
    [{}, { body: ['is required'] }],
    [{ body: '' }, { body: ['must not be empty'] }],
    [{ body: '  \n ' }, { body: ['must not be blank'] }],
    [{ body: 'x'.repeat(2_001) }, { body: ['must be at most 2000 characters'] }],
    [{ body: 'nul\u0000' }, { body: ['must not contain NUL characters'] }],
    [{ body: null }, { body: ['must be a string'] }],
    [{ body: 'ok', postId: 3 }, { postId: ['is not a known field'] }],
  ])('refuses %o listing every broken rule, adding nothing', async (json, details) => {
    const { post } = await postOfNewUser();
    const { token } = await createUser();
    const res = await comment(post.id, token, json);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'validation_failed', details });
    expect(await countRows('comments', { post_id: post.id })).toBe(0);
  });

  it.each(MALFORMED_IDS)('refuses the post id %s with 400', async (id) => {
    const { token } = await createUser();
    expect((await comment(id, token, { body: 'x' })).status).toBe(400);
  });

  it('answers 401 without a valid token', async () => {
    const { post } = await postOfNewUser();
    const res = await comment(post.id, undefined, { body: 'anonymous' });
    expect(res.status).toBe(401);
    expect(await countRows('comments', { post_id: post.id })).toBe(0);
  });

  let postId = 0;
  itRefusesBadBodies(
    postComments,
    'POST',
    async () => {
      const { author, post } = await postOfNewUser();
      postId = post.id;
      return { path: `/api/posts/${post.id}/comments`, token: author.token };
    },
    async () => expect(await countRows('comments', { post_id: postId })).toBe(0),
  );
});

describe('DELETE /api/comments/{id}', () => {
  const remove = (id: number | string, token?: string) => call(commentById, 'DELETE', `/api/comments/${id}`, token ? { token } : {});

  it('lets the comment’s author delete it, in two statements', async () => {
    const { post } = await postOfNewUser();
    const commenter = await createUser();
    const created = await addComment(commenter.user, post.id, { body: 'mine' });
    const { result: res, statements } = await countStatements(() => remove(created.id, commenter.token));
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    expect(statements).toBe(2);
    expect(await countRows('comments', { id: created.id })).toBe(0);
    expect((await remove(created.id, commenter.token)).status).toBe(404);
  });

  it('lets the post’s author delete someone else’s comment', async () => {
    const { author, post } = await postOfNewUser();
    const commenter = await createUser();
    const created = await addComment(commenter.user, post.id, { body: 'theirs' });
    expect((await remove(created.id, author.token)).status).toBe(204);
    expect(await countRows('comments', { id: created.id })).toBe(0);
  });

  it('answers 403 to anyone else and keeps the comment', async () => {
    const { author, post } = await postOfNewUser();
    const commenter = await createUser();
    const stranger = await createUser();
    // The stranger's own post does not entitle them to comments elsewhere.
    await createPost(stranger.user, CONTENT);
    const created = await addComment(commenter.user, post.id, { body: 'theirs' });
    const onOwnPost = await addComment(author.user, post.id, { body: 'author comment' });
    for (const id of [created.id, onOwnPost.id]) {
      const res = await remove(id, stranger.token);
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('forbidden');
    }
    // A commenter may not delete the post author's comment either.
    expect((await remove(onOwnPost.id, commenter.token)).status).toBe(403);
    expect(await countRows('comments', { post_id: post.id })).toBe(2);
  });

  it('answers 404 for a missing comment, including one whose post was deleted', async () => {
    const { author, post } = await postOfNewUser();
    const created = await addComment(author.user, post.id, { body: 'doomed' });
    await deletePost(author.user, post.id);
    expect((await remove(created.id, author.token)).status).toBe(404);
    expect((await remove(MISSING_ID, author.token)).status).toBe(404);
  });

  it('answers 401 without a token and 400 for a malformed id', async () => {
    const { author, post } = await postOfNewUser();
    const created = await addComment(author.user, post.id, { body: 'stays' });
    expect((await remove(created.id)).status).toBe(401);
    for (const id of MALFORMED_IDS) {
      const res = await remove(id, author.token);
      expect(res.status).toBe(400);
      expect(res.body.error.details).toHaveProperty('id');
    }
    expect(await countRows('comments', { id: created.id })).toBe(1);
  });

  it.each(['GET', 'POST', 'PATCH'])('answers %s with 405', async (method) => {
    const res = await call(commentById, method, '/api/comments/1');
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('DELETE, OPTIONS');
  });
});
