// The body of POST /api/me/email: the new address, and the password proving the
// owner (with a code of the second factor, on an account that has one).
import * as v from 'valibot';
import { closedObject } from '../../common/field-rules.ts';
import { emailSchema } from '../accounts/email.ts';
import { stepUpCode } from '../attempts/step-up.ts';

export const emailChangeSchema = closedObject({ email: emailSchema, password: v.string('must be a string'), code: stepUpCode });

export type EmailChange = v.InferOutput<typeof emailChangeSchema>;
