// The session row decides: a row past its own absolute
// end, or past its idle end (unused for SESSION_IDLE_TTL: sliding sessions),
// gives 401 on every authenticated endpoint, logout included, while its
// token's `exp` is still ahead. Using a session moves its idle end only: its
// absolute end stays where the login put it.
import { describe, expect, it } from 'vitest';
import login from '../../netlify/functions/login.ts';
import logout from '../../netlify/functions/logout.ts';
import mePassword from '../../netlify/functions/me-password.ts';
import meProfile from '../../netlify/functions/me-profile.ts';
import meSession from '../../netlify/functions/me-session.ts';
import meSessions from '../../netlify/functions/me-sessions.ts';
import me from '../../netlify/functions/me.ts';
import posts from '../../netlify/functions/posts.ts';
import { getDb } from '../../src/db/connection.ts';
import { call, type CallOptions } from '../support/call.ts';
import { skipAhead } from '../support/clock.ts';
import { createUser, uniqueIp } from '../support/users.ts';
import { expectSafe } from './harness.ts';

type Target = [string, Parameters<typeof call>[0], string, string, CallOptions?];

const DAY = 86_400_000;

/** The row's columns that end it, one way or the other; the token is not touched. */
const ENDS = {
  'its absolute end': () => ({ expires_at: new Date(Date.now() - 1_000), created_at: new Date(Date.now() - 60_000) }),
  'its idle end': () => ({ last_seen_at: new Date(Date.now() - 8 * DAY), created_at: new Date(Date.now() - 9 * DAY) }),
};

describe.each(Object.keys(ENDS) as (keyof typeof ENDS)[])('a session row past %s, with a token still unexpired', (end) => {
  it('is refused with 401 on every authenticated endpoint, by bearer and by cookie', async () => {
    const targets = (sessionId: number): Target[] => [
      ['GET /api/me', me, 'GET', '/api/me'],
      ['PATCH /api/me/profile', meProfile, 'PATCH', '/api/me/profile', { json: { bio: 'x' } }],
      [
        'PUT /api/me/password',
        mePassword,
        'PUT',
        '/api/me/password',
        { json: { currentPassword: 'Correct-Horse-42!', newPassword: 'Copper-Lantern-26#' } },
      ],
      ['GET /api/me/sessions', meSessions, 'GET', '/api/me/sessions'],
      ['DELETE /api/me/sessions/:id', meSession, 'DELETE', `/api/me/sessions/${sessionId}`],
      ['POST /api/posts', posts, 'POST', '/api/posts', { json: { title: 'T', body: 'B' } }],
      ['POST /api/logout', logout, 'POST', '/api/logout'],
    ];
    for (const via of ['bearer', 'cookie'] as const) {
      const { user, token, sessionId } = await createUser();
      // The row alone ends; the token's exp is untouched.
      await getDb().updateTable('sessions').set(ENDS[end]()).where('id', '=', sessionId).execute();
      for (const [name, handler, method, path, options] of targets(sessionId)) {
        const credentials = via === 'bearer' ? { token } : { cookie: `session_id=${token}` };
        const res = await call(handler, method, path, { ...options, ...credentials });
        expect(res.status, `${name} by ${via}: ${res.text}`).toBe(401);
        expectSafe(res, 'api');
      }
      expect(await getDb().selectFrom('posts').select('id').where('user_id', '=', user.id).execute()).toEqual([]);
    }
  });
});

describe('a session used on later days', () => {
  // The token's own exp is login + 30 days whatever the row says: a touch that
  // moved the row's end forward would not show in a 401, only in the row.
  it('keeps its absolute end at login + 30 days: in the row and as expiresAt in the sessions list', async () => {
    const { user, password, sessionId: opener } = await createUser();
    const loggedIn = await call(login, 'POST', '/api/login', { json: { username: user.username, password }, ip: uniqueIp() });
    expect(loggedIn.status).toBe(200);
    const token: string = loggedIn.body.token;
    const row = () =>
      getDb()
        .selectFrom('sessions')
        .select(['id', 'created_at', 'expires_at', 'last_seen_at'])
        .where('user_id', '=', user.id)
        .where('id', '<>', opener)
        .execute();
    const [opened] = await row();
    expect(opened!.expires_at.getTime()).toBe(opened!.created_at.getTime() + 30 * DAY);
    // Every five days, inside the idle period: each use is over an hour after the last, so each one touches the row.
    for (let day = 5; day < 30; day += 5) {
      skipAhead(5 * DAY);
      expect((await call(me, 'GET', '/api/me', { token })).status).toBe(200);
      const list = await call(meSessions, 'GET', '/api/me/sessions', { token });
      expect(list.status).toBe(200);
      const [now] = await row();
      expect(now!.last_seen_at.getTime(), `day ${day}: the use was recorded`).toBeGreaterThan(
        opened!.created_at.getTime() + (day - 1) * DAY,
      );
      expect(now!.expires_at, `day ${day}`).toEqual(opened!.expires_at);
      expect(list.body.items.find((s: { current: boolean }) => s.current)).toMatchObject({
        id: opened!.id,
        expiresAt: opened!.expires_at.toISOString(),
      });
    }
    // Past it, the session is over, however recently it was used.
    skipAhead(5 * DAY);
    expect((await call(me, 'GET', '/api/me', { token })).status).toBe(401);
  });
});
