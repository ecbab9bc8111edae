// GET /api/health, served by netlify/functions/health.ts.
import { endpoint } from '../http/endpoint.ts';
import * as r from './responses.ts';

export const health = endpoint('/api/health', {
  GET: {
    id: 'health',
    tag: 'System',
    summary: 'Liveness, after a database round trip',
    statements: 1,
    answers: [{ status: 200, description: 'Up', body: r.health }],
  },
});
