// Requests that make us e-mail an address (a new confirmation code, a reset
// token) can be sent by anyone for anyone's address. Their limits are set so
// that such a stranger cannot harm the owner: over the per-address limit the
// sender gets 429, but over the per-e-mail limit the request is answered as
// usual and nothing happens, and a live code or token less than a minute old
// is never replaced (the owner may be typing it in).
import { rateLimited } from '../../common/errors.ts';
import { now } from '../../config/clock.ts';
import { countHits, retryAfterSeconds } from '../../rate-limit/counter.ts';
import { checks } from '../../rate-limit/limits.ts';
import type { Client } from '../base/requester.ts';

/** A live code or token younger than this is kept, not replaced. */
export const KEEP_LIVE_TOKEN_MS = 60_000;

/**
 * Count the request per e-mail and per address (1 statement). Throws 429 when
 * the address is over its limit; false when the e-mail is (do nothing, answer
 * as usual); true when the request may go ahead.
 */
export async function consumeEmailRequest(email: string, client: Client): Promise<boolean> {
  const byEmail = checks.email(email);
  const byAddress = checks.emailIp(client.ip);
  const states = await countHits([byEmail, byAddress]);
  const at = now();
  const wait = retryAfterSeconds(states.get(byAddress.bucket), byAddress.limit, at);
  if (wait > 0) throw rateLimited(wait);
  return retryAfterSeconds(states.get(byEmail.bucket), byEmail.limit, at) === 0;
}
