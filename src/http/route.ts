// Turns a function's declared endpoint and its method handlers into a Netlify
// Functions v2 handler: path parameters, 405 with Allow, every error rendered
// here, in one place, without internals, and each request's log lines (src/log).
import type { Context } from '@netlify/functions';
import { HttpError, serviceUnavailable, type ErrorCode, type ErrorDetails } from '../common/errors.ts';
import { ConfigError, setting } from '../config/settings.ts';
import { isDatabaseUnavailable } from '../db/errors.ts';
import { inRequestScope, log, requestIdOf } from '../log/log.ts';
import { detailsMessage } from './classic.ts';
import { finishResponse } from './edge-headers.ts';
import type { Endpoint, ErrorStyle, Method } from './endpoint.ts';
import { json } from './respond.ts';

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

/** A function's handler, with the route it serves (read by the OpenAPI contract tests). */
export interface RouteHandler {
  (req: Request, context: Context): Promise<Response>;
  readonly path: string;
  readonly methods: readonly Method[];
}

export type Handlers = Partial<Record<Method, Handler>>;

/**
 * A function's handler for its declared endpoint. Netlify reads `config.path`
 * from the function's source, so it stays a literal there; a path or a method
 * that differs from the declaration fails when the module loads.
 */
export function route(config: { path: string }, declared: Endpoint, handlers: Handlers): RouteHandler {
  if (config.path !== declared.path) throw new Error(`config.path ${config.path} is not the declared ${declared.path}`);
  const served = Object.keys(handlers).sort().join(', ');
  const listed = Object.keys(declared.operations).sort().join(', ');
  if (served !== listed) throw new Error(`${declared.path} serves ${served} but declares ${listed}`);
  return handlerFor(declared.path, handlers, declared.style);
}

/** The handler of `path` answering with these handlers (route() for a declared endpoint; ad-hoc routes in tests). */
export function handlerFor(path: string, handlers: Handlers, style: ErrorStyle = 'api'): RouteHandler {
  const matchPath = compilePath(path);
  const methods = Object.keys(handlers) as Method[];
  const allow = methods.join(', ');

  const handler = (req: Request, context: Context): Promise<Response> =>
    serve(req, context, path, style, async (waitUntil) => {
      // HEAD is answered as GET, without the body (finishResponse drops it).
      const handler = handlers[(req.method === 'HEAD' ? 'GET' : req.method) as Method];
      if (handler === undefined) {
        if (req.method === 'OPTIONS') return new Response(null, { status: 204, headers: { Allow: allow } });
        throw new HttpError('method_not_allowed', `Use ${allow} on this path.`, { headers: { Allow: allow } });
      }
      const params = matchPath(new URL(req.url).pathname) ?? context?.params ?? {};
      return await handler(req, { params, ip: context?.ip ?? '', waitUntil });
    });
  return Object.assign(handler, { path, methods });
}

/** A handler that answers every request of `path` with `error` and serves no method of its own (the /api/* catch-all). */
export function alwaysError(path: string, error: HttpError): RouteHandler {
  const handler = (req: Request, context: Context): Promise<Response> =>
    serve(req, context, path, 'api', () => {
      throw error;
    });
  return Object.assign(handler, { path, methods: [] });
}

/** A scheduled function (no path): its lines in one scope named `name`, its `request` line, and 204 once `run` is done. */
export function scheduled(name: string, run: () => Promise<void>): (req?: Request, context?: Context) => Promise<Response> {
  return (req = new Request(`http://localhost/.netlify/functions/${name}`, { method: 'POST' }), context) =>
    serve(req, context, name, 'api', async () => {
      await run();
      return new Response(null, { status: 204 });
    });
}

/**
 * Every response leaves through here: the request's log scope (its id, the
 * declared path), every error rendered, the edge headers with `X-Request-Id`,
 * and one `request` line with the status and duration.
 */
async function serve(
  req: Request,
  context: Context | undefined,
  path: string,
  style: ErrorStyle,
  answer: (waitUntil: RouteContext['waitUntil']) => Promise<Response>,
): Promise<Response> {
  const started = performance.now();
  const requestId = requestIdOf(req);
  return inRequestScope({ requestId, route: path, method: req.method }, async () => {
    const pending: Promise<unknown>[] = [];
    const waitUntil =
      typeof context?.waitUntil === 'function'
        ? (work: Promise<unknown>) => context.waitUntil(work)
        : (work: Promise<unknown>) => void pending.push(work);
    let response: Response;
    try {
      response = await answer(waitUntil);
    } catch (error) {
      response = renderError(toHttpError(error), style);
    } finally {
      await Promise.allSettled(pending);
    }
    const finished = finishResponse(req, response, style, requestId);
    const durationMs = Math.round((performance.now() - started) * 10) / 10;
    log(finished.status >= 500 ? 'error' : 'info', 'request', { status: finished.status, durationMs });
    return finished;
  });
}

/** The error as the client will see it; what the client must not see goes to the log, within limits (src/log/README.md). */
function toHttpError(error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  if (isDatabaseUnavailable(error)) {
    log('error', 'database_unavailable', {}, error);
    return serviceUnavailable(5);
  }
  log('error', error instanceof ConfigError ? 'configuration_error' : 'unhandled_error', {}, error);
  return new HttpError('internal_error');
}

function renderError(error: HttpError, style: ErrorStyle): Response {
  const body =
    style === 'api'
      ? { error: { ...errorBody(error.code, error.message, error.details), ...error.fields } }
      : { message: error.details === undefined ? error.message : detailsMessage(error.details) };
  return json(error.status, body, error.headers);
}

function errorBody(code: ErrorCode, message: string, details?: ErrorDetails) {
  return details === undefined ? { code, message } : { code, message, details };
}

/** `/api/posts/:id` -> a matcher returning `{id}` for `/api/posts/42`, or undefined. */
function compilePath(path: string): (pathname: string) => Record<string, string> | undefined {
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
  return (pathname) => {
    if (setting('netlifyDev')) {
      const requested = pathname.replace(DEV_RETRY_SUFFIX, '');
      if (requested !== pathname) return matchOwn(requested) ?? matchOwn(pathname);
    }
    return matchOwn(pathname);
  };
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
