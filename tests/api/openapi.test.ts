import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { Validator } from '@seriousme/openapi-schema-validator';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import login from '../../netlify/functions/login.ts';
import handler from '../../netlify/functions/openapi.ts';
import { openApiDocument } from '../../src/openapi/document.ts';
import { call } from '../support/call.ts';
import { createUser, uniqueIp } from '../support/users.ts';

/** The document's schemas as a strict JSON Schema 2020-12 validator reads them (ajv, strict, with formats). */
function strictValidator() {
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  addFormats.default(ajv);
  ajv.addKeyword({ keyword: 'components' });
  ajv.addSchema({ $id: 'openapi.json', components: openApiDocument().components });
  return (name: string) => ajv.compile({ $ref: `openapi.json#/components/schemas/${name}` });
}

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
    expect(res.headers.get('allow')).toBe('GET, HEAD, OPTIONS');
  });
});

/** Every Schema Object of the document, with where it is: components and each `schema` of a parameter, header or body. */
function schemaObjects(node: unknown, at = '#'): { at: string; schema: object }[] {
  if (typeof node !== 'object' || node === null) return [];
  return Object.entries(node).flatMap(([key, value]) => {
    const path = `${at}/${key}`;
    if (key === 'schema' && typeof value === 'object') return [{ at: path, schema: value as object }];
    if (key === 'schemas' && at === '#/components')
      return Object.entries(value as object).map(([name, schema]) => ({ at: `${path}/${name}`, schema }));
    return schemaObjects(value, path);
  });
}

describe('the document, as strict OpenAPI 3.1 validators read it', () => {
  it("matches the OpenAPI 3.1 schema, and every Schema Object in it JSON Schema 2020-12's meta-schema", async () => {
    const document = JSON.parse(JSON.stringify(openApiDocument()));
    const structure = await new Validator().validate(document);
    expect(structure.errors ?? []).toEqual([]);
    expect(structure.valid).toBe(true);
    // The OpenAPI schema leaves Schema Objects open; a strict validator (openapi-spec-validator)
    // also checks each against the dialect's meta-schema, which refuses e.g. an empty prefixItems.
    const ajv = new Ajv2020();
    const found = schemaObjects(document);
    expect(found.length).toBeGreaterThan(Object.keys(document.components.schemas).length);
    const invalid = found.filter(({ schema }) => !ajv.validateSchema(schema)).map(({ at }) => `${at}: ${ajv.errorsText()}`);
    expect(invalid).toEqual([]);
  });
});

describe('the schemas, as strict validators and the service read them', () => {
  it('compile, every one, in ajv strict mode (unknown keywords, required fields without a schema, loose types refused)', () => {
    const compile = strictValidator();
    for (const name of Object.keys(openApiDocument().components.schemas!)) expect(() => compile(name), name).not.toThrow();
  });

  it('Login: the service accepts a body exactly when the schema does (both identifiers, neither, lengths, types)', async () => {
    const valid = strictValidator()('Login');
    const { user, password } = await createUser();
    const identifier = fc.constantFrom(
      user.username,
      user.email,
      '',
      'a',
      'x'.repeat(254),
      'x'.repeat(255),
      '😀'.repeat(254),
      '😀'.repeat(255),
      7,
      null,
    );
    const body = fc.record(
      { username: identifier, email: identifier, password: fc.constantFrom(password, '', 'wrong', 12345), extra: fc.constant('x') },
      { requiredKeys: [] },
    );
    const examples: [Record<string, unknown>][] = [
      [{ username: user.username, email: user.email, password }],
      [{ password }],
      [{ username: user.username, password }],
      [{ email: user.email, password }],
      [{ username: 'x'.repeat(255), password }],
      [{ email: '😀'.repeat(254), password }],
    ];
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(body, async (json) => {
        const res = await call(login, 'POST', '/api/login', { json, ip: uniqueIp() });
        // A body the schema refuses is a 400; any other answer (200, 401 unknown name or wrong password) accepted it.
        expect(res.status === 400, JSON.stringify(json)).toBe(!valid(json));
        if (res.status === 400) refused += 1;
      }),
      { numRuns: 60, examples },
    );
    expect(refused).toBeGreaterThan(0);
  });

  it('declare the Bearer token and the cookie on the classic routes too', () => {
    const { paths } = openApiDocument();
    expect(paths['/profile']!.get!.security).toEqual([{ bearerAuth: [] }, { sessionCookie: [] }]);
    expect(paths['/api/me']!.get!.security).toEqual([{ bearerAuth: [] }, { sessionCookie: [] }]);
  });

  it('state dates, text and the one-of-two identifiers where JSON Schema can', () => {
    const valid = strictValidator();
    const patch = valid('ProfilePatch');
    expect(patch({ birthday: '1990-04-12' })).toBe(true);
    expect(patch({ birthday: '1990-02-30' })).toBe(false);
    const post = valid('NewPost');
    for (const title of ['   ', 'a\u0000b', 'a\ud800']) expect(post({ title, body: 'text' }), JSON.stringify(title)).toBe(false);
    expect(post({ title: '😀', body: 'text' })).toBe(true);
    expect(valid('TotpConfirmation')({ code: '12345' })).toBe(false);
  });
});

describe('npm run openapi', () => {
  it('writes the same document to standard output with -', async () => {
    const root = fileURLToPath(new URL('../../', import.meta.url));
    const { stdout } = await promisify(execFile)(`${root}node_modules/.bin/tsx`, ['src/cli/openapi.ts', '-'], { cwd: root });
    expect(JSON.parse(stdout)).toEqual(openApiDocument());
  });
});
