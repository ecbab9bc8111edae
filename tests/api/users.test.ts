import { describe, expect, it } from 'vitest';
import meProfile from '../../netlify/functions/me-profile.ts';
import userPage from '../../netlify/functions/users-username.ts';
import users from '../../netlify/functions/users.ts';
import { addComment } from '../../src/content/comments.ts';
import { createPost } from '../../src/content/posts.ts';
import { call } from '../support/call.ts';
import { MALFORMED_PAGES } from '../support/content.ts';
import { countStatements } from '../support/statements.ts';
import { createUser } from '../support/users.ts';

const post = { title: 'Hello', body: 'World' };

describe('GET /api/users', () => {
  // First in the file, while this file's database has no user yet.
  it('answers an empty page when there are no users', async () => {
    const res = await call(users, 'GET', '/api/users');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ items: [], page: 1, pageSize: 20, total: 0, nextCursor: null });
  });

  it('lists users by username, paginated, each linking to its page and without e-mail', async () => {
    const names = ['dir_carol', 'dir_alice', 'dir_bob'];
    const created = new Map<string, Awaited<ReturnType<typeof createUser>>>();
    for (const username of names) created.set(username, await createUser({ username }));

    const first = await call(users, 'GET', '/api/users?pageSize=2');
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ page: 1, pageSize: 2, total: 3 });
    const alice = created.get('dir_alice')!.user;
    expect(first.body.items[0]).toEqual({
      id: alice.id,
      username: 'dir_alice',
      profileUrl: '/api/users/dir_alice',
      createdAt: alice.created_at.toISOString(),
    });
    expect(first.body.items.map((u: { username: string }) => u.username)).toEqual(['dir_alice', 'dir_bob']);

    const second = await call(users, 'GET', '/api/users?page=2&pageSize=2');
    expect(second.body.items.map((u: { username: string }) => u.username)).toEqual(['dir_carol']);
    expect(second.text).not.toContain('@');
  });

  it('answers a page past the end with no items and the real total', async () => {
    await createUser();
    const res = await call(users, 'GET', '/api/users?page=50&pageSize=100');
    expect(res.status).toBe(200);
    expect(res.body.items).toEqual([]);
    expect(res.body.total).toBeGreaterThan(0);
    expect(res.body).toMatchObject({ page: 50, pageSize: 100 });
  });

  it('runs one statement whatever the page size', async () => {
    for (let i = 0; i < 5; i += 1) await createUser();
    for (const query of ['pageSize=1', 'pageSize=100', 'page=999']) {
      const { result, statements } = await countStatements(() => call(users, 'GET', `/api/users?${query}`));
      expect(result.status).toBe(200);
      expect(statements).toBe(1);
    }
  });

  it.each(MALFORMED_PAGES)('refuses ?%s with 400 before any query', async (query) => {
    const { result: res, statements } = await countStatements(() => call(users, 'GET', `/api/users?${query}`));
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
    expect(statements).toBe(0);
  });

  it.each(['POST', 'PATCH', 'DELETE'])('answers %s with 405', async (method) => {
    const res = await call(users, method, '/api/users');
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, HEAD, OPTIONS');
  });
});

describe('GET /api/users/{username}', () => {
  it('shows a new user with an all-null profile and zero counts', async () => {
    const { user } = await createUser();
    const res = await call(userPage, 'GET', `/api/users/${user.username}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      user: { id: user.id, username: user.username, confirmed: true, createdAt: user.created_at.toISOString() },
      profile: { bio: null, location: null, birthday: null, gender: null, maritalStatus: null },
      stats: { posts: 0, comments: 0 },
    });
  });

  it('shows the profile and counts every post and comment the user wrote, in one statement', async () => {
    const author = await createUser();
    const reader = await createUser();
    await call(meProfile, 'PATCH', '/api/me/profile', { token: author.token, json: { bio: 'Writes a lot', gender: 'other' } });
    const own = await createPost(author.user, post);
    const other = await createPost(reader.user, post);
    await createPost(author.user, post);
    await addComment(author.user, own.id, { body: 'on my post' });
    await addComment(author.user, other.id, { body: 'on theirs' });
    await addComment(reader.user, own.id, { body: 'not mine' });

    const { result: res, statements } = await countStatements(() => call(userPage, 'GET', `/api/users/${author.user.username}`));
    expect(res.status).toBe(200);
    expect(statements).toBe(1);
    expect(res.body.stats).toEqual({ posts: 2, comments: 2 });
    expect(res.body.profile).toMatchObject({ bio: 'Writes a lot', gender: 'other', location: null });
    expect(res.body.user).not.toHaveProperty('email');
    expect(res.text).not.toContain(author.user.email);
  });

  it('finds a user whatever the case of the name', async () => {
    const { user } = await createUser({ username: 'case_test' });
    const res = await call(userPage, 'GET', '/api/users/Case_Test');
    expect(res.status).toBe(200);
    expect(res.body.user.id).toBe(user.id);
  });

  it('answers 404 for an unknown username', async () => {
    const res = await call(userPage, 'GET', '/api/users/nobody_here');
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('not_found');
  });

  it.each(['ab', '1abc', 'bad-name', 'a'.repeat(33), 'admin', '%E2%82%AC'])('refuses %s with 400 before any query', async (name) => {
    const { result: res, statements } = await countStatements(() => call(userPage, 'GET', `/api/users/${name}`));
    expect(res.status).toBe(400);
    expect(res.body.error.details.username).toBeDefined();
    expect(statements).toBe(0);
  });

  it.each(['POST', 'PATCH', 'DELETE'])('answers %s with 405', async (method) => {
    const res = await call(userPage, method, '/api/users/someone');
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, HEAD, OPTIONS');
  });
});

// Last in the file: it adds users the listing tests above do not expect.
describe('GET /api/users and accounts that never confirmed', () => {
  it('lists confirmed accounts only: one that never confirmed is not shown or counted', async () => {
    const before = (await call(users, 'GET', '/api/users?pageSize=100')).body;
    const pending = await createUser({ username: 'dir_pending', confirmed: false });
    const after = (await call(users, 'GET', '/api/users?pageSize=100')).body;
    expect(after.total).toBe(before.total);
    expect(after.items.map((item: { username: string }) => item.username)).not.toContain(pending.user.username);
    const confirmed = await createUser({ username: 'dir_confirmed' });
    const later = (await call(users, 'GET', '/api/users?pageSize=100')).body;
    expect(later.total).toBe(before.total + 1);
    expect(later.items.map((item: { username: string }) => item.username)).toContain(confirmed.user.username);
  });
});
