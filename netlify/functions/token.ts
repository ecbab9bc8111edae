// POST /api/token — authenticate; the token is signed without the database.
import { issueAccessToken } from '../../src/auth/sessions/access-tokens.ts';
import { token } from '../../src/endpoints/token.ts';
import { authenticate } from '../../src/http/caller.ts';
import { issuerOf } from '../../src/http/client.ts';
import { json } from '../../src/http/respond.ts';
import { route } from '../../src/http/route.ts';

export const config = { path: '/api/token' };

export default route(config, token, {
  POST: async (req) => {
    const { accessToken, expiresIn } = await issueAccessToken(await authenticate(req), issuerOf(req));
    return json(200, { accessToken, tokenType: 'Bearer', expiresIn });
  },
});
