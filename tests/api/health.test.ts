import { afterEach, describe, expect, it } from 'vitest';
import health from '../../netlify/functions/health.ts';
import root from '../../netlify/functions/root.ts';
import { closeDb } from '../../src/db/connection.ts';
import { freePort } from '../../src/db/embedded.ts';
import { call } from '../support/call.ts';
import { envPerTest } from '../support/env.ts';

describe('GET /api/health', () => {
  it('answers ok after a database round trip', async () => {
    const res = await call(health, 'GET', '/api/health');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(res.body).toEqual({ status: 'ok' });
  });

  it.each(['POST', 'PUT', 'PATCH', 'DELETE'])('refuses %s with 405 and Allow', async (method) => {
    const res = await call(health, method, '/api/health');
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, HEAD, OPTIONS');
    expect(res.body.error.code).toBe('method_not_allowed');
  });

  describe('with the database unreachable', () => {
    const env = envPerTest();
    afterEach(() => closeDb());

    it('answers 503 with a generic body', async () => {
      env({ DATABASE_URL: `postgres://app:s3cret-password@127.0.0.1:${await freePort()}/nowhere` });
      await closeDb();
      const res = await call(health, 'GET', '/api/health');
      expect(res.status).toBe(503);
      expect(res.body).toEqual({ error: { code: 'service_unavailable', message: 'The database is not reachable.' } });
      expect(res.text).not.toMatch(/s3cret|ECONNREFUSED|127\.0\.0\.1|at /);
    });

    it('answers 503 when DATABASE_URL is malformed', async () => {
      env({ DATABASE_URL: 'not-a-url' });
      await closeDb();
      const res = await call(health, 'GET', '/api/health');
      expect(res.status).toBe(503);
      expect(res.text).not.toMatch(/DATABASE_URL/);
    });
  });
});

describe('GET /', () => {
  it('welcomes', async () => {
    const res = await call(root, 'GET', '/');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ message: 'Bienvenue' });
  });

  it('refuses other methods with 405, Allow and a classic body', async () => {
    const res = await call(root, 'POST', '/');
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, HEAD, OPTIONS');
    expect(res.body).toEqual({ message: 'Use GET on this path.' });
  });
});
