// The e-mail rule (the README's API reference): a valid address of at most 254 characters, stored lower-case.
import * as v from 'valibot';
import { closedObject } from '../../common/field-rules.ts';

export const EMAIL_MAX_LENGTH = 254;

export const emailSchema = v.pipe(
  v.string('must be a string'),
  v.maxLength(EMAIL_MAX_LENGTH, `must be at most ${EMAIL_MAX_LENGTH} characters`),
  v.email('must be a valid e-mail address'),
  v.transform((email) => email.toLowerCase()),
);

/** `{email}`: the body of a confirmation resend or a reset request. */
export const emailRequestSchema = closedObject({ email: emailSchema });
