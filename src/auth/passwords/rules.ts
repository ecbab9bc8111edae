// The password schemas that need no list: the new-password field of every
// body that sets one, and the password-change body. The rules themselves are
// in problems.ts (no imports, shared with the web pages); the common-password
// list is read by policy.ts, so only the functions that check a new password carry it.
import * as v from 'valibot';
import { guardedBody } from '../attempts/step-up.ts';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, PASSWORD_RULES } from './problems.ts';

/** Any string passes here: the policy reports every rule it breaks at once. The metadata only informs the document. */
export const newPassword = v.pipe(
  v.string('must be a string'),
  v.metadata({ minLength: PASSWORD_MIN_LENGTH, maxLength: PASSWORD_MAX_LENGTH }),
  v.description(`${Object.values(PASSWORD_RULES).join('; ')}. Every broken rule is listed.`),
);

/** The current password is checked against the stored hash, not against rules. */
export const passwordChangeSchema = guardedBody({ currentPassword: v.string('must be a string'), newPassword });

/** `{password, code?}`: the account's password, proving it is its owner, and the second factor's code if it has one (DELETE /api/me). */
export const passwordProofSchema = guardedBody({ password: v.string('must be a string') });
