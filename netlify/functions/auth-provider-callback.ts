// GET /api/auth/{provider}/callback — the pending sign-in taken; the code
// exchanged and the ID token checked at the provider; the identity and the
// accounts looked up; the session INSERT (or the second step's challenge).
import { HttpError } from '../../src/common/errors.ts';
import { providerById } from '../../src/auth/providers/providers.ts';
import { finishSignIn, takePendingSignIn, type Finished } from '../../src/auth/providers/sign-in.ts';
import { authProviderCallback } from '../../src/endpoints/auth-provider-callback.ts';
import { readCookie } from '../../src/http/caller.ts';
import { clientOf, pagesUrlOf, serviceOrigin } from '../../src/http/client.ts';
import { FEDERATION_COOKIE, federationCookie, sessionCookie } from '../../src/http/cookies.ts';
import { redirect } from '../../src/http/respond.ts';
import { route } from '../../src/http/route.ts';
import { log } from '../../src/log/log.ts';

export const config = { path: '/api/auth/:provider/callback' };

export default route(config, authProviderCallback, {
  GET: async (req, input) => {
    const provider = providerById(input.params.provider);
    const cookies: [string, string][] = [['Set-Cookie', federationCookie(req, '', 0)]];
    const callback = input.url.searchParams;
    // A link started on the account page goes back there, refused or not; known once its pending row is taken.
    let page = 'login';
    let finished: Finished;
    try {
      const pending = await takePendingSignIn(provider, callback, readCookie(req, FEDERATION_COOKIE));
      if (pending.link_user_id !== null) page = 'account';
      finished = await finishSignIn(provider, callback, pending, serviceOrigin(req), clientOf(req, input));
    } catch (error) {
      // A person the provider sent back lands on the page they came from, which words the code; the rest
      // (a database outage, a bug) is the route's JSON error. Only the stable code travels:
      // never the provider's text, never a token.
      if (!(error instanceof HttpError)) throw error;
      log('info', 'provider_sign_in_refused', { provider: provider.id, code: error.code, status: error.status });
      return redirect(`${pagesUrlOf(req)}/${page}?${new URLSearchParams({ error: error.code })}`, cookies);
    }
    if (finished.kind === 'second_step') {
      // In the fragment, which no server or Referer sees: the login page sends it to POST /api/login/mfa.
      const step = new URLSearchParams({ mfaToken: finished.mfaToken, returnTo: finished.returnTo });
      return redirect(`${pagesUrlOf(req)}/login#${step}`, cookies);
    }
    if (finished.kind === 'session') cookies.push(['Set-Cookie', sessionCookie(req, finished.session.token, finished.session.expiresAt)]);
    return redirect(finished.returnTo, cookies);
  },
});
