// GET /api/me/identities — the caller's live session and identities, 1 statement.
// POST /api/me/identities — the proof of ownership (password, step-up); then
// the pending link with the code taken, while the session is live.
import { listIdentities } from '../../src/auth/providers/identities.ts';
import { startLink } from '../../src/auth/providers/link.ts';
import { PENDING_TTL_SECONDS, providerById } from '../../src/auth/providers/providers.ts';
import { stepUp } from '../../src/auth/mfa/step-up.ts';
import { meIdentities } from '../../src/endpoints/me-identities.ts';
import { callerClaims } from '../../src/http/caller.ts';
import { requesterOf, serviceOrigin } from '../../src/http/client.ts';
import { federationCookie } from '../../src/http/cookies.ts';
import { json } from '../../src/http/respond.ts';
import { first, route } from '../../src/http/route.ts';

export const config = { path: '/api/me/identities' };

export default route(config, meIdentities, {
  GET: first(callerClaims, async (_req, _input, claims) => json(200, { items: await listIdentities(claims) })),
  POST: first(callerClaims, async (req, input, claims) => {
    const { body } = input;
    const provider = providerById(body.provider);
    const caller = { claims, ...requesterOf(req, input) };
    const started = await startLink(caller, provider, serviceOrigin(req), body.returnTo, body.password, stepUp(body.code));
    return json(200, { location: started.location }, { 'Set-Cookie': federationCookie(req, started.state, PENDING_TTL_SECONDS) });
  }),
});
