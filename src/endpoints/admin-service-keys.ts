// GET and POST /api/admin/service-keys, served by netlify/functions/admin-service-keys.ts.
import { serviceKeySchema } from '../auth/admin/bodies.ts';
import { paginationSchema } from '../common/pagination.ts';
import { endpoint } from '../http/endpoint.ts';
import { KEYS_AUTH, newServiceKey, serviceKeyPage } from './admin-responses.ts';

export const adminServiceKeys = endpoint('/api/admin/service-keys', {
  GET: {
    id: 'adminListServiceKeys',
    tag: 'Admin',
    summary: 'The service keys, revoked ones too, oldest first (never their secret)',
    description: `${KEYS_AUTH} Paged by \`cursor\` (or \`page\`), without a total.`,
    statements: 1,
    auth: true,
    query: paginationSchema,
    answers: [{ status: 200, description: 'A page of keys', body: serviceKeyPage, headers: ['Link'] }],
    errors: [403],
  },
  POST: {
    id: 'adminCreateServiceKey',
    tag: 'Admin',
    summary: 'A new service key for another backend: `secret` is shown in this answer only',
    description: `${KEYS_AUTH} The backend sends \`Authorization: Bearer <secret>\` to the admin routes its scopes allow; no user route accepts it.`,
    statements: 1,
    auth: true,
    body: serviceKeySchema,
    answers: [{ status: 201, description: 'Made', body: newServiceKey }],
    errors: [403],
  },
});
