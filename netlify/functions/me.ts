// GET /api/me — 1 SQL statement (session, user and profile together).
import { me } from '../../src/endpoints/me.ts';
import { authenticate } from '../../src/http/caller.ts';
import { json } from '../../src/http/respond.ts';
import { route } from '../../src/http/route.ts';
import { presentProfile, presentUser } from '../../src/users/present.ts';

export const config = { path: '/api/me' };

export default route(config, me, {
  GET: async (req) => {
    const { user, profile } = await authenticate(req, { withProfile: true });
    return json(200, { user: presentUser(user, { withEmail: true }), profile: presentProfile(profile) });
  },
});
