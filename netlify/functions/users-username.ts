// GET /api/users/{username} — the user, the profile and the counts together.
import { usersUsername } from '../../src/endpoints/users-username.ts';
import { json } from '../../src/http/respond.ts';
import { route } from '../../src/http/route.ts';
import { getPublicProfile } from '../../src/users/public-profile.ts';

export const config = { path: '/api/users/:username' };

export default route(config, usersUsername, {
  GET: async (_req, { params }) => json(200, await getPublicProfile(params.username)),
});
