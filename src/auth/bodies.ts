// The account request bodies, apart from the operations that use them, so
// that the OpenAPI document can describe them without the database layer or
// the common-password list entering its bundle. Operations that take a new
// password add the policy (password-policy.ts) on top, as an async check of
// the whole body.
import * as v from 'valibot';
import { closedObject } from '../shared/field-rules.ts';
import { usernameSchema } from '../users/username.ts';
import { EMAIL_MAX_LENGTH, emailSchema } from './email.ts';
import { secretSchema } from './one-time-tokens.ts';
import { PASSPHRASE_LENGTH, PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from './password-length.ts';

/** Any string passes here: the policy reports every rule it breaks at once. The metadata only informs the document. */
const newPassword = v.pipe(
  v.string('must be a string'),
  v.metadata({ minLength: PASSWORD_MIN_LENGTH, maxLength: PASSWORD_MAX_LENGTH }),
  v.description(
    `${PASSWORD_MIN_LENGTH}-${PASSWORD_MAX_LENGTH} characters; not one of the most common passwords; not containing ` +
      'the username or the part of the e-mail address before the @; at least 3 of lower-case letters, upper-case ' +
      `letters, digits and symbols unless it is ${PASSPHRASE_LENGTH} characters or longer. Every broken rule is listed.`,
  ),
);

export const registrationFields = closedObject({ username: usernameSchema, email: emailSchema, password: newPassword });

/** The current password is checked against the stored hash, not against rules. */
export const passwordChangeSchema = closedObject({ currentPassword: v.string('must be a string'), newPassword });

export const resetFields = closedObject({ token: secretSchema, password: newPassword });

/** The classic form: any token text (one that matches nothing is the same 404 as a used one). */
export const emailResetFields = closedObject({
  email: emailSchema,
  reset_token: v.pipe(v.string('must be a string'), v.minLength(1, 'must not be empty')),
  new_password: newPassword,
});

export const emailSignUpFields = closedObject({ email: emailSchema, password: newPassword });

// Lenient on purpose: a name that cannot exist is simply not found (401), so
// only what is not a credential at all is a 400.
const identifier = v.pipe(
  v.string('must be a string'),
  v.minLength(1, 'must not be empty'),
  v.maxLength(EMAIL_MAX_LENGTH, `must be at most ${EMAIL_MAX_LENGTH} characters`),
  v.transform((text) => text.toLowerCase()),
);

const loginPassword = v.pipe(v.string('must be a string'), v.minLength(1, 'must not be empty'));

export const loginSchema = v.pipe(
  closedObject({
    username: v.optional(identifier),
    email: v.optional(identifier),
    password: loginPassword,
  }),
  v.rawCheck(({ dataset, addIssue }) => {
    // Runs even when the object schema failed; only an object can miss its identifier.
    if (typeof dataset.value !== 'object' || dataset.value === null || Array.isArray(dataset.value)) return;
    const input = dataset.value as Record<string, unknown>;
    const given = ['username', 'email'].filter((key) => input[key] !== undefined);
    if (given.length === 0) addIssue({ message: 'must contain username or email' });
    if (given.length === 2) addIssue({ message: 'must contain username or email, not both' });
  }),
);

/** The classic routes' `{email, password}`: the same lenient rules, by e-mail only. */
export const emailLoginSchema = closedObject({ email: identifier, password: loginPassword });
