// Asking for a password reset: a token valid 30 minutes, delivered by e-mail.
// Apart from reset.ts so that this function does not carry the password checks.
import { HttpError } from '../../common/errors.ts';
import { NO_REQUESTER, type Client } from '../base/requester.ts';
import { findUserBy } from '../accounts/users.ts';
import { deliverSecret, deliveryRoute } from '../codes/delivery.ts';
import { consumeEmailRequest, KEEP_LIVE_TOKEN_MS } from '../codes/email-requests.ts';
import { issueTokenByEmail, type NewToken, type TokenHolder } from '../codes/tokens.ts';

const noAccount = () => new HttpError('not_found', 'No account uses that e-mail address.');

/**
 * Issue a reset token for the account with this e-mail, replacing its unused
 * ones: 1 statement. A core operation of the classic service, part of the
 * seed's required public API (see src/auth/accounts/users.ts). An unknown e-mail is 404 (the classic operation's error).
 */
export async function issueResetToken(email: string): Promise<{ user: TokenHolder; token: NewToken }> {
  const issued = await issueTokenByEmail('reset_password', email, { record: { kind: 'reset_requested', by: NO_REQUESTER } });
  if (issued === undefined) throw noAccount();
  return { user: issued.user, token: issued.token! };
}

/**
 * A reset request from `client`: limits per e-mail and per address (1
 * statement), the token with the reset_requested event (1 statement), delivery. The same answer whether or
 * not the account exists, unless `requireAccount` (the classic route) asks
 * for the 404. Over the per-address limit it is a 429; over the per-e-mail
 * limit, or while the live token is less than a minute old, nothing is issued
 * or sent and the answer stays the same: anyone can ask for a victim's
 * address, and must spend neither the owner's budget nor their live token.
 */
export async function requestPasswordReset(
  email: string,
  client: Client,
  options: { requireAccount?: boolean } = {},
): Promise<{ reset?: { token: string; expiresAt: Date } }> {
  deliveryRoute(); // 503 before anything is counted or written when no code could reach anyone here
  if (!(await consumeEmailRequest(email, client))) {
    // The classic route tells an unknown address apart (403) even then.
    if (options.requireAccount === true) await findUserBy({ email });
    return {};
  }
  const issued = await issueTokenByEmail('reset_password', email, {
    keepYoungerThanMs: KEEP_LIVE_TOKEN_MS,
    record: { kind: 'reset_requested', by: client },
  });
  if (issued === undefined) {
    if (options.requireAccount === true) throw noAccount();
    return {};
  }
  if (issued.token === undefined) return {};
  const { revealed } = await deliverSecret({ to: issued.user, token: issued.token, appUrl: client.appUrl }, client.waitUntil);
  return revealed ? { reset: { token: issued.token.secret, expiresAt: issued.token.expiresAt } } : {};
}
