// The login bodies.
import * as v from 'valibot';
import { closedObject } from '../../common/field-rules.ts';
import { EMAIL_MAX_LENGTH } from '../accounts/email.ts';

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
