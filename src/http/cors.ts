// Cross-origin reads (CORS), decided here for every answer and every preflight
// (route.ts). Three kinds of route:
// - a public document (the JWKS, the issuer metadata, the OpenAPI document):
//   any origin may read it, `*`, never with credentials;
// - the JSON API: only the origins of CORS_ALLOWED_ORIGINS, and only with a
//   Bearer token. Credentials (the cookie) are never allowed cross-origin, so
//   the login-CSRF rule (caller.ts: a cookie-authenticated write from another
//   origin is 403, trusted or not) is untouched; a trusted page may log in,
//   and gets the token but no cookie (logged-in.ts);
// - the classic routes: none (forms and a cookie, same origin only).
import { setting } from '../config/settings.ts';

export type CorsPolicy = 'public' | 'api' | 'none';

/** What a page may send: the token and a JSON body (a form needs no preflight). */
const API_REQUEST_HEADERS = 'authorization, content-type';
/** What a reader of a public document sends besides simple headers: revalidation. */
const PUBLIC_REQUEST_HEADERS = 'if-none-match';
/** Headers a script may read beyond the safelisted ones. */
const API_EXPOSED = 'Link, Retry-After, WWW-Authenticate, X-Request-Id';
const PUBLIC_EXPOSED = 'ETag, X-Request-Id';
/** Ten minutes of cached preflights: browsers cap it at two hours or less anyway. */
const MAX_AGE = '600';

/**
 * A request from a page of another origin that CORS_ALLOWED_ORIGINS trusts:
 * it may log in on the JSON API, and gets the token without the cookie.
 */
export function fromTrustedOrigin(req: Request): boolean {
  const origin = req.headers.get('origin');
  return origin !== null && origin !== new URL(req.url).origin && setting('corsAllowedOrigins').has(origin);
}

type CorsHeaders = Readonly<Record<string, string>>;
const PUBLIC: CorsHeaders = Object.freeze({ 'Access-Control-Allow-Origin': '*', 'Access-Control-Expose-Headers': PUBLIC_EXPOSED });
const NONE: CorsHeaders = Object.freeze({});
const UNTRUSTED: CorsHeaders = Object.freeze({ Vary: 'Origin' });

/** The CORS headers of an answer to `req`: none for an origin the route does not trust (shared objects, but a trusted origin's). */
export function corsHeaders(req: Request, policy: CorsPolicy): CorsHeaders {
  if (policy === 'public') return PUBLIC;
  if (policy === 'none') return NONE;
  const origin = req.headers.get('origin');
  // Vary whatever the origin: the answer depends on it.
  if (origin === null || !setting('corsAllowedOrigins').has(origin)) return UNTRUSTED;
  return { 'Access-Control-Allow-Origin': origin, 'Access-Control-Expose-Headers': API_EXPOSED, Vary: 'Origin' };
}

/** A preflight's headers (an OPTIONS that names `Access-Control-Request-Method`), or those of a plain answer. */
export function preflightHeaders(req: Request, policy: CorsPolicy, methods: readonly string[]): CorsHeaders {
  const headers = corsHeaders(req, policy);
  if (!req.headers.has('access-control-request-method') || headers['Access-Control-Allow-Origin'] === undefined) return headers;
  return {
    ...headers,
    'Access-Control-Allow-Methods': methods.join(', '),
    'Access-Control-Allow-Headers': policy === 'public' ? PUBLIC_REQUEST_HEADERS : API_REQUEST_HEADERS,
    'Access-Control-Max-Age': MAX_AGE,
  };
}
