// GET /api/auth/{provider}/start, served by netlify/functions/auth-provider-start.ts.
import { providerParam } from '../auth/providers/bodies.ts';
import { endpoint } from '../http/endpoint.ts';

export const authProviderStart = endpoint('/api/auth/:provider/start', {
  GET: {
    id: 'startProviderSignIn',
    tag: 'Accounts',
    summary: 'Start signing in at another identity provider: a redirect to it (authorization code with PKCE, state and nonce)',
    statements: 1,
    description:
      'A browser navigation, not a fetch. `?returnTo=<path>`: a path of this site to land on after (default `/app/`); anything else ' +
      '(another host, `//host`, a scheme) is a 400 `details.returnTo`. Sets the `federation_state` cookie its callback needs (10 minutes). ' +
      '503 `provider_unavailable` when the provider does not answer its discovery in time. Each start keeps a pending row, so an ' +
      'address has a counter of its own (5 × `RATE_LIMIT_LOGIN_IP` in its window); over it, as a browser navigation, a 302 to the ' +
      'login page with `?error=rate_limited` and `Retry-After`, nothing kept and no cookie set.',
    params: providerParam,
    answers: [
      {
        status: 302,
        description: "To the provider's authorization endpoint; over the address's limit, to the login page",
        headers: ['Location', 'Set-Cookie', 'Retry-After'],
      },
    ],
    errors: [404],
  },
});
