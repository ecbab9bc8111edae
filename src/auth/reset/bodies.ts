// The password-reset bodies; the password policy is added where they are
// parsed (reset.ts), as an async check of the whole body.
import * as v from 'valibot';
import { closedObject } from '../../common/field-rules.ts';
import { emailSchema } from '../accounts/email.ts';
import { secretSchema } from '../codes/tokens.ts';
import { newPassword } from '../passwords/rules.ts';

export const resetFields = closedObject({ token: secretSchema, password: newPassword });

/** The classic form: any token text (one that matches nothing is the same 404 as a used one). */
export const emailResetFields = closedObject({
  email: emailSchema,
  reset_token: v.pipe(v.string('must be a string'), v.minLength(1, 'must not be empty')),
  new_password: newPassword,
});
