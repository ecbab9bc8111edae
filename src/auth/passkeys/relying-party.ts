// The WebAuthn relying party follows the deploy: its ID is the host name of
// the pages' address (APP_URL, else this deploy's: URL in production,
// DEPLOY_PRIME_URL in a preview or branch deploy), and the origins it accepts
// are the configured addresses on that host or under it. Passkeys are bound
// to the RP ID, so a preview on another host name has passkeys of its own.
// In local development (netlify dev, the tests) the request's own host serves.
import { HttpError } from '../../common/errors.ts';
import { setting } from '../../config/settings.ts';
import { log } from '../../log/log.ts';

export interface RelyingParty {
  id: string;
  name: string;
  origins: string[];
}

/** The pages' address for this deploy, if configured. */
function pagesUrl(): string | undefined {
  // netlify dev sets URL and DEPLOY_PRIME_URL to the linked site's addresses (or
  // placeholders), which a browser on localhost is not on: there only APP_URL counts.
  if (setting('localDevelopment')) return setting('appUrl');
  const production = setting('deployContext') === 'production';
  return setting('appUrl') ?? (production ? setting('siteUrl') : (setting('deployUrl') ?? setting('siteUrl')));
}

/** The relying party a request to `requestUrl` acts for; 503 when a deploy has no address to take it from. */
export function relyingParty(requestUrl: URL): RelyingParty {
  const configured = pagesUrl();
  let id: string;
  if (configured !== undefined) id = new URL(configured).hostname;
  else if (setting('localDevelopment')) id = requestUrl.hostname;
  else {
    log('error', 'passkeys_unavailable', { variable: 'URL', hint: 'set URL, DEPLOY_PRIME_URL or APP_URL: the RP ID is their host name' });
    throw new HttpError('passkeys_unavailable');
  }
  const candidates = [setting('appUrl'), setting('siteUrl'), setting('deployUrl')];
  if (setting('localDevelopment')) candidates.push(requestUrl.origin);
  const origins = new Set<string>();
  for (const candidate of candidates) {
    if (candidate === undefined) continue;
    const url = new URL(candidate);
    if (url.hostname === id || url.hostname.endsWith(`.${id}`)) origins.add(url.origin);
  }
  return { id, name: id, origins: [...origins] };
}
