// The registration bodies; the password policy is added where they are parsed
// (registration.ts, from-email.ts), as an async check of the whole body.
import { closedObject } from '../../common/field-rules.ts';
import { usernameSchema } from '../../users/username.ts';
import { emailSchema } from '../accounts/email.ts';
import { newPassword } from '../passwords/rules.ts';

export const registrationFields = closedObject({ username: usernameSchema, email: emailSchema, password: newPassword });

/** The classic POST /users: an e-mail and a password alone. */
export const emailSignUpFields = closedObject({ email: emailSchema, password: newPassword });
