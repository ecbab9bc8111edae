// The login bodies.
import * as v from 'valibot';
import { closedObject, exactlyOneOf } from '../../common/field-rules.ts';
import { EMAIL_MAX_LENGTH } from '../accounts/email.ts';

// Lenient on purpose: a name that cannot exist is simply not found (401), so
// only what is not a credential at all is a 400.
const identifier = v.pipe(
  v.string('must be a string'),
  v.minLength(1, 'must not be empty'),
  // Code points, as JSON Schema's maxLength counts them, so the document states it exactly.
  v.maxCodePoints(EMAIL_MAX_LENGTH, `must be at most ${EMAIL_MAX_LENGTH} characters`),
  v.transform((text) => text.toLowerCase()),
);

const loginPassword = v.pipe(v.string('must be a string'), v.minLength(1, 'must not be empty'));

export const loginSchema = v.pipe(
  closedObject({
    username: v.optional(identifier),
    email: v.optional(identifier),
    password: loginPassword,
  }),
  exactlyOneOf('username', 'email'),
);

/** The classic routes' `{email, password}`: the same lenient rules, by e-mail only. */
export const emailLoginSchema = closedObject({ email: identifier, password: loginPassword });
