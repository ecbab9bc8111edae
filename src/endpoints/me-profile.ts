// PATCH /api/me/profile, served by netlify/functions/me-profile.ts.
import { endpoint } from '../http/endpoint.ts';
import { jsonProfilePatchSchema, profilePatchSchema } from '../users/profile-rules.ts';
import * as r from './responses.ts';

export const meProfile = endpoint('/api/me/profile', {
  PATCH: {
    id: 'updateProfile',
    tag: 'Profiles',
    summary: "Change the caller's profile",
    statements: 2,
    description:
      'Absent fields stay as they are; `null` or an empty string clears one, except that in a JSON body an empty `gender` or ' +
      '`maritalStatus` is a 400 (send `null`; a form body, which cannot send null, clears them with an empty value). `{}` changes nothing.',
    auth: true,
    body: profilePatchSchema,
    jsonBody: jsonProfilePatchSchema,
    answers: [{ status: 200, description: 'The profile after the change', body: r.withProfile }],
  },
});
