// The admin routes' request bodies, free of database code (the OpenAPI
// document carries them without the operations).
import * as v from 'valibot';
import { closedObject, trimmedText } from '../../common/field-rules.ts';
import { idSchema } from '../../common/ids.ts';
import { now } from '../../config/clock.ts';
import { stepUpCode } from '../attempts/step-up.ts';

export const banSchema = closedObject({
  reason: v.pipe(trimmedText(500), v.description('Why, for the audit trails (not shown to the user).')),
  until: v.optional(
    v.pipe(
      v.string('must be a string'),
      v.isoTimestamp('must be an ISO 8601 time'),
      v.transform((text) => new Date(text)),
      v.check((at) => at > now(), 'must be in the future'),
      v.description('When the ban ends by itself; absent: until lifted.'),
    ),
  ),
});

export const roleSchema = closedObject({ role: v.picklist(['user', 'admin'], 'must be user or admin') });

export const serviceKeySchema = closedObject({
  name: v.pipe(trimmedText(100), v.description('Which backend holds it.')),
  scopes: v.pipe(
    v.array(v.picklist(['users:read', 'users:write'], 'must be users:read or users:write'), 'must be a list of scopes'),
    v.minLength(1, 'must name at least one scope'),
    v.maxLength(2, 'must name each scope at most once'),
  ),
});

/** Removing a user's factors: the admin's own code (403 step_up_required without it). */
export const adminStepUpSchema = closedObject({ code: stepUpCode });

/** DELETE /api/admin/users/{id}/passkeys: the admin's code, and one passkey's id or (absent) every passkey. */
export const passkeysRemovalSchema = closedObject({
  code: stepUpCode,
  passkeyId: v.optional(
    v.pipe(
      // A number in JSON, digits in a form: either is read as a path id is.
      v.union([v.number(), v.string()], 'must be a positive integer'),
      v.transform(String),
      idSchema,
      v.description("One passkey's id (from the user's detail); absent: every passkey of the user."),
    ),
  ),
});
