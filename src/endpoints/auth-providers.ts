// GET /api/auth/providers, served by netlify/functions/auth-providers.ts.
import { endpoint } from '../http/endpoint.ts';
import * as r from './responses.ts';

export const authProviders = endpoint('/api/auth/providers', {
  GET: {
    id: 'listIdentityProviders',
    tag: 'Accounts',
    summary: 'The identity providers this deploy lets people sign in with, for the pages to draw their buttons',
    statements: 0,
    database: false,
    answers: [{ status: 200, description: 'The providers, in the configured order', body: r.providerList }],
  },
});
