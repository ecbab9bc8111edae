// The password rules that need no list: the length bounds, the new-password
// field of every body that sets one, and the password-change body. The rules
// that read the common-password list are in policy.ts, so only the functions
// that check a new password carry the list.
import * as v from 'valibot';
import { closedObject } from '../../common/field-rules.ts';

export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 128;
/** From this length on, a password needs no mix of character classes. */
export const PASSPHRASE_LENGTH = 20;

/** Length in code points, as a person counts characters (an emoji is one). */
export function passwordLength(password: string): number {
  let length = 0;
  for (const _ of password) length += 1;
  return length;
}

/** Refused before any hashing, on every route: an unbounded input would cost unbounded CPU. */
export function isOverlong(password: string): boolean {
  // Cheap pre-check: fewer UTF-16 units than the limit cannot be more code points.
  return password.length > PASSWORD_MAX_LENGTH && passwordLength(password) > PASSWORD_MAX_LENGTH;
}

/** Any string passes here: the policy reports every rule it breaks at once. The metadata only informs the document. */
export const newPassword = v.pipe(
  v.string('must be a string'),
  v.metadata({ minLength: PASSWORD_MIN_LENGTH, maxLength: PASSWORD_MAX_LENGTH }),
  v.description(
    `${PASSWORD_MIN_LENGTH}-${PASSWORD_MAX_LENGTH} characters; not one of the most common passwords; not containing ` +
      'the username or the part of the e-mail address before the @; at least 3 of lower-case letters, upper-case ' +
      `letters, digits and symbols unless it is ${PASSPHRASE_LENGTH} characters or longer. Every broken rule is listed.`,
  ),
);

/** The current password is checked against the stored hash, not against rules. */
export const passwordChangeSchema = closedObject({ currentPassword: v.string('must be a string'), newPassword });

/** `{password}`: the account's password, proving it is its owner (DELETE /api/me). */
export const passwordProofSchema = closedObject({ password: v.string('must be a string') });
