// GET /api/openapi.json, served by netlify/functions/openapi.ts.
import { endpoint } from '../http/endpoint.ts';
import * as r from './responses.ts';

export const openapi = endpoint('/api/openapi.json', {
  GET: {
    id: 'getOpenApi',
    tag: 'System',
    summary: 'This document',
    statements: 0,
    description: 'Cacheable; send `If-None-Match` with the ETag to revalidate.',
    answers: [
      { status: 200, description: 'The OpenAPI document', body: r.openApiDocument, headers: ['ETag', 'Cache-Control'] },
      { status: 304, description: 'Not modified since the ETag sent', headers: ['ETag', 'Cache-Control'] },
    ],
    database: false,
  },
});
