// Turns a table of method handlers into a Netlify Functions v2 handler:
// path parameters, 405 with Allow, and errors rendered without internals.
import type { Context } from '@netlify/functions';
import { ConfigError } from '../config/env.ts';
import { isDatabaseUnavailable } from '../db/errors.ts';
import { detailsMessage } from './classic.ts';
import { HttpError, type ErrorCode, type ErrorDetails } from './errors.ts';
import { json } from './respond.ts';

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RouteContext {
  /** Path parameters by name, still raw: each handler validates its own. */
  params: Record<string, string>;
  /** The client address as the platform reports it (never X-Forwarded-For). */
  ip: string;
  /**
   * Work that may finish after the response (e-mail): handed to the
   * platform's `context.waitUntil`; where there is none, awaited before the
   * response is returned. The promise must handle its own errors.
   */
  waitUntil: (work: Promise<unknown>) => void;
}

export type Handler = (req: Request, ctx: RouteContext) => Promise<Response> | Response;

/** `api` answers `{error: {code, message, details}}`; `classic` answers `{message}`. */
export type ErrorStyle = 'api' | 'classic';

/** A function's handler, with the route it serves (read by the OpenAPI contract tests). */
export interface RouteHandler {
  (req: Request, context: Context): Promise<Response>;
  readonly path: string;
  readonly methods: readonly Method[];
}

export function route(path: string, handlers: Partial<Record<Method, Handler>>, style: ErrorStyle = 'api'): RouteHandler {
  const { match: matchPath, redact } = compilePath(path);
  const methods = Object.keys(handlers) as Method[];
  const allow = methods.join(', ');

  const handler = async (req: Request, context: Context): Promise<Response> => {
    const pending: Promise<unknown>[] = [];
    const waitUntil =
      typeof context?.waitUntil === 'function' ? (work: Promise<unknown>) => context.waitUntil(work) : (work: Promise<unknown>) => void pending.push(work);
    try {
      const handler = handlers[req.method as Method];
      if (handler === undefined) {
        if (req.method === 'OPTIONS') return new Response(null, { status: 204, headers: { Allow: allow } });
        throw new HttpError(405, 'method_not_allowed', `Use ${allow} on this path.`, undefined, { Allow: allow });
      }
      const params = matchPath(new URL(req.url).pathname) ?? context?.params ?? {};
      return await handler(req, { params, ip: context?.ip ?? '', waitUntil });
    } catch (error) {
      return renderError(toHttpError(error, req, redact), style);
    } finally {
      await Promise.allSettled(pending);
    }
  };
  return Object.assign(handler, { path, methods });
}

function toHttpError(error: unknown, req: Request, redact: (pathname: string) => string): HttpError {
  if (error instanceof HttpError) return error;
  const where = `${req.method} ${redact(new URL(req.url).pathname)}`;
  if (isDatabaseUnavailable(error)) {
    console.error(`[service_unavailable] ${where}: ${(error as Error).message}`);
    return new HttpError(503, 'service_unavailable', 'The service is temporarily unavailable; try again shortly.', undefined, {
      'Retry-After': '5',
    });
  }
  // Full detail goes to the function log only; the client gets a generic body.
  const kind = error instanceof ConfigError ? 'configuration_error' : 'internal_error';
  console.error(`[${kind}] ${where}`, error);
  return new HttpError(500, 'internal_error', 'Something went wrong on our side.');
}

export function renderError(error: HttpError, style: ErrorStyle): Response {
  const body =
    style === 'api'
      ? { error: errorBody(error.code, error.message, error.details) }
      : { message: error.details === undefined ? error.message : detailsMessage(error.details) };
  return json(error.status, body, error.headers);
}

function errorBody(code: ErrorCode, message: string, details?: ErrorDetails) {
  return details === undefined ? { code, message } : { code, message, details };
}

/** Path parameters that carry a secret (a confirmation code): never written to a log line. */
const SECRET_PARAMS = new Set(['code', 'token']);

/**
 * `/api/posts/:id` -> a matcher returning `{id}` for `/api/posts/42` (or
 * undefined), and `redact`, which gives a request's path for a log line:
 * the declared path (`/api/register/confirm/:code`) where a parameter is secret.
 */
function compilePath(path: string) {
  const names: string[] = [];
  const pattern = path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/:(\w+)/g, (_, name: string) => {
    names.push(name);
    return '([^/]+)';
  });
  const regex = new RegExp(`^${pattern}/?$`);
  const matchOwn = (pathname: string) => {
    const match = regex.exec(pathname);
    if (!match) return undefined;
    const params: Record<string, string> = {};
    names.forEach((name, i) => {
      params[name] = safeDecode(match[i + 1]!);
    });
    return params;
  };
  const match = (pathname: string): Record<string, string> | undefined => {
    if (process.env.NETLIFY_DEV === 'true') {
      const requested = pathname.replace(DEV_RETRY_SUFFIX, '');
      if (requested !== pathname) return matchOwn(requested) ?? matchOwn(pathname);
    }
    return matchOwn(pathname);
  };
  // A function with a secret in its path logs its declared path, whatever the request's path holds.
  const redact = names.some((name) => SECRET_PARAMS.has(name)) ? () => path : (pathname: string) => pathname;
  return { match, redact };
}

/**
 * `netlify dev` (never production) retries a function's 404 or 403 with
 * `.html`, `.htm`, `/index.html` and `/index.htm` appended, routed to the same
 * function, and sends back the last answer (netlify/cli#1442): `/api/posts/7`
 * would come back as the 400 of id `7.html`. Reading a retry as the path
 * originally requested makes it give the same answer again.
 */
const DEV_RETRY_SUFFIX = /(?:\.html?|\/index\.html?)$/;

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
