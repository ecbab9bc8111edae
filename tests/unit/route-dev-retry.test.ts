import { describe, expect, it } from 'vitest';
import { json } from '../../src/http/respond.ts';
import { handlerFor } from '../../src/http/route.ts';
import { call } from '../support/call.ts';
import { envPerTest } from '../support/env.ts';

// netlify dev retries a 404/403 under `.html`-style paths (see src/http/route.ts).
describe('path parameters under netlify dev retries', () => {
  const echo = handlerFor('/api/posts/:id/comments', { GET: (_req, { params }) => json(200, params) });
  const echoId = handlerFor('/api/posts/:id', { GET: (_req, { params }) => json(200, params) });
  const env = envPerTest();

  it.each(['.html', '.htm', '/index.html', '/index.htm'])('reads a %s retry as the requested path', async (suffix) => {
    env({ NETLIFY_DEV: 'true' });
    expect((await call(echo, 'GET', `/api/posts/7/comments${suffix}?page=2`)).body).toEqual({ id: '7' });
    expect((await call(echoId, 'GET', `/api/posts/7${suffix}`)).body).toEqual({ id: '7' });
  });

  it('leaves paths alone outside netlify dev', async () => {
    expect((await call(echoId, 'GET', '/api/posts/7.html')).body).toEqual({ id: '7.html' });
  });
});
