// An endpoint's declaration: its path and, for each method, what it takes and
// answers. Declared once per function (src/endpoints/<function>.ts); the
// function's route() serves it and the OpenAPI document describes it from
// the same object, so the two cannot drift apart.
import type * as v from 'valibot';
import type { paginationSchema } from '../common/pagination.ts';

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** `api` answers `{error: {code, message, details}}`; `classic` answers `{message}`. */
export type ErrorStyle = 'api' | 'classic';

export type HeaderName = 'Set-Cookie' | 'Location' | 'ETag' | 'Cache-Control' | 'Link';

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
  /** SQL statements on the success path, as the function's header comment states (`npm run bench` counts them). */
  statements: number;
  /** A live session: Bearer token or cookie on /api, the cookie on the classic routes. */
  auth?: boolean;
  params?: Record<string, v.GenericSchema>;
  query?: typeof paginationSchema;
  body?: v.GenericSchema;
  answers: Answer[];
  /** Error statuses of this operation beyond those every route of its kind shares (see src/openapi/document.ts). */
  errors?: number[];
  /** False for the routes that never reach the database (no 503). */
  database?: false;
}

export interface Endpoint {
  /** As the function's `config.path` writes it: `/api/posts/:id`. */
  readonly path: string;
  /** `/api/*` and `/.well-known/*` are the JSON API, every other path a classic route (`{message}` errors). */
  readonly style: ErrorStyle;
  readonly operations: Readonly<Partial<Record<Method, Operation>>>;
}

/** Declares an endpoint: `endpoint('/api/posts', { GET: {...}, POST: {...} })`. */
export function endpoint(path: string, operations: Partial<Record<Method, Operation>>): Endpoint {
  return { path, style: /^\/(?:api|\.well-known)\//.test(path) ? 'api' : 'classic', operations };
}

/** `/api/posts/:id` -> `/api/posts/{id}`, as the OpenAPI document and the README write paths. */
export const openApiPath = (path: string) => path.replace(/:(\w+)/g, '{$1}');
