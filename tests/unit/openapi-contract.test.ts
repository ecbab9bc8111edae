// The OpenAPI document against the functions (same paths and methods, nothing
// more), the response checker the run ends with, and the response schemas
// against the view types the core returns.
import { readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type * as v from 'valibot';
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { CommentView, PostView } from '../../src/content/present.ts';
import type { Page } from '../../src/common/pagination.ts';
import { openApiPath } from '../../src/http/endpoint.ts';
import { openApiDocument } from '../../src/openapi/document.ts';
import type * as r from '../../src/endpoints/responses.ts';
import type { RouteHandler } from '../../src/http/route.ts';
import type { DirectoryEntry } from '../../src/users/directory.ts';
import type { AccountUserView, AuthorRef, ProfileView, UserView } from '../../src/users/present.ts';
import type { PublicProfile } from '../../src/users/public-profile.ts';
import { contractProblems, type RecordedResponse } from '../support/openapi-contract.ts';

const FUNCTIONS = fileURLToPath(new URL('../../netlify/functions/', import.meta.url));

interface FunctionModule {
  config: { path: string; schedule?: never };
  default: RouteHandler;
}

/** Every function that serves a path (a scheduled function has none). */
async function functionModules(): Promise<(readonly [string, FunctionModule])[]> {
  const files = (await readdir(FUNCTIONS)).filter((file) => file.endsWith('.ts'));
  const modules = await Promise.all(files.map(async (file) => [file, (await import(`${FUNCTIONS}${file}`)) as FunctionModule] as const));
  return modules.filter(([, module]) => module.config.schedule === undefined);
}

describe('the OpenAPI document', () => {
  it('lists every path and method the functions serve, and nothing else', async () => {
    const served: string[] = [];
    for (const [file, { config, default: handler }] of await functionModules()) {
      expect(handler.path, `${file}: route() and config.path differ`).toBe(config.path);
      served.push(...handler.methods.map((method) => `${method} ${openApiPath(config.path)}`));
    }
    const documented = Object.entries(openApiDocument().paths).flatMap(([path, operations]) =>
      Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(documented.sort()).toEqual(served.sort());
  });

  it('names every operation once', () => {
    const ids = Object.values(openApiDocument().paths).flatMap((operations) => Object.values(operations).map((op) => op.operationId));
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('resolves every $ref inside itself', () => {
    const document = openApiDocument();
    const refs: string[] = [];
    const collect = (node: unknown): void => {
      if (Array.isArray(node)) node.forEach(collect);
      else if (typeof node === 'object' && node !== null) {
        for (const [key, value] of Object.entries(node)) {
          if (key === '$ref') refs.push(value as string);
          else collect(value);
        }
      }
    };
    collect(document);
    const resolve = (ref: string) =>
      ref
        .slice(2)
        .split('/')
        // biome-ignore lint/suspicious/noExplicitAny: walks a JSON document of any shape
        .reduce<any>((node, key) => node?.[key], document);
    expect(refs.length).toBeGreaterThan(100);
    expect(refs.filter((ref) => !ref.startsWith('#/components/') || resolve(ref) === undefined)).toEqual([]);
  });

  it('is built once per process', () => {
    expect(openApiDocument()).toBe(openApiDocument());
  });
});

describe('the response contract check', () => {
  const answer = (overrides: Partial<RecordedResponse>): RecordedResponse => ({
    test: 'a test',
    method: 'GET',
    route: '/api/health',
    status: 200,
    contentType: 'application/json; charset=utf-8',
    text: JSON.stringify({ status: 'ok' }),
    ...overrides,
  });
  const problems = (...records: RecordedResponse[]) => contractProblems(openApiDocument(), records);

  it('accepts documented answers, errors and bodiless ones', () => {
    expect(
      problems(
        answer({}),
        answer({ status: 503, text: JSON.stringify({ error: { code: 'service_unavailable', message: 'Down.' } }) }),
        answer({ method: 'DELETE', route: '/api/posts/:id', status: 204, contentType: null, text: '' }),
        answer({ method: 'POST', route: '/profile', status: 405, text: JSON.stringify({ message: 'Use GET on this path.' }) }),
      ),
    ).toEqual([]);
  });

  it('refuses a status the operation does not document', () => {
    expect(problems(answer({ status: 418, test: 'teapot test' }))).toEqual([
      'GET /api/health → 418 (teapot test): status not documented for this operation',
    ]);
  });

  it('refuses an operation the document does not have', () => {
    expect(problems(answer({ route: '/api/teapot' }))).toEqual(['GET /api/teapot → 200 (a test): the document has no such operation']);
  });

  it('refuses a body off its schema: an unknown field, a wrong error code, a body where none is documented', () => {
    const found = problems(
      answer({ text: JSON.stringify({ status: 'ok', passwordHash: 'x' }) }),
      answer({ status: 503, text: JSON.stringify({ error: { code: 'not_found', message: 'Gone.' } }) }),
      answer({ method: 'DELETE', route: '/api/posts/:id', status: 204, text: '{}' }),
      answer({ contentType: 'text/html', text: '<p>ok</p>' }),
    );
    expect(found).toHaveLength(4);
    expect(found[0]).toMatch(/must NOT have additional properties/);
    expect(found[1]).toMatch(/error\/code must be equal to one of the allowed values/);
    expect(found[2]).toMatch(/documented without a body/);
    expect(found[3]).toMatch(/answered text\/html/);
  });
});

describe('the response schemas', () => {
  it('are the view types the core returns', () => {
    expectTypeOf<v.InferOutput<typeof r.userView>>().toEqualTypeOf<UserView>();
    expectTypeOf<v.InferOutput<typeof r.accountUserView>>().toEqualTypeOf<AccountUserView>();
    expectTypeOf<v.InferOutput<typeof r.profileView>>().toEqualTypeOf<ProfileView>();
    expectTypeOf<v.InferOutput<typeof r.authorRef>>().toEqualTypeOf<AuthorRef>();
    expectTypeOf<v.InferOutput<typeof r.directoryEntry>>().toEqualTypeOf<DirectoryEntry>();
    expectTypeOf<v.InferOutput<typeof r.postView>>().toEqualTypeOf<PostView>();
    expectTypeOf<v.InferOutput<typeof r.commentView>>().toEqualTypeOf<CommentView>();
    expectTypeOf<v.InferOutput<typeof r.postPage>>().toEqualTypeOf<Page<PostView>>();
    // PublicProfile types its user as UserView, whose e-mail the public page never carries.
    expectTypeOf<v.InferOutput<typeof r.publicProfile>>().toExtend<PublicProfile>();
  });
});
