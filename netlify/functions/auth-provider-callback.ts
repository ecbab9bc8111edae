// GET /api/auth/{provider}/callback — the pending sign-in taken; the code
// exchanged and the ID token checked at the provider; the identity and the
// accounts looked up; the session INSERT (or the second step's challenge).
import { providerById } from '../../src/auth/providers/providers.ts';
import { finishSignIn } from '../../src/auth/providers/sign-in.ts';
import { authProviderCallback } from '../../src/endpoints/auth-provider-callback.ts';
import { readCookie } from '../../src/http/caller.ts';
import { appUrlOf, requesterOf, serviceOrigin } from '../../src/http/client.ts';
import { FEDERATION_COOKIE, federationCookie, sessionCookie } from '../../src/http/cookies.ts';
import { redirect } from '../../src/http/respond.ts';
import { route } from '../../src/http/route.ts';

export const config = { path: '/api/auth/:provider/callback' };

export default route(config, authProviderCallback, {
  GET: async (req, input) => {
    const provider = providerById(input.params.provider);
    const finished = await finishSignIn(
      provider,
      input.url.searchParams,
      readCookie(req, FEDERATION_COOKIE),
      serviceOrigin(req),
      requesterOf(req, input),
    );
    const cookies: [string, string][] = [['Set-Cookie', federationCookie(req, '', 0)]];
    if (finished.kind === 'second_step') {
      // In the fragment, which no server or Referer sees: the login page sends it to POST /api/login/mfa.
      const step = new URLSearchParams({ mfaToken: finished.mfaToken, returnTo: finished.returnTo });
      return redirect(`${appUrlOf(req)}/login#${step}`, cookies);
    }
    if (finished.kind === 'session') cookies.push(['Set-Cookie', sessionCookie(req, finished.session.token, finished.session.expiresAt)]);
    return redirect(finished.returnTo, cookies);
  },
});
