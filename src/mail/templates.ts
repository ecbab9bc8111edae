// Every message the service e-mails, subject and text, each a function of its
// data (src/auth/README.md, "Delivery and mail failures"). Codes and links go only to the mailbox that must
// use them; a notice carries no secret: it says what happened, when, from
// where, and what to do if it was not the owner.
import type { MailMessage } from './send.ts';

/** Who a message goes to: the account's name and the address it is sent to. */
export interface Recipient {
  username: string;
  email: string;
}

/** A code or token to type in or open, with its expiry. */
export interface Secret {
  secret: string;
  createdAt: Date;
  expiresAt: Date;
}

/** Where the request that caused a notice came from, as it reported itself. */
export interface Origin {
  at: Date;
  ip: string;
  userAgent?: string | null | undefined;
}

const minutes = (s: Secret) => Math.round((s.expiresAt.getTime() - s.createdAt.getTime()) / 60_000);
const expiry = (s: Secret) => `It expires at ${s.expiresAt.toISOString()} (in ${minutes(s)} minutes) and works once.`;
const message = (to: Recipient, subject: string, lines: string[]): MailMessage => ({
  to: to.email,
  subject,
  text: [`Hello ${to.username},`, '', ...lines].join('\n'),
});

export function confirmationCode(to: Recipient, code: Secret, appUrl: string): MailMessage {
  return message(to, 'Confirm your account', [
    `Your confirmation code is: ${code.secret}`,
    '',
    `Confirm your account on this page: ${appUrl}/confirm?code=${code.secret}`,
    expiry(code),
    '',
    // Confirming hands the account to whoever registered it, with their password.
    'If you did not register with this address, ignore this message: do not confirm an account you did not make.',
  ]);
}

/** To the address asked for: only that mailbox gets the code. */
export function emailChangeCode(to: Recipient, code: Secret, appUrl: string): MailMessage {
  return message(to, 'Confirm your new e-mail address', [
    `To use ${to.email} for your account, confirm it. Your code is: ${code.secret}`,
    '',
    `Or confirm it on this page: ${appUrl}/email?code=${code.secret}`,
    `${expiry(code)} Confirming signs out your other sessions.`,
    '',
    'If you did not ask for this, ignore this message: the account keeps its address.',
  ]);
}

export function resetLink(to: Recipient, token: Secret, appUrl: string): MailMessage {
  return message(to, 'Reset your password', [
    `A password reset was requested for your account. Your reset token is: ${token.secret}`,
    '',
    `Choose a new password on this page: ${appUrl}/reset?token=${token.secret}`,
    `${expiry(token)} Resetting signs out every session.`,
    '',
    'If you did not ask for this, ignore this message: your password stays as it is.',
  ]);
}

/**
 * A line of text the client chose (its user agent), made harmless in a plain
 * text mail: one line, printable, at most 200 characters, quoted. It is what
 * the device said, not a fact.
 */
export function untrusted(text: string): string {
  const line = text.replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]+/gu, ' ').trim();
  return JSON.stringify([...line].length > 200 ? `${[...line].slice(0, 200).join('')}…` : line);
}

/** What happened, when and from where, then `action`: what to do if it was not the owner. */
function notice(to: Recipient, subject: string, what: string[], origin: Origin, action: string): MailMessage {
  return message(to, subject, [
    ...what,
    '',
    `When: ${origin.at.toISOString()}`,
    `From the address: ${origin.ip === '' ? 'unknown' : untrusted(origin.ip)}`,
    `Device, as it described itself: ${origin.userAgent ? untrusted(origin.userAgent) : 'unknown'}`,
    '',
    action,
  ]);
}

/** The usual advice: `lead`, then the page that resets the password. */
const resetAt = (appUrl: string, lead = 'If this was not you, someone has your password: reset it now') =>
  `${lead}: ${appUrl}/forgot (a reset signs out every session).`;

/** To the address an account is leaving, when the change is asked for (the code goes to the new one). */
export function emailChangeRequested(to: Recipient, newEmail: string, origin: Origin, appUrl: string): MailMessage {
  return notice(
    to,
    'Your e-mail address is being changed',
    [
      `Someone signed in to your account, with its password, asked to change its e-mail address to ${newEmail}.`,
      "The change happens once the code sent to that address is used; until then this address stays the account's.",
    ],
    origin,
    resetAt(appUrl),
  );
}

/** To the address an account has left, once the change is confirmed. */
export function emailChanged(to: Recipient, newEmail: string, origin: Origin, appUrl: string): MailMessage {
  return notice(
    to,
    'Your e-mail address was changed',
    [`Your account's e-mail address was changed to ${newEmail}, with the code sent there. This address no longer receives its mail.`],
    origin,
    // A reset now goes to the new address: this mailbox alone cannot take the account back.
    resetAt(
      appUrl,
      'If this was not you, contact support at once (someone has your password and that mailbox, where resets now go); the reset page',
    ),
  );
}

/** `how`: changed while signed in with the old password, or reset with a link sent to this address. */
export function passwordChanged(to: Recipient, how: 'change' | 'reset', origin: Origin, appUrl: string): MailMessage {
  return notice(
    to,
    'Your password was changed',
    [
      how === 'change'
        ? 'The password of your account was changed by a signed-in session; its other sessions were signed out.'
        : 'The password of your account was reset with a link sent to this address; every session was signed out.',
    ],
    origin,
    resetAt(appUrl, 'If this was not you, someone has your password or your mailbox: secure the mailbox, then reset the password'),
  );
}

export function secondFactorEnabled(to: Recipient, origin: Origin, appUrl: string): MailMessage {
  return notice(
    to,
    'Two-step verification was turned on',
    ['Signing in to your account now needs a code from an authenticator app (or a recovery code) after the password.'],
    origin,
    resetAt(appUrl, 'If this was not you, someone has your password and may lock you out: reset it now'),
  );
}

export function secondFactorRemoved(to: Recipient, withRecoveryCode: boolean, origin: Origin, appUrl: string): MailMessage {
  return notice(
    to,
    'Two-step verification was turned off',
    [
      `Signing in to your account needs only the password now; the recovery codes no longer work.${withRecoveryCode ? ' A recovery code was used to turn it off.' : ''}`,
    ],
    origin,
    resetAt(appUrl),
  );
}

/** A passkey signs in alone and survives a reset: its owner is told at once, with its name as it was given. */
export function passkeyAdded(to: Recipient, name: string, origin: Origin, appUrl: string): MailMessage {
  return notice(
    to,
    'A passkey was added to your account',
    [`A passkey named ${untrusted(name)} was added to your account; it signs in without the password.`],
    origin,
    resetAt(
      appUrl,
      `If this was not you, someone has your password and a session: remove the passkey at ${appUrl}/account (a reset keeps passkeys), then reset the password`,
    ),
  );
}

export function passkeyRemoved(to: Recipient, origin: Origin, appUrl: string): MailMessage {
  return notice(
    to,
    'A passkey was removed from your account',
    ['A passkey was removed from your account, with its password and a step-up; it no longer signs in.'],
    origin,
    resetAt(appUrl),
  );
}

export function recoveryCodeUsed(to: Recipient, left: number, origin: Origin, appUrl: string): MailMessage {
  return notice(
    to,
    'A recovery code was used to sign in',
    [`One of your recovery codes was used to sign in to your account; ${left} of them ${left === 1 ? 'is' : 'are'} left.`],
    origin,
    resetAt(appUrl),
  );
}

/** The attempt that took the account's wrong codes over RATE_LIMIT_MFA (once a window). */
export function secondFactorLimitReached(to: Recipient, origin: Origin, appUrl: string): MailMessage {
  return notice(
    to,
    'Wrong two-step verification codes on your account',
    ['Someone who knows your password sent too many wrong codes for your account; codes are refused for a while.'],
    origin,
    resetAt(appUrl),
  );
}

/** The attempt that took them over RATE_LIMIT_MFA_DAY: the second step is locked until a reset. */
export function secondFactorLocked(to: Recipient, origin: Origin, appUrl: string): MailMessage {
  return notice(
    to,
    'Two-step verification is locked on your account',
    [
      'Someone who knows your password sent too many wrong codes for your account over the last day.',
      'Signing in is refused, right code or not, until the password is reset from this address.',
    ],
    origin,
    resetAt(appUrl, 'Reset the password to sign in again (whoever sent the codes has it)'),
  );
}

/**
 * An administrator removed the account's second factor or passkeys (asked to
 * by someone who lost a device). Not `notice`: the address and device are the
 * administrator's, which the account's holder has no use for.
 */
export function removedByAdmin(to: Recipient, removed: 'mfa' | { passkeys: number }, at: Date, appUrl: string): MailMessage {
  const what =
    removed === 'mfa'
      ? 'removed the two-step verification of your account: signing in needs only the password now, and the recovery codes no longer work.'
      : `removed ${removed.passkeys === 1 ? 'a passkey' : `${removed.passkeys} passkeys`} from your account: ${removed.passkeys === 1 ? 'it no longer signs' : 'they no longer sign'} you in.`;
  return message(
    to,
    removed === 'mfa' ? 'Two-step verification was removed by an administrator' : 'Passkeys were removed by an administrator',
    [
      `An administrator ${what} Every session of the account was signed out.`,
      `When: ${at.toISOString()}`,
      '',
      `Sign in again and set it up anew on your account page: ${appUrl}/account.`,
      resetAt(appUrl, 'If you did not ask for this, someone may be trying to take your account: reset your password now'),
    ],
  );
}

/** How an identity came to be linked: from the account page, or by the proven mailbox the provider verified. */
export type LinkedBy = 'account_page' | 'proven_mailbox';

/** An identity at another provider now signs in to the account (not sent for the first identity of an account a provider made). */
export function identityLinked(to: Recipient, provider: string, how: LinkedBy, origin: Origin, appUrl: string): MailMessage {
  return notice(
    to,
    `${provider} was linked to your account`,
    [
      how === 'account_page'
        ? `A sign-in at ${provider} was linked to your account from its account page, with its password: it now signs you in here too.`
        : `Someone signed in at ${provider} with this e-mail address, which ${provider} says is verified; that sign-in is now linked to your account and signs in to it.`,
    ],
    origin,
    // The reset also ends the sessions the identity opened.
    `If this was not you, unlink ${provider} on your account page (${appUrl}/account) and ${resetAt(appUrl, 'reset your password')}`,
  );
}

/** An identity was unlinked: it signs in to the account no more. */
export function identityUnlinked(to: Recipient, provider: string, origin: Origin, appUrl: string): MailMessage {
  return notice(
    to,
    `${provider} was unlinked from your account`,
    [`Signing in at ${provider} no longer signs you in to your account.`],
    origin,
    resetAt(appUrl),
  );
}
