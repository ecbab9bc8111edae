// GET /api/auth/{provider}/start — the provider's discovery (cached per
// instance), then the pending sign-in's INSERT; a redirect to the provider
// with the state in this browser's cookie.
import { startQuerySchema } from '../../src/auth/providers/bodies.ts';
import { PENDING_TTL_SECONDS, providerById, startSignIn } from '../../src/auth/providers/providers.ts';
import { parse } from '../../src/common/validate.ts';
import { authProviderStart } from '../../src/endpoints/auth-provider-start.ts';
import { serviceOrigin } from '../../src/http/client.ts';
import { federationCookie } from '../../src/http/cookies.ts';
import { redirect } from '../../src/http/respond.ts';
import { route } from '../../src/http/route.ts';

export const config = { path: '/api/auth/:provider/start' };

export default route(config, authProviderStart, {
  GET: async (req, input) => {
    const provider = providerById(input.params.provider);
    const { returnTo } = parse(startQuerySchema, Object.fromEntries(input.url.searchParams));
    const started = await startSignIn(provider, serviceOrigin(req), returnTo);
    return redirect(started.location, { 'Set-Cookie': federationCookie(req, started.state, PENDING_TTL_SECONDS) });
  },
});
