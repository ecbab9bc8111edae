// An endpoint's declaration: its path and, for each method, what it takes and
// answers. Declared once per function (src/endpoints/<function>.ts); the
// function's route() parses every request with its schemas and the OpenAPI
// document describes it from the same object, so the two cannot drift apart.
import type * as v from 'valibot';
import type { CorsPolicy } from './cors.ts';
import type { ListQuerySchema } from './params.ts';

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** `api` answers `{error: {code, message, details}}`; `classic` answers `{message}`. */
export type ErrorStyle = 'api' | 'classic';

export type HeaderName = 'Set-Cookie' | 'Location' | 'ETag' | 'Cache-Control' | 'Link' | 'Retry-After';

export interface Answer {
  status: number;
  description: string;
  /** No body when absent. */
  body?: v.GenericSchema;
  headers?: HeaderName[];
}

export interface Operation {
  /** The OpenAPI operationId. */
  id: string;
  tag: string;
  summary: string;
  description?: string;
  /**
   * SQL statements on the success path: the one place the number is written
   * (tests/api/declared-statements.test.ts and `npm run bench` count them against it).
   */
  statements: number;
  /** A live session: Bearer token or cookie on /api, the cookie on the classic routes. */
  auth?: boolean;
  /** Each path parameter's schema, by name: route() parses them and a failure is a 400 naming the parameter. */
  params?: Record<string, v.GenericSchema>;
  /** route() parses the query string with it and hands the handler a Pagination (with the filters it declares besides). */
  query?: ListQuerySchema;
  /** The body route() parses (JSON, urlencoded or multipart; src/http/body.ts) and hands the handler. */
  body?: v.GenericSchema;
  /**
   * A JSON body is parsed with this instead of `body` (JSON can send null where
   * a form cannot); it must give what `body` gives. The document shows `body`.
   */
  jsonBody?: v.GenericSchema;
  answers: Answer[];
  /** Error statuses of this operation beyond those every route of its kind shares (see src/openapi/document.ts). */
  errors?: number[];
  /** False for the routes that never reach the database (no 503). */
  database?: false;
}

export type Operations = Partial<Record<Method, Operation>>;

/** Its type keeps each operation's schemas, so that route() types each handler's input from them. */
export interface Endpoint<Ops extends Operations = Operations> {
  /** As the function's `config.path` writes it: `/api/posts/:id`. */
  readonly path: string;
  /** `/api/*` and `/.well-known/*` are the JSON API, every other path a classic route (`{message}` errors). */
  readonly style: ErrorStyle;
  /** Which origins may read its answers (src/http/cors.ts): any for a public document, the trusted ones on the JSON API. */
  readonly cors: CorsPolicy;
  readonly operations: Readonly<Ops>;
}

/**
 * Declares an endpoint: `endpoint('/api/posts', { GET: {...}, POST: {...} })`;
 * `{ public: true }` for a document any page may read (no credentials).
 */
export function endpoint<Ops extends Operations>(
  path: string,
  operations: Ops & JsonBodiesMatch<Ops>,
  options: { public?: true } = {},
): Endpoint<Ops> {
  const style = /^\/(?:api|\.well-known)\//.test(path) ? 'api' : 'classic';
  return { path, style, cors: options.public ? 'public' : corsOf(style), operations };
}

/** The CORS policy of a route that is no public document. */
export const corsOf = (style: ErrorStyle): CorsPolicy => (style === 'api' ? 'api' : 'none');

/** A `jsonBody` whose output is not `body`'s is a type error at the declaration. */
type JsonBodiesMatch<Ops extends Operations> = {
  [M in keyof Ops]: Ops[M] extends { body: infer B extends v.GenericSchema; jsonBody: infer J extends v.GenericSchema }
    ? [v.InferOutput<J>] extends [v.InferOutput<B>]
      ? unknown
      : { jsonBody: never }
    : unknown;
};

/** `/api/posts/:id` -> `/api/posts/{id}`, as the OpenAPI document and the README write paths. */
export const openApiPath = (path: string) => path.replace(/:(\w+)/g, '{$1}');
