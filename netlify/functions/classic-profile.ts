// GET /profile — the session with its user.
import { classicProfile } from '../../src/endpoints/classic-profile.ts';
import { authenticate } from '../../src/http/caller.ts';
import { restate } from '../../src/http/classic.ts';
import { json } from '../../src/http/respond.ts';
import { route } from '../../src/http/route.ts';

export const config = { path: '/profile' };

export default route(config, classicProfile, {
  GET: async (req) => {
    const { user } = await authenticate(req).catch(restate({ unauthenticated: { status: 403 } }));
    return json(200, { email: user.email });
  },
});
