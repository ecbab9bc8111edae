// Delivery of confirmation codes and reset tokens (src/auth/README.md, "Delivery and mail failures"):
// by e-mail when a provider is configured; otherwise, in local development
// only, returned in the response (never logged). Anywhere else without a provider
// (a deploy preview, a branch deploy, production) a code could neither be sent
// nor shown, so the routes that issue one answer 503 before writing anything.
import { HttpError, serviceUnavailable } from '../../common/errors.ts';
import { setting } from '../../config/settings.ts';
import { log, type Level, type LogFields } from '../../log/log.ts';
import { MailDeliveryError, sendMail, type MailMessage } from '../../mail/send.ts';
import type { NewToken, TokenHolder } from './tokens.ts';

export interface SecretNotice {
  to: TokenHolder;
  token: NewToken;
  /** Where the web pages live (Client.appUrl). */
  appUrl: string;
}

const minutes = (token: NewToken) => Math.round((token.expiresAt.getTime() - token.createdAt.getTime()) / 60_000);

export function composeMessage({ to, token, appUrl }: SecretNotice): MailMessage {
  const expiry = `It expires at ${token.expiresAt.toISOString()} (in ${minutes(token)} minutes) and works once.`;
  if (token.purpose === 'confirm_email') {
    return {
      to: to.email,
      subject: 'Confirm your account',
      text: [
        `Hello ${to.username},`,
        '',
        `Your confirmation code is: ${token.secret}`,
        '',
        `Confirm your account on this page: ${appUrl}/confirm?code=${token.secret}`,
        expiry,
        '',
        // Confirming hands the account to whoever registered it, with their password.
        'If you did not register with this address, ignore this message: do not confirm an account you did not make.',
      ].join('\n'),
    };
  }
  if (token.purpose === 'change_email') {
    // `to` is the account with the address asked for: only that mailbox gets the code.
    return {
      to: to.email,
      subject: 'Confirm your new e-mail address',
      text: [
        `Hello ${to.username},`,
        '',
        `To use ${to.email} for your account, confirm it. Your code is: ${token.secret}`,
        '',
        `Or confirm it on this page: ${appUrl}/email?code=${token.secret}`,
        `${expiry} Confirming signs out your other sessions.`,
        '',
        'If you did not ask for this, ignore this message: the account keeps its address.',
      ].join('\n'),
    };
  }
  return {
    to: to.email,
    subject: 'Reset your password',
    text: [
      `Hello ${to.username},`,
      '',
      `A password reset was requested for your account. Your reset token is: ${token.secret}`,
      '',
      `Choose a new password on this page: ${appUrl}/reset?token=${token.secret}`,
      `${expiry} Resetting signs out every session.`,
      '',
      'If you did not ask for this, ignore this message: your password stays as it is.',
    ].join('\n'),
  };
}

/** The notice to the address an account is leaving: no code, only what happened and what to do if it was not them. */
export function composeEmailChangeNotice(user: TokenHolder, newEmail: string, appUrl: string): MailMessage {
  return {
    to: user.email,
    subject: 'Your e-mail address is being changed',
    text: [
      `Hello ${user.username},`,
      '',
      `Someone signed in to your account, with its password, asked to change its e-mail address to ${newEmail}.`,
      "The change happens once the code sent to that address is used; until then this address stays the account's.",
      '',
      `If this was not you, change your password now: ${appUrl}/forgot (a reset signs out every session).`,
    ].join('\n'),
  };
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
export async function deliverNotice(
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
