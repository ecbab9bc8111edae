import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import handler from '../../netlify/functions/openapi.ts';
import { openApiDocument } from '../../src/openapi/document.ts';
import { call } from '../support/call.ts';

describe('GET /api/openapi.json', () => {
  it('answers the document, cacheable, with an ETag', async () => {
    const res = await call(handler, 'GET', '/api/openapi.json');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(res.headers.get('cache-control')).toMatch(/^public, max-age=\d+$/);
    expect(res.headers.get('etag')).toMatch(/^"[\w-]+"$/);
    expect(res.body).toEqual(openApiDocument());
    expect(res.body.openapi).toBe('3.1.0');
  });

  it('answers 304 without a body to a client holding the current ETag, weak or in a list', async () => {
    const etag = (await call(handler, 'GET', '/api/openapi.json')).headers.get('etag')!;
    for (const ifNoneMatch of [etag, `W/${etag}`, `"other", ${etag}`, '*']) {
      const res = await call(handler, 'GET', '/api/openapi.json', { headers: { 'if-none-match': ifNoneMatch } });
      expect(res.status).toBe(304);
      expect(res.text).toBe('');
      expect(res.headers.get('etag')).toBe(etag);
    }
  });

  it('answers the document again to a stale ETag', async () => {
    const res = await call(handler, 'GET', '/api/openapi.json', { headers: { 'if-none-match': '"stale"' } });
    expect(res.status).toBe(200);
    expect(res.body.paths['/api/login'].post.operationId).toBe('login');
  });

  it('answers 405 to other methods', async () => {
    const res = await call(handler, 'POST', '/api/openapi.json');
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET');
  });
});

describe('npm run openapi', () => {
  it('writes the same document to standard output with -', async () => {
    const root = fileURLToPath(new URL('../../', import.meta.url));
    const { stdout } = await promisify(execFile)(`${root}node_modules/.bin/tsx`, ['src/cli/openapi.ts', '-'], { cwd: root });
    expect(JSON.parse(stdout)).toEqual(openApiDocument());
  });
});
