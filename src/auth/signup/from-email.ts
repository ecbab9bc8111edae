// Registration from an e-mail address and a password alone (the classic
// POST /users): the account is confirmed at once and gets a username derived
// from the e-mail, so it can also log in on /api/login by that name.
import { HttpError } from '../../common/errors.ts';
import type { UserRow } from '../../db/schema.ts';
import { consume } from '../../rate-limit/counter.ts';
import { checks } from '../../rate-limit/limits.ts';
import { freeUsername, usernameStem } from '../../users/username-from-email.ts';
import type { Client } from '../base/requester.ts';
import { accountContext, passwordRules } from '../passwords/policy.ts';
import type { PasswordContext } from '../passwords/problems.ts';
import { registerUser } from './registration.ts';

/** The username is not known before the lookup; its stem is, and every candidate starts with it. */
const withDerivedUsername = (input: Record<string, unknown>): PasswordContext => {
  const { email } = accountContext(input);
  return { email, username: email?.includes('@') ? usernameStem(email) : undefined };
};

/** The password policy of a body of emailSignUpFields: its username is the one the e-mail will give. */
export const emailSignUpPolicy = passwordRules<EmailSignUp>('password', withDerivedUsername);

export interface EmailSignUp {
  email: string;
  password: string;
}

/** Another registration may take the chosen name between the lookup and the INSERT. */
const ATTEMPTS = 3;

/**
 * A body parsed with emailSignUpFields and emailSignUpPolicy (every rule
 * checked, the breached-password check included: 400, counting nothing): the
 * per-address registration limit (1 statement), a free derived username (1),
 * the confirmed account with its profile (1). A registered e-mail is 409 email_taken.
 */
export async function signUpWithEmail({ email, password }: EmailSignUp, client: Client): Promise<UserRow> {
  await consume([checks.registerIp(client.ip)]);
  for (let attempt = 1; ; attempt++) {
    const username = await freeUsername(email);
    try {
      return (await registerUser({ username, email, password }, { confirmed: true, breachChecked: true })).user;
    } catch (error) {
      if (!(attempt < ATTEMPTS && error instanceof HttpError && error.code === 'username_taken')) throw error;
    }
  }
}
