// DELETE /api/me: the account and everything that is its own go
// in one transaction; the password proves the owner and wrong ones count.
import { describe, expect, it } from 'vitest';
import forgot from '../../netlify/functions/password-forgot.ts';
import login from '../../netlify/functions/login.ts';
import me from '../../netlify/functions/me.ts';
import register from '../../netlify/functions/register.ts';
import { createSession } from '../../src/auth/sessions/sessions.ts';
import { addComment } from '../../src/content/comments.ts';
import { createPost } from '../../src/content/posts.ts';
import { getDb } from '../../src/db/connection.ts';
import { call } from '../support/call.ts';
import { countRows, itRefusesBadBodies } from '../support/content.ts';
import { envForFile } from '../support/env.ts';
import { measured } from '../support/statements.ts';
import { createUser, STRONG_PASSWORD, uniqueIp } from '../support/users.ts';

envForFile({ RATE_LIMIT_LOGIN_ACCOUNT: '3/15m' });

const remove = (token: string, password: string, ip = uniqueIp()) => call(me, 'DELETE', '/api/me', { token, json: { password }, ip });

describe('DELETE /api/me', () => {
  it('deletes the user, profile, sessions, codes, events, posts with their comments and the user’s comments, in 2 statements', async () => {
    const owner = await createUser();
    const other = await createUser();
    const { user } = owner;
    await getDb().updateTable('user_profiles').set({ bio: 'Soon gone' }).where('user_id', '=', user.id).execute();
    await createSession(user.id);
    await call(forgot, 'POST', '/api/password/forgot', { json: { email: user.email }, ip: uniqueIp() });
    await call(login, 'POST', '/api/login', { json: { username: user.username, password: owner.password }, ip: uniqueIp() });
    const own = await createPost(user, { title: 'Mine', body: 'To be deleted' });
    await addComment(other.user, own.id, { body: 'Another’s comment on the owner’s post' });
    const theirs = await createPost(other.user, { title: 'Theirs', body: 'Stays' });
    await addComment(user, theirs.id, { body: 'The owner’s comment elsewhere' });
    const kept = await addComment(other.user, theirs.id, { body: 'Stays too' });

    const res = await measured(() =>
      call(me, 'DELETE', '/api/me', { token: owner.token, json: { password: owner.password }, ip: uniqueIp() }),
    );
    expect(res).toEqual([204, 2]);
    for (const table of ['users', 'user_profiles'] as const)
      expect(await countRows(table, table === 'users' ? { id: user.id } : { user_id: user.id })).toBe(0);
    for (const table of ['sessions', 'one_time_tokens', 'security_events', 'posts', 'comments'] as const) {
      expect(await countRows(table, { user_id: user.id }), table).toBe(0);
    }
    expect(await countRows('comments', { post_id: own.id })).toBe(0);
    expect(await countRows('posts', { id: theirs.id })).toBe(1);
    expect((await getDb().selectFrom('comments').select('id').where('post_id', '=', theirs.id).execute()).map((c) => c.id)).toEqual([
      kept.id,
    ]);
    // Kept: the fact and its time, nothing personal.
    const trace = await getDb().selectFrom('security_events').selectAll().where('deleted_user_id', '=', user.id).execute();
    expect(trace).toEqual([
      {
        id: expect.any(Number),
        user_id: null,
        deleted_user_id: user.id,
        kind: 'account_deleted',
        reason: null,
        ip: null,
        user_agent: null,
        created_at: expect.any(Date),
      },
    ]);
    expect((await call(me, 'GET', '/api/me', { token: owner.token })).status).toBe(401);
    expect((await call(me, 'GET', '/api/me', { token: other.token })).status).toBe(200);
  });

  it('clears the cookie and frees the username and the address', async () => {
    const { user, token, password } = await createUser();
    const res = await call(me, 'DELETE', '/api/me', {
      cookie: `session_id=${token}`,
      headers: { origin: 'http://localhost:8888' },
      json: { password },
      ip: uniqueIp(),
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('set-cookie')).toMatch(/^session_id=; .*Max-Age=0/);
    const again = await call(register, 'POST', '/api/register', {
      json: { username: user.username, email: user.email, password: STRONG_PASSWORD },
      ip: uniqueIp(),
    });
    expect(again.status).toBe(201);
  });

  it('deletes an account that has nothing but its session', async () => {
    const { user, token, password } = await createUser();
    expect((await remove(token, password)).status).toBe(204);
    expect(await countRows('users', { id: user.id })).toBe(0);
  });

  it('answers 400 with details.password for a wrong password, counts it, and 429 once over the limit: 1 statement each', async () => {
    const { user, token, password } = await createUser();
    const ip = uniqueIp();
    for (let i = 0; i < 3; i++) {
      const [status, statements] = await measured(() => remove(token, 'Wrong-Password-1', ip));
      expect([status, statements]).toEqual([400, 1]);
    }
    const wrong = await remove(token, 'Wrong-Password-1', ip);
    expect(wrong.status).toBe(429);
    expect(Number(wrong.headers.get('retry-after'))).toBeGreaterThan(0);
    // The same counter as a login's from this address: the right password is refused too, the account stays.
    expect(await measured(() => remove(token, password, ip))).toEqual([429, 1]);
    expect((await call(login, 'POST', '/api/login', { json: { username: user.username, password }, ip })).status).toBe(429);
    expect(await countRows('users', { id: user.id })).toBe(1);
    // From another address the owner is not locked out.
    expect((await remove(token, password)).status).toBe(204);
  });

  it('answers 400 naming the field for a missing or non-string password, before any statement', async () => {
    const { user, token } = await createUser();
    for (const json of [{}, { password: 7 }, { password: 'x', extra: 1 }]) {
      const [status, statements] = await measured(() => call(me, 'DELETE', '/api/me', { token, json }));
      expect([status, statements]).toEqual([400, 0]);
    }
    const res = await call(me, 'DELETE', '/api/me', { token, json: {} });
    expect(Object.keys(res.body.error.details)).toEqual(['password']);
    expect(await countRows('users', { id: user.id })).toBe(1);
  });

  it('answers 401 without a live session, 403 for a cookie from another origin, and deletes nothing', async () => {
    const { user, token, password, sessionId } = await createUser();
    expect((await call(me, 'DELETE', '/api/me', { json: { password } })).status).toBe(401);
    const crossSite = await call(me, 'DELETE', '/api/me', {
      cookie: `session_id=${token}`,
      headers: { origin: 'https://evil.example' },
      json: { password },
    });
    expect(crossSite.status).toBe(403);
    await getDb().deleteFrom('sessions').where('id', '=', sessionId).execute();
    expect(await measured(() => remove(token, password))).toEqual([401, 1]);
    expect(await countRows('users', { id: user.id })).toBe(1);
  });

  itRefusesBadBodies(me, 'DELETE', async () => ({ path: '/api/me', token: (await createUser()).token }));
});
