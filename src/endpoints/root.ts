// GET /, served by netlify/functions/root.ts.
import { endpoint } from '../http/endpoint.ts';
import * as r from './responses.ts';

export const root = endpoint('/', {
  GET: {
    id: 'classicWelcome',
    tag: 'Classic',
    summary: 'Welcome',
    statements: 0,
    answers: [{ status: 200, description: 'Bienvenue', body: r.classicMessage }],
    database: false,
  },
});
