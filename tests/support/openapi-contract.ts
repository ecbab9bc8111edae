// The OpenAPI contract over the whole run: every answer a deployed function
// gave a test (recorded by response-log.ts) must be listed in the document
// for its operation and status, and its body must match the documented
// schema. Checked when every test file is done; any mismatch fails the run.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { TestProject } from 'vitest/node';
import { openApiPath } from '../../src/http/endpoint.ts';
import { openApiDocument, type OpenApiDocument } from '../../src/openapi/document.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Where each test file writes the answers it received. */
    responseLogDir: string;
  }
}

export interface RecordedResponse {
  /** `<test file> > <test name>` */
  test: string;
  method: string;
  /** The function's `config.path`. */
  route: string;
  status: number;
  contentType: string | null;
  text: string;
}

const JSON_TYPE = 'application/json';

/** Validates bodies against the document's component schemas, each compiled once. */
function bodyValidator(document: OpenApiDocument): (schemaRef: string, body: unknown) => string | undefined {
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  addFormats.default(ajv);
  // The components hold every named schema; `#/components/schemas/…` references resolve inside them.
  ajv.addKeyword({ keyword: 'components' });
  ajv.addSchema({ $id: 'openapi.json', components: document.components });
  const compiled = new Map<string, ValidateFunction>();
  return (schemaRef, body) => {
    let validate = compiled.get(schemaRef);
    if (validate === undefined) {
      validate = ajv.compile({ $ref: `openapi.json${schemaRef}` });
      compiled.set(schemaRef, validate);
    }
    return validate(body) ? undefined : ajv.errorsText(validate.errors, { dataVar: 'body' });
  };
}

interface DocumentedResponse {
  $ref?: string;
  content?: Record<string, { schema: { $ref: string } }>;
}

/** The path of netlify/functions/api-not-found.ts, which the document does not list. */
const UNKNOWN_API_PATHS = '/api/*';

/** Every way `records` depart from `document`, one line each. */
export function contractProblems(document: OpenApiDocument, records: readonly RecordedResponse[]): string[] {
  const validate = bodyValidator(document);
  const problems: string[] = [];
  for (const record of records) {
    const { test, method, route, status } = record;
    const where = `${method} ${openApiPath(route)} → ${status} (${test})`;
    if (route === UNKNOWN_API_PATHS) {
      const body = method === 'HEAD' ? '' : '"code":"not_found"';
      if (status !== 404 || !record.text.includes(body)) problems.push(`${where}: the catch-all answers only 404 not_found`);
      continue;
    }
    // HEAD is answered as GET, without the body.
    const head = method === 'HEAD';
    const operation = document.paths[openApiPath(route)]?.[head ? 'get' : method.toLowerCase()];
    if (operation === undefined) {
      // route() answers a method its function does not serve with 405 (204 for OPTIONS); the route test pins the methods.
      if (status !== 405 && method !== 'OPTIONS') problems.push(`${where}: the document has no such operation`);
      continue;
    }
    let response = operation.responses[String(status)] as DocumentedResponse | undefined;
    if (response?.$ref !== undefined) response = document.components.responses?.[response.$ref.split('/').pop()!] as DocumentedResponse;
    if (response === undefined) {
      problems.push(`${where}: status not documented for this operation`);
      continue;
    }
    const schema = response.content?.[JSON_TYPE]?.schema;
    if (head) {
      if (record.text !== '') problems.push(`${where}: HEAD answered with a body`);
      continue;
    }
    if (schema === undefined) {
      if (record.text !== '') problems.push(`${where}: documented without a body, answered ${JSON.stringify(record.text.slice(0, 80))}`);
      continue;
    }
    if (record.contentType?.split(';')[0]?.trim() !== JSON_TYPE) {
      problems.push(`${where}: documented as ${JSON_TYPE}, answered ${record.contentType ?? 'without a content type'}`);
      continue;
    }
    let body: unknown;
    try {
      body = JSON.parse(record.text);
    } catch {
      problems.push(`${where}: the body is not JSON`);
      continue;
    }
    const mismatch = validate(schema.$ref, body);
    if (mismatch !== undefined) problems.push(`${where}: ${mismatch} (${schema.$ref}); got ${JSON.stringify(body).slice(0, 200)}`);
  }
  return problems;
}

export default async function setup(project: TestProject) {
  const dir = await mkdtemp(join(tmpdir(), 'auth-responses-'));
  project.provide('responseLogDir', dir);

  return async () => {
    const files = await readdir(dir);
    const perFile = await Promise.all(files.map(async (file) => JSON.parse(await readFile(join(dir, file), 'utf8')) as RecordedResponse[]));
    const records = perFile.flat();
    await rm(dir, { recursive: true, force: true });
    const problems = contractProblems(openApiDocument(), records);
    if (problems.length === 0) {
      console.log(`OpenAPI contract: the ${records.length} recorded answers match the document`);
      return;
    }
    throw new Error(
      `OpenAPI contract: ${problems.length} of ${records.length} recorded answers do not match the document ` +
        `(the declarations in src/endpoints):\n${problems.map((problem) => `  - ${problem}`).join('\n')}`,
    );
  };
}
