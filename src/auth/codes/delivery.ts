// Delivery of confirmation codes and reset tokens (src/auth/README.md, "Delivery and mail failures"):
// by e-mail when a provider is configured; otherwise, in local development
// only, returned in the response (never logged). Anywhere else without a provider
// (a deploy preview, a branch deploy, production) a code could neither be sent
// nor shown, so the routes that issue one answer 503 before writing anything.
import { HttpError, serviceUnavailable } from '../../common/errors.ts';
import { setting } from '../../config/settings.ts';
import { log, type Level, type LogFields } from '../../log/log.ts';
import { MailDeliveryError, sendMail, type MailMessage } from '../../mail/send.ts';
import { confirmationCode, emailChangeCode, resetLink, type Origin } from '../../mail/templates.ts';
import type { Client, Requester } from '../base/requester.ts';
import type { NewToken, TokenHolder } from './tokens.ts';

export interface SecretNotice {
  to: TokenHolder;
  token: NewToken;
  /** Where the web pages live (Client.appUrl). */
  appUrl: string;
}

const TEMPLATES = { confirm_email: confirmationCode, change_email: emailChangeCode, reset_password: resetLink } as const;

export function composeMessage({ to, token, appUrl }: SecretNotice): MailMessage {
  return TEMPLATES[token.purpose](to, token, appUrl);
}

export interface Delivery {
  /** True when the secret may (and must) be put in the response: no provider, local development. */
  revealed: boolean;
}

const warned = new Set<string>();

/** Each configuration problem is logged once per instance, on the first request that meets it. */
function warnOnce(level: Level, event: string, fields: LogFields): void {
  if (warned.has(event)) return;
  warned.add(event);
  log(level, event, fields);
}

/** Tests only: log configuration problems again. */
export function resetDeliveryWarnings(): void {
  warned.clear();
}

function codesMayBeReturned(): boolean {
  if (setting('localDevelopment')) return true;
  if (!setting('returnCodesInResponses')) return false;
  const context = setting('deployContext');
  if (context === undefined) return true;
  warnOnce('warn', 'return_codes_refused', {
    deployContext: context,
    message: `RETURN_CODES_IN_RESPONSES is refused in a ${context} deploy: codes and tokens are never returned there`,
  });
  return false;
}

/**
 * How a code or token would reach its owner here: `mail`, or `response` in
 * local development (or under RETURN_CODES_IN_RESPONSES off Netlify). Where
 * neither is possible, 503 before the caller writes anything, and one log line
 * naming the missing variables.
 */
export function deliveryRoute(): 'mail' | 'response' {
  if (setting('mail') !== undefined) return 'mail';
  if (codesMayBeReturned()) return 'response';
  warnOnce('error', 'mail_not_configured', {
    deployContext: setting('deployContext') ?? 'deployment',
    message:
      'set MAIL_API_URL and MAIL_FROM (and MAIL_API_KEY); until then registration, confirmation resends and reset requests answer 503',
  });
  throw new HttpError('service_unavailable', 'This service cannot send e-mail at the moment; try again later.');
}

/** A MailDeliveryError's message is ours (`mail provider answered 500`), never the provider's text. */
const mailNotSent = (what: LogFields, error: unknown) =>
  log('error', 'mail_not_sent', { ...what, reason: error instanceof MailDeliveryError ? error.message : undefined }, error);

/**
 * Send a notice that carries no secret. It never fails the request: with
 * `waitUntil` it goes out after the response, and a failure is only logged;
 * without a provider (local development) it is only logged.
 */
async function deliverNotice(
  message: MailMessage,
  what: { purpose: string; accountId: number },
  waitUntil?: (work: Promise<unknown>) => void,
): Promise<void> {
  const settings = setting('mail');
  if (settings === undefined) {
    log('info', 'notice_not_sent', what);
    return;
  }
  const sending = sendMail(settings, message).catch((error: unknown) => mailNotSent(what, error));
  if (waitUntil !== undefined) waitUntil(sending);
  else await sending;
}

/**
 * A notice of what `by` did to an account (src/mail/templates.ts), which never
 * delays or fails the answer: after it, through the request's waitUntil.
 * A call from code (the seed, the classic core API) is no request: it has no
 * pages to link to and sends none.
 */
export function notify(
  by: Requester | Client,
  what: { purpose: string; accountId: number },
  compose: (origin: Origin, appUrl: string) => MailMessage,
  at: Date,
): Promise<void> {
  if (!('appUrl' in by)) {
    log('info', 'notice_not_sent', { ...what, reason: 'no request' });
    return Promise.resolve();
  }
  return deliverNotice(compose({ at, ip: by.ip, userAgent: by.userAgent }, by.appUrl), what, by.waitUntil);
}

/**
 * Deliver a code or token. With `waitUntil`, e-mail goes out after the
 * response and a failure is only logged; without it, a failure throws 503.
 */
export async function deliverSecret(notice: SecretNotice, waitUntil?: (work: Promise<unknown>) => void): Promise<Delivery> {
  const what = { purpose: notice.token.purpose, accountId: notice.to.id };
  const settings = deliveryRoute() === 'mail' ? setting('mail') : undefined;
  const notSent = (error: unknown) => mailNotSent(what, error);
  if (settings !== undefined) {
    const sending = sendMail(settings, composeMessage(notice));
    if (waitUntil !== undefined) {
      waitUntil(sending.catch(notSent));
      return { revealed: false };
    }
    try {
      await sending;
    } catch (error) {
      notSent(error);
      throw serviceUnavailable(60, 'The e-mail could not be sent; try again shortly.');
    }
    return { revealed: false };
  }
  // The secret goes in the response only: a log keeps it where anyone who reads logs could use it.
  log('info', 'code_in_response', what);
  return { revealed: true };
}
