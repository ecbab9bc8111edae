// Delivery of confirmation codes and reset tokens (the README, "Delivery"):
// by e-mail when a provider is configured; otherwise returned in the response
// and logged (local development), except in production, where they are never
// returned and only a warning without the secret is logged.
import { serviceUnavailable } from '../../common/errors.ts';
import { setting } from '../../config/settings.ts';
import { sendMail, type MailMessage } from '../../mail/send.ts';
import type { NewToken, TokenHolder } from './tokens.ts';

export interface SecretNotice {
  to: TokenHolder;
  token: NewToken;
  baseUrl: string;
}

const minutes = (token: NewToken) => Math.round((token.expiresAt.getTime() - token.createdAt.getTime()) / 60_000);

function describe(token: NewToken): string {
  return token.purpose === 'confirm_email' ? 'confirmation code' : 'password reset token';
}

export function composeMessage({ to, token, baseUrl }: SecretNotice): MailMessage {
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
        `Confirm your account by opening ${baseUrl}/api/register/confirm/${token.secret}`,
        expiry,
        '',
        'If you did not register, ignore this message.',
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
      `Send it with a new password: POST ${baseUrl}/api/password/reset {"token": "…", "password": "…"}`,
      `${expiry} Resetting signs out every session.`,
      '',
      'If you did not ask for this, ignore this message: your password stays as it is.',
    ].join('\n'),
  };
}

export interface Delivery {
  /** True when the secret may (and must) be put in the response: no provider, not production. */
  revealed: boolean;
}

/**
 * Deliver a code or token. With `waitUntil`, e-mail goes out after the
 * response and a failure is only logged; without it, a failure throws 503.
 */
export async function deliverSecret(notice: SecretNotice, waitUntil?: (work: Promise<unknown>) => void): Promise<Delivery> {
  const what = `${describe(notice.token)} for user #${notice.to.id}`;
  const settings = setting('mail');
  if (settings !== undefined) {
    const sending = sendMail(settings, composeMessage(notice));
    if (waitUntil !== undefined) {
      waitUntil(sending.catch((error: Error) => console.error(`[delivery] ${what} not sent: ${error.message}`)));
      return { revealed: false };
    }
    try {
      await sending;
    } catch (error) {
      console.error(`[delivery] ${what} not sent: ${(error as Error).message}`);
      throw serviceUnavailable(60, 'The e-mail could not be sent; try again shortly.');
    }
    return { revealed: false };
  }
  if (setting('production')) {
    console.warn(`[delivery] MAIL_API_URL is not set: the ${what} was not delivered`);
    return { revealed: false };
  }
  console.info(`[delivery] no mail provider (development): ${what} <${notice.to.email}>: ${notice.token.secret}`);
  return { revealed: true };
}
