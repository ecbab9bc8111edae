// DELETE /api/admin/service-keys/{id}, served by netlify/functions/admin-service-keys-id.ts.
import { endpoint } from '../http/endpoint.ts';
import { KEYS_AUTH } from './admin-responses.ts';
import * as r from './responses.ts';

export const adminServiceKeysId = endpoint('/api/admin/service-keys/:id', {
  DELETE: {
    id: 'adminRevokeServiceKey',
    tag: 'Admin',
    summary: 'Revoke a service key: its next request is a 401',
    description: KEYS_AUTH,
    statements: 1,
    auth: true,
    params: r.idParam,
    answers: [r.noContent('Revoked (or already)')],
    errors: [403, 404],
  },
});
