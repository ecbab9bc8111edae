// The body of POST /api/me/email: the new address, and the password proving the owner.
import * as v from 'valibot';
import { closedObject } from '../../common/field-rules.ts';
import { emailSchema } from '../accounts/email.ts';

export const emailChangeSchema = closedObject({ email: emailSchema, password: v.string('must be a string') });

export type EmailChange = v.InferOutput<typeof emailChangeSchema>;
