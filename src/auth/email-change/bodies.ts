// The body of POST /api/me/email: the new address, and the password proving the
// owner (with a code of the second factor, on an account that has one).
import * as v from 'valibot';
import { emailSchema } from '../accounts/email.ts';
import { guardedBody } from '../attempts/step-up.ts';

export const emailChangeSchema = guardedBody({ email: emailSchema, password: v.string('must be a string') });

export type EmailChange = v.InferOutput<typeof emailChangeSchema>;
