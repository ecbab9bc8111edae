// PATCH /api/me/profile — authenticate with the profile; then the update. Only
// the first for an empty patch, which changes nothing and answers the current
// profile. The patch is parsed before any query: an invalid one changes nothing.
import { meProfile } from '../../src/endpoints/me-profile.ts';
import { authenticate } from '../../src/http/caller.ts';
import { json } from '../../src/http/respond.ts';
import { route } from '../../src/http/route.ts';
import { updateProfile } from '../../src/users/profiles.ts';

export const config = { path: '/api/me/profile' };

export default route(config, meProfile, {
  PATCH: async (req, { body }) => {
    const caller = await authenticate(req, { withProfile: true });
    return json(200, { profile: await updateProfile(caller.user.id, body, caller.profile) });
  },
});
