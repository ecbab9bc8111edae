// The password schemas that need no list: the new-password field of every
// body that sets one, and the password-change body. The rules themselves are
// in problems.ts (no imports, shared with the web pages); the common-password
// list is read by policy.ts, so only the functions that check a new password carry it.
import * as v from 'valibot';
import { closedObject } from '../../common/field-rules.ts';
import { PASSPHRASE_LENGTH, PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from './problems.ts';

/** Any string passes here: the policy reports every rule it breaks at once. The metadata only informs the document. */
export const newPassword = v.pipe(
  v.string('must be a string'),
  v.metadata({ minLength: PASSWORD_MIN_LENGTH, maxLength: PASSWORD_MAX_LENGTH }),
  v.description(
    `${PASSWORD_MIN_LENGTH}-${PASSWORD_MAX_LENGTH} characters; not one of the most common passwords; not containing ` +
      'the username or the part of the e-mail address before the @; at least 3 of lower-case letters, upper-case ' +
      `letters, digits and symbols unless it is ${PASSPHRASE_LENGTH} characters or longer; then, where the service has the check on ` +
      "(every deploy by default), not in a known data breach (Have I Been Pwned's range API, sent only a 5-character prefix of " +
      "the password's SHA-1; accepted unchecked when that service does not answer in time). Every broken rule is listed.",
  ),
);

/** The current password is checked against the stored hash, not against rules. */
export const passwordChangeSchema = closedObject({ currentPassword: v.string('must be a string'), newPassword });

/** `{password}`: the account's password, proving it is its owner (DELETE /api/me). */
export const passwordProofSchema = closedObject({ password: v.string('must be a string') });
