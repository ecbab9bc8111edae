// The OpenAPI 3.1 document of both surfaces, built from the endpoint
// declarations (src/endpoints) and their valibot schemas. Built on first use and kept for the life of the
// process: importing this module costs no conversion.
import type { JsonSchema } from '@valibot/to-json-schema';
import type * as v from 'valibot';
import pkg from '../../package.json' with { type: 'json' };
import { ENDPOINTS } from '../endpoints/index.ts';
import * as r from '../endpoints/responses.ts';
import { SESSION_COOKIE } from '../http/cookies.ts';
import { openApiPath, type Answer, type ErrorStyle, type HeaderName, type Method, type Operation } from '../http/endpoint.ts';
import { COMPONENT_SCHEMAS } from './components.ts';
import { jsonSchemaDefs } from './json-schema.ts';

export type OpenApiDocument = Record<string, unknown> & {
  paths: Record<string, Record<string, OpenApiOperation>>;
  components: Record<string, Record<string, unknown>>;
};

export interface OpenApiOperation {
  operationId: string;
  /** Inline, or a `$ref` to a shared error response. */
  responses: Record<string, { $ref?: string; content?: Record<string, { schema: JsonSchema }> }>;
  [field: string]: unknown;
}

/** One method of one endpoint. */
type Declared = Operation & { method: Method; path: string; style: ErrorStyle };

const OPERATIONS: readonly Declared[] = Object.values(ENDPOINTS).flatMap((declared) =>
  Object.entries(declared.operations).map(([method, op]) => ({
    ...op,
    method: method as Method,
    path: declared.path,
    style: declared.style,
  })),
);

const ERROR_DESCRIPTIONS: Readonly<Record<number, string>> = {
  400: 'The request is malformed or breaks a rule (`details` lists every rule each field broke)',
  401: 'No valid session, or wrong credentials',
  403: 'Not allowed (on /api also: a cookie-authenticated change from another origin)',
  404: 'Not found',
  409: 'Already taken',
  410: 'The code or token has expired',
  413: 'The body is larger than 64 KiB',
  415: 'The body is not JSON or a form',
  429: 'Too many requests; retry after `Retry-After` seconds',
  500: 'Something went wrong on the service side (never with internals)',
  503: 'Temporarily unavailable; retry after `Retry-After` seconds',
};

const BODY_TYPES = ['application/json', 'application/x-www-form-urlencoded', 'multipart/form-data'];
const JSON_TYPE = 'application/json';

/** Every error status an operation can answer: those its declaration lists, and those its kind of route shares. */
function errorStatuses(op: Declared): number[] {
  const statuses = new Set(op.errors ?? []);
  if (op.body || op.params || op.query) statuses.add(400);
  if (op.body) for (const status of [413, 415]) statuses.add(status);
  if (op.auth) statuses.add(op.style === 'api' ? 401 : 403);
  // A cookie-authenticated change from another origin (src/http/caller.ts).
  if (op.auth && op.method !== 'GET') statuses.add(403);
  statuses.add(500);
  if (op.database !== false) statuses.add(503);
  return [...statuses].sort((a, b) => a - b);
}

function build(): OpenApiDocument {
  const apiErrorStatuses = new Set(OPERATIONS.filter((op) => op.style === 'api').flatMap(errorStatuses));
  const errorSchemas = Object.fromEntries([...apiErrorStatuses].map((status) => [`Error${status}`, r.apiError(status)]));
  const named = { ...COMPONENT_SCHEMAS, ...errorSchemas };
  const names = new Map(Object.entries(named).map(([name, of]) => [of, name]));
  const ref = (section: string, name: string) => ({ $ref: `#/components/${section}/${name}` });
  const schema = (of: v.GenericSchema) => {
    const name = names.get(of);
    if (name === undefined) throw new Error(`Name this schema in COMPONENT_SCHEMAS (src/openapi/components.ts): ${of.expects}`);
    return ref('schemas', name);
  };

  // Every answer carries X-Request-Id (src/http/edge-headers.ts).
  const requestId = { 'X-Request-Id': ref('headers', 'X-Request-Id') };
  const answer = ({ description, body, headers = [] }: Answer) => ({
    description,
    headers: { ...requestId, ...Object.fromEntries(headers.map((name) => [name, ref('headers', name)])) },
    ...(body && { content: { [JSON_TYPE]: { schema: schema(body) } } }),
  });

  const errorResponses: Record<string, unknown> = {};
  const errorResponse = (surface: ErrorStyle, status: number) => {
    const name = `${surface === 'api' ? 'Api' : 'Classic'}Error${status}`;
    const description = ERROR_DESCRIPTIONS[status];
    if (description === undefined) throw new Error(`Describe status ${status} in ERROR_DESCRIPTIONS`);
    errorResponses[name] ??= {
      description,
      headers: { ...requestId, ...([429, 503].includes(status) && { 'Retry-After': ref('headers', 'Retry-After') }) },
      content: { [JSON_TYPE]: { schema: ref('schemas', surface === 'api' ? `Error${status}` : 'ClassicMessage') } },
    };
    return ref('responses', name);
  };

  const operation = (op: Declared) => ({
    operationId: op.id,
    tags: [op.tag],
    summary: op.summary,
    ...(op.description && { description: op.description }),
    // Either surface takes the token as a Bearer header or as the cookie (src/http/caller.ts).
    ...(op.auth && { security: [{ bearerAuth: [] }, { sessionCookie: [] }] }),
    ...((op.params || op.query) && {
      parameters: [
        ...Object.entries(op.params ?? {}).map(([name, of]) => ({ name, in: 'path', required: true, schema: schema(of) })),
        ...Object.entries(op.query?.entries ?? {}).map(([name, of]) => ({ name, in: 'query', required: false, schema: schema(of) })),
      ],
    }),
    ...(op.body && {
      requestBody: { required: true, content: Object.fromEntries(BODY_TYPES.map((type) => [type, { schema: schema(op.body!) }])) },
    }),
    responses: {
      ...Object.fromEntries(op.answers.map((a) => [String(a.status), answer(a)])),
      ...Object.fromEntries(errorStatuses(op).map((status) => [String(status), errorResponse(op.style, status)])),
    },
  });

  const paths: Record<string, Record<string, OpenApiOperation>> = {};
  for (const op of OPERATIONS) {
    const path = openApiPath(op.path);
    paths[path] ??= {};
    paths[path][op.method.toLowerCase()] = operation(op);
  }

  const headers: Record<HeaderName | 'Retry-After' | 'X-Request-Id', { description: string; schema: JsonSchema }> = {
    'Set-Cookie': {
      description: `\`${SESSION_COOKIE}=<token>; HttpOnly; SameSite=Lax; Path=/\` (plus \`Secure\` over https), or its clearing`,
      schema: { type: 'string' },
    },
    Location: { description: 'Where to go next', schema: { type: 'string' } },
    ETag: { description: 'The version of the document', schema: { type: 'string' } },
    'Cache-Control': { description: 'How long the document may be reused', schema: { type: 'string' } },
    'Retry-After': { description: 'Seconds to wait', schema: { type: 'integer', minimum: 0 } },
    'X-Request-Id': {
      description:
        "The id of the request in the service's log lines: Netlify's `x-nf-request-id`, else a random UUID. Quote it when reporting a problem.",
      schema: { type: 'string' },
    },
    Link: {
      description: 'On a list page that has a next one: `<path?query>; rel="next"`, the same request with `cursor` set (RFC 8288)',
      schema: { type: 'string' },
    },
  };

  return {
    openapi: '3.1.0',
    info: {
      title: 'Netlify Auth Service',
      version: pkg.version,
      description:
        'Two surfaces over one Auth core: the JSON API under /api, and the classic form-and-cookie routes. ' +
        'Every request body may be JSON, a urlencoded form or a multipart form. Request schemas describe values ' +
        'as the service keeps them (a username in lower case, though any case is accepted).',
    },
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    // Relative: the site that serves the document (a deploy, or http://localhost:8888 under npm run dev).
    servers: [{ url: '/' }],
    tags: [
      { name: 'Accounts', description: 'Registration, confirmation, login, sessions and passwords' },
      { name: 'Profiles', description: 'Profiles and the public user directory' },
      { name: 'Content', description: 'Posts and comments' },
      { name: 'Classic', description: 'The classic routes: form bodies, the session_id cookie, `{message}` errors' },
      { name: 'Tokens', description: 'Access tokens other services verify with the public keys, without calling this one' },
      { name: 'Admin', description: 'Operators: users, bans, roles and service keys, for an admin at aal2 or a service key' },
      { name: 'System', description: 'Health and this document' },
    ],
    paths,
    components: {
      schemas: jsonSchemaDefs(named),
      responses: errorResponses,
      headers,
      securitySchemes: {
        bearerAuth: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: 'The session token: the `token` of POST /api/login, the value of the `session_id` cookie (never an access token)',
        },
        sessionCookie: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE, description: 'The same token, as set by the login routes' },
      },
    },
  };
}

let built: OpenApiDocument | undefined;

/** The document, built once per process. */
export function openApiDocument(): OpenApiDocument {
  built ??= build();
  return built;
}
