// Profiles, users, posts and comments over real HTTP through netlify dev: each
// path, including the nested /api/posts/{id}/comments, reaches its function.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FLOW_TIMEOUT, START_TIMEOUT, startNetlifyDev, type DevServer } from '../support/netlify-dev.ts';
import { createUser, type TestUser } from '../support/users.ts';

let server: DevServer;
let me: TestUser;

beforeAll(async () => {
  server = await startNetlifyDev({ DATABASE_URL: process.env.DATABASE_URL! });
  me = await createUser();
}, START_TIMEOUT);
afterAll(async () => server?.stop());

async function request(method: string, path: string, json?: unknown) {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${me.token}`, ...(json !== undefined && { 'content-type': 'application/json' }) },
    body: json === undefined ? undefined : JSON.stringify(json),
  });
  return { status: res.status, body: res.status === 204 ? null : await res.json() };
}

describe('content routes under netlify dev', { timeout: FLOW_TIMEOUT }, () => {
  it('runs a post and its comments through every endpoint', async () => {
    const profile = await request('PATCH', '/api/me/profile', { location: 'Turin' });
    expect(profile).toMatchObject({ status: 200, body: { profile: { location: 'Turin' } } });

    const created = await request('POST', '/api/posts', { title: 'Over HTTP', body: 'Hello' });
    expect(created.status).toBe(201);
    const id = created.body.post.id as number;
    expect((await request('GET', `/api/posts/${id}`)).body).toEqual(created.body);
    expect((await request('PATCH', `/api/posts/${id}`, { body: 'Edited' })).body.post.body).toBe('Edited');

    const comment = await request('POST', `/api/posts/${id}/comments`, { body: 'First' });
    expect(comment).toMatchObject({ status: 201, body: { comment: { postId: id, body: 'First' } } });
    const comments = await request('GET', `/api/posts/${id}/comments?pageSize=5`);
    expect(comments.body).toMatchObject({ items: [{ id: comment.body.comment.id }], total: 1, pageSize: 5 });

    const page = await request('GET', `/api/users/${me.user.username}`);
    expect(page.body).toMatchObject({ profile: { location: 'Turin' }, stats: { posts: 1, comments: 1 } });
    expect((await request('GET', '/api/users')).body.items).toContainEqual(expect.objectContaining({ id: me.user.id }));
    expect((await request('GET', '/api/posts')).body.total).toBe(1);

    expect((await request('DELETE', `/api/comments/${comment.body.comment.id}`)).status).toBe(204);
    expect((await request('DELETE', `/api/posts/${id}`)).status).toBe(204);
    expect((await request('GET', `/api/posts/${id}/comments`)).status).toBe(404);
  });

  // netlify dev retries a function's 404 and 403 under other paths (see src/http/route.ts).
  it('keeps 404 and 403 answers intact', async () => {
    const missing = await request('GET', '/api/posts/424242');
    expect(missing).toMatchObject({ status: 404, body: { error: { code: 'not_found' } } });
    const other = await createUser();
    const theirs = await fetch(`${server.url}/api/posts`, {
      method: 'POST',
      headers: { authorization: `Bearer ${other.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'Theirs', body: 'Not yours' }),
    }).then((res) => res.json());
    const refused = await request('DELETE', `/api/posts/${theirs.post.id}`);
    expect(refused).toMatchObject({ status: 403, body: { error: { code: 'forbidden' } } });
    expect((await request('GET', `/api/posts/${theirs.post.id}`)).status).toBe(200);
  });

  it('answers malformed ids with 400 and wrong methods with 405', async () => {
    expect((await request('GET', '/api/posts/1e3')).status).toBe(400);
    expect((await request('GET', '/api/posts/abc/comments')).status).toBe(400);
    const wrong = await fetch(`${server.url}/api/comments/1`, { method: 'GET' });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('DELETE, OPTIONS');
  });
});
