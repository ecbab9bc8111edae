// GET /api/openapi.json, served by netlify/functions/openapi.ts.
import { endpoint } from '../http/endpoint.ts';
import * as r from './responses.ts';

export const openapi = endpoint(
  '/api/openapi.json',
  {
    GET: {
      id: 'getOpenApi',
      tag: 'System',
      summary: 'This document',
      statements: 0,
      description: 'Cacheable; send `If-None-Match` with the ETag to revalidate.',
      answers: r.cacheable('The OpenAPI document', r.openApiDocument),
      database: false,
    },
  },
  { public: true },
);
