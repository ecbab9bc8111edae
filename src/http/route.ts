// Turns a function's declared endpoint and its method handlers into a Netlify
// Functions v2 handler: path parameters, query and body parsed with the
// declared schemas and handed to the handler typed, 405 with Allow, OPTIONS
// and CORS (cors.ts), every error rendered here, in one place, without
// internals, and each request's log lines (src/log).
import type { Context } from '@netlify/functions';
import * as v from 'valibot';
import { HttpError, serviceUnavailable, type ErrorCode, type ErrorDetails } from '../common/errors.ts';
import type { Pagination } from '../common/pagination.ts';
import { parse, parseAsync } from '../common/validate.ts';
import { ConfigError, setting } from '../config/settings.ts';
import { isDatabaseUnavailable, isTransactionConflict } from '../db/errors.ts';
import { inRequestScope, log, requestIdOf } from '../log/log.ts';
import { detailsMessage } from './classic.ts';
import { corsHeaders, preflightHeaders, type CorsPolicy } from './cors.ts';
import { finishResponse } from './edge-headers.ts';
import { isJsonBody, readBody } from './body.ts';
import { corsOf, type Endpoint, type ErrorStyle, type Method, type Operation, type Operations } from './endpoint.ts';
import { parsePagination, type FiltersOf, type ListQuerySchema } from './params.ts';
import { json } from './respond.ts';

/** What every handler is handed besides its input. */
export interface RouteContext {
  /** The request's URL, parsed once. */
  url: URL;
  /** The client address as the platform reports it (never X-Forwarded-For). */
  ip: string;
  /**
   * Work that may finish after the response (e-mail): handed to the
   * platform's `context.waitUntil`; where there is none, awaited before the
   * response is returned. The promise must handle its own errors.
   */
  waitUntil: (work: Promise<unknown>) => void;
}

type ParamsOf<O> = O extends { params: infer P extends Record<string, v.GenericSchema> }
  ? { readonly [K in keyof P]: v.InferOutput<P[K]> }
  : Readonly<Record<never, never>>;
type QueryOf<O> = O extends { query: infer Q extends ListQuerySchema } ? Pagination & FiltersOf<Q> : undefined;
type BodyOf<O> = O extends { body: infer B extends v.GenericSchema } ? v.InferOutput<B> : undefined;

/** A handler's input: its operation's path parameters, query and body, parsed with the declared schemas. */
export interface Input<O> extends RouteContext {
  params: ParamsOf<O>;
  query: QueryOf<O>;
  body: BodyOf<O>;
}

/** Handles one method of a declared endpoint; `first` is what `first()`'s step returned. */
export type Handler<O, F = undefined> = (req: Request, input: Input<O>, first: F) => Promise<Response> | Response;

/**
 * A check piped after the declared body that needs code the declaration must
 * not carry into every bundle that imports it (the password policy and its
 * common-password list): it adds issues to the same 400, never changes the value.
 */
export type BodyCheck<T> = v.GenericValidation<T, T> | v.GenericValidationAsync<T, T>;

/** A handler whose declared body is parsed with `check` piped after it. */
export interface CheckedHandler<O> {
  check: BodyCheck<BodyOf<O>>;
  handle: Handler<O>;
}

/** A handler that `step` precedes, before any input is read (made by `first()`). */
export interface SteppedHandler<O> {
  readonly step: (req: Request) => unknown;
  readonly next: Handler<O, never>;
}

/**
 * Runs `step` before the input is read and parsed, and hands its result to
 * `next`: the caller's session where a request without one must be a 401
 * whatever its body, a login's origin (login CSRF) before its body.
 */
export function first<F, O>(step: (req: Request) => F | Promise<F>, next: Handler<O, Awaited<F>>): SteppedHandler<O> {
  return { step, next };
}

export type MethodHandler<O> = Handler<O> | CheckedHandler<O> | SteppedHandler<O>;

/** One handler per declared method, no more, no fewer. */
export type Handlers<Ops extends Operations> = { [M in keyof Ops]: MethodHandler<NonNullable<Ops[M]>> };

/** A function's handler, with the route it serves (read by the OpenAPI contract tests). */
export interface RouteHandler {
  (req: Request, context: Context): Promise<Response>;
  readonly path: string;
  readonly methods: readonly Method[];
}

/** A handler of an ad-hoc route (handlerFor): the path parameters as they came. */
export type RawHandler = (req: Request, ctx: RouteContext & { params: Record<string, string> }) => Promise<Response> | Response;

/**
 * A function's handler for its declared endpoint. Netlify reads `config.path`
 * from the function's source, so it stays a literal there; a path or a method
 * that differs from the declaration fails when the module loads. Each request
 * has its path parameters, then its query, then its body parsed with the
 * declared schemas (after the handler's `first()` step, if it has one), every
 * broken rule in one 400, before the handler runs.
 */
export function route<Ops extends Operations>(config: { path: string }, declared: Endpoint<Ops>, handlers: Handlers<Ops>): RouteHandler {
  if (config.path !== declared.path) throw new Error(`config.path ${config.path} is not the declared ${declared.path}`);
  const served = Object.keys(handlers).sort().join(', ');
  const listed = Object.keys(declared.operations).sort().join(', ');
  if (served !== listed) throw new Error(`${declared.path} serves ${served} but declares ${listed}`);
  const answers: Partial<Record<Method, Answerer>> = {};
  for (const [method, handler] of Object.entries(handlers) as [Method, MethodHandler<Operation>][]) {
    answers[method] = answererOf(declared.operations[method]!, handler);
  }
  return serveMethods(declared.path, answers, declared.style, declared.cors);
}

/** The handler of `path` answering with these handlers, which parse their own input (ad-hoc routes in tests). */
export function handlerFor(path: string, handlers: Partial<Record<Method, RawHandler>>, style: ErrorStyle = 'api'): RouteHandler {
  const answers: Partial<Record<Method, Answerer>> = {};
  for (const [method, handler] of Object.entries(handlers) as [Method, RawHandler][]) {
    answers[method] = (req, params, url, ip, waitUntil) =>
      handler(req, {
        params,
        get url() {
          return url();
        },
        ip,
        waitUntil,
      });
  }
  return serveMethods(path, answers, style, corsOf(style));
}

/** `url` parses the request's URL on first call: a read without input never needs it. */
type Answerer = (
  req: Request,
  params: Record<string, string>,
  url: () => URL,
  ip: string,
  waitUntil: RouteContext['waitUntil'],
) => Promise<Response> | Response;

const NO_PARAMS: Readonly<Record<never, never>> = Object.freeze({});
const NO_HEADERS: Readonly<Record<string, string>> = NO_PARAMS;

/** Parses a request's input with `operation`'s schemas, then calls the handler; the parsers are made once, here. */
function answererOf(operation: Operation, handler: MethodHandler<Operation>): Answerer {
  const { step, check, handle } =
    typeof handler === 'function'
      ? { step: undefined, check: undefined, handle: handler as Handler<Operation, unknown> }
      : 'step' in handler
        ? { step: handler.step, check: undefined, handle: handler.next as Handler<Operation, unknown> }
        : { step: undefined, check: handler.check as BodyCheck<unknown>, handle: handler.handle as Handler<Operation, unknown> };
  const paramSchemas = Object.entries(operation.params ?? {});
  const query = operation.query;
  const readInput = bodyReader(operation, check);
  // Nothing to read or parse (GET /api/me and every other read without input): no extra step per request.
  if (step === undefined && paramSchemas.length === 0 && query === undefined && readInput === undefined) {
    return (req, _raw, url, ip, waitUntil) =>
      handle(
        req,
        {
          params: NO_PARAMS,
          query: undefined,
          body: undefined,
          get url() {
            return url();
          },
          ip,
          waitUntil,
        } as Input<Operation>,
        undefined,
      );
  }
  return async (req, raw, url, ip, waitUntil) => {
    const before = step === undefined ? undefined : await step(req);
    let params: Record<string, unknown> = NO_PARAMS;
    if (paramSchemas.length > 0) {
      params = {};
      for (const [name, schema] of paramSchemas) params[name] = parse(schema, raw[name], name);
    }
    const input = {
      params,
      query: query === undefined ? undefined : parsePagination(url(), query),
      body: readInput === undefined ? undefined : await readInput(req),
      url: url(),
      ip,
      waitUntil,
    } as Input<Operation>;
    return handle(req, input, before);
  };
}

/** The body's reader and parser, or undefined where the operation takes no body. */
function bodyReader(operation: Operation, check: BodyCheck<unknown> | undefined): ((req: Request) => Promise<unknown>) | undefined {
  if (operation.body === undefined) {
    if (check !== undefined) throw new Error(`${operation.id} checks a body it does not declare`);
    return undefined;
  }
  const form = check === undefined ? operation.body : v.pipeAsync(operation.body, check);
  const json = operation.jsonBody === undefined ? form : check === undefined ? operation.jsonBody : v.pipeAsync(operation.jsonBody, check);
  return async (req) => {
    const schema = json !== form && isJsonBody(req) ? json : form;
    const body = await readBody(req);
    return schema.async ? parseAsync(schema, body) : parse(schema, body);
  };
}

/** The methods a route serves, as `Allow` lists them: its own, HEAD with GET, and OPTIONS. */
const allowOf = (methods: readonly Method[]) => [...methods.flatMap((m) => (m === 'GET' ? ['GET', 'HEAD'] : [m])), 'OPTIONS'].join(', ');

/** The route of `path` with these methods: 405 with Allow for any other, OPTIONS (and preflights) answered, HEAD as GET. */
function serveMethods(path: string, answers: Partial<Record<Method, Answerer>>, style: ErrorStyle, cors: CorsPolicy): RouteHandler {
  const matchPath = compilePath(path);
  const methods = Object.keys(answers) as Method[];
  const allow = allowOf(methods);

  const handler = (req: Request, context: Context): Promise<Response> =>
    serve(req, context, path, style, cors, (waitUntil) => {
      // HEAD is answered as GET, without the body (finishResponse drops it).
      const answer = answers[(req.method === 'HEAD' ? 'GET' : req.method) as Method];
      if (answer === undefined) {
        if (req.method === 'OPTIONS') {
          return new Response(null, { status: 204, headers: { Allow: allow, ...preflightHeaders(req, cors, methods) } });
        }
        throw new HttpError('method_not_allowed', `Use ${methods.join(', ')} on this path.`, { headers: { Allow: allow } });
      }
      let url: URL | undefined;
      const urlOf = () => (url ??= new URL(req.url));
      const params = (matchPath === undefined ? undefined : matchPath(urlOf().pathname)) ?? context?.params ?? NO_PARAMS;
      return answer(req, params, urlOf, context?.ip ?? '', waitUntil);
    });
  return Object.assign(handler, { path, methods });
}

/** A handler that answers every request of `path` with `error` and serves no method of its own (the /api/* catch-all). */
export function alwaysError(path: string, error: HttpError): RouteHandler {
  const handler = (req: Request, context: Context): Promise<Response> =>
    serve(req, context, path, 'api', 'api', () => {
      throw error;
    });
  return Object.assign(handler, { path, methods: [] });
}

/** A scheduled function (no path): its lines in one scope named `name`, its `request` line, and 204 once `run` is done. */
export function scheduled(name: string, run: () => Promise<void>): (req?: Request, context?: Context) => Promise<Response> {
  return (req = new Request(`http://localhost/.netlify/functions/${name}`, { method: 'POST' }), context) =>
    serve(req, context, name, 'api', 'none', async () => {
      await run();
      return new Response(null, { status: 204 });
    });
}

/**
 * Every response leaves through here: the request's log scope (its id, the
 * declared path), every error rendered, the edge headers with `X-Request-Id`,
 * and one `request` line with the status and duration.
 */
function serve(
  req: Request,
  context: Context | undefined,
  path: string,
  style: ErrorStyle,
  cors: CorsPolicy,
  answer: (waitUntil: RouteContext['waitUntil']) => Promise<Response> | Response,
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
    // Errors included; a malformed CORS_ALLOWED_ORIGINS is a 500 naming it in the log, without CORS headers.
    let allowed: Readonly<Record<string, string>> = NO_HEADERS;
    try {
      allowed = corsHeaders(req, cors);
      response = await answer(waitUntil);
    } catch (error) {
      response = renderError(toHttpError(error), style, req);
    } finally {
      if (pending.length > 0) await Promise.allSettled(pending);
    }
    const finished = finishResponse(req, response, requestId, allowed);
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
  if (isTransactionConflict(error)) {
    log('error', 'transaction_conflict', {}, error);
    return serviceUnavailable(1);
  }
  log('error', error instanceof ConfigError ? 'configuration_error' : 'unhandled_error', {}, error);
  return new HttpError('internal_error');
}

function renderError(error: HttpError, style: ErrorStyle, req: Request): Response {
  const body =
    style === 'api'
      ? { error: { ...errorBody(error.code, error.message, error.details), ...error.fields } }
      : { message: error.details === undefined ? error.message : detailsMessage(error.details) };
  return json(error.status, body, { ...error.headers, ...challengeOf(error, style, req) });
}

/**
 * Every 401 of /api names the scheme to retry with (RFC 6750, section 3.1):
 * `Bearer`, and `error="invalid_token"` when the request sent a Bearer token
 * that was refused (expired, revoked, malformed or forged), so a client knows
 * to get a new token rather than add one. The classic routes use a cookie.
 */
function challengeOf(error: HttpError, style: ErrorStyle, req: Request): Record<string, string> | undefined {
  if (style !== 'api' || error.status !== 401) return undefined;
  const refusedToken = error.code === 'unauthenticated' && /^Bearer\s/i.test(req.headers.get('authorization') ?? '');
  return { 'WWW-Authenticate': refusedToken ? 'Bearer error="invalid_token"' : 'Bearer' };
}

function errorBody(code: ErrorCode, message: string, details?: ErrorDetails) {
  return details === undefined ? { code, message } : { code, message, details };
}

/**
 * `/api/posts/:id` -> a matcher returning `{id}` for `/api/posts/42`, or undefined.
 * None for a path without parameters: there is nothing to read from the URL.
 */
function compilePath(path: string): ((pathname: string) => Record<string, string> | undefined) | undefined {
  if (!path.includes(':')) return undefined;
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
