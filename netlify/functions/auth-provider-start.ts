// GET /api/auth/{provider}/start — the provider's discovery (cached per
// instance), then one hit on the address's start counter with the pending
// sign-in's INSERT; a redirect to the provider with the state in this
// browser's cookie. Over the limit, a person lands on the login page.
import { startQuerySchema } from '../../src/auth/providers/bodies.ts';
import { PENDING_TTL_SECONDS, providerById, startSignIn, type Started } from '../../src/auth/providers/providers.ts';
import { HttpError } from '../../src/common/errors.ts';
import { parse } from '../../src/common/validate.ts';
import { authProviderStart } from '../../src/endpoints/auth-provider-start.ts';
import { pagesUrlOf, requesterOf, serviceOrigin } from '../../src/http/client.ts';
import { federationCookie } from '../../src/http/cookies.ts';
import { redirect } from '../../src/http/respond.ts';
import { route } from '../../src/http/route.ts';

export const config = { path: '/api/auth/:provider/start' };

export default route(config, authProviderStart, {
  GET: async (req, input) => {
    const provider = providerById(input.params.provider);
    const { returnTo } = parse(startQuerySchema, Object.fromEntries(input.url.searchParams));
    let started: Started;
    try {
      started = await startSignIn(provider, serviceOrigin(req), returnTo, requesterOf(req, input));
    } catch (error) {
      // A browser navigation, refused as the callback's are: the login page words the code.
      if (!(error instanceof HttpError) || error.code !== 'rate_limited') throw error;
      return redirect(`${pagesUrlOf(req)}/login?${new URLSearchParams({ error: error.code })}`, error.headers);
    }
    return redirect(started.location, { 'Set-Cookie': federationCookie(req, started.state, PENDING_TTL_SECONDS) });
  },
});
