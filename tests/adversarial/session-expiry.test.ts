// The session row decides: a row past its own absolute
// end, or past its idle end (unused for SESSION_IDLE_TTL: sliding sessions),
// gives 401 on every authenticated endpoint, logout included, while its
// token's `exp` is still ahead.
import { describe, expect, it } from 'vitest';
import logout from '../../netlify/functions/logout.ts';
import mePassword from '../../netlify/functions/me-password.ts';
import meProfile from '../../netlify/functions/me-profile.ts';
import meSession from '../../netlify/functions/me-session.ts';
import meSessions from '../../netlify/functions/me-sessions.ts';
import me from '../../netlify/functions/me.ts';
import posts from '../../netlify/functions/posts.ts';
import { getDb } from '../../src/db/connection.ts';
import { call, type CallOptions } from '../support/call.ts';
import { createUser } from '../support/users.ts';
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
