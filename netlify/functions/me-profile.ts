// PATCH /api/me/profile — 2 SQL statements (authenticate with the profile, update);
// 1 for an empty patch, which changes nothing and answers the current profile.
import { meProfile } from '../../src/endpoints/me-profile.ts';
import { isJsonBody, readBody } from '../../src/http/body.ts';
import { authenticate } from '../../src/http/caller.ts';
import { json } from '../../src/http/respond.ts';
import { route } from '../../src/http/route.ts';
import { parse } from '../../src/common/validate.ts';
import { jsonProfilePatchSchema, profilePatchSchema } from '../../src/users/profile-rules.ts';
import { updateProfile } from '../../src/users/profiles.ts';

export const config = { path: '/api/me/profile' };

export default route(config, meProfile, {
  PATCH: async (req) => {
    // Validated before any query: an invalid patch changes nothing.
    const patch = parse(isJsonBody(req) ? jsonProfilePatchSchema : profilePatchSchema, await readBody(req));
    const caller = await authenticate(req, { withProfile: true });
    return json(200, { profile: await updateProfile(caller.user.id, patch, caller.profile) });
  },
});
