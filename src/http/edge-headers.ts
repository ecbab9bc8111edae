// What every response of the service carries, added in one place: route()
// passes each response through here, whichever handler or error made it.
import type { ErrorStyle } from './endpoint.ts';

/** Answers are JSON that no page should sniff as something else, frame, or be told about in a Referer. */
const ALWAYS = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'",
} as const;

/** A year, without includeSubDomains: other hosts of a custom domain are the site owner's call. */
const HSTS = 'max-age=31536000';

/**
 * The response as it leaves: the headers above; Strict-Transport-Security
 * when the request came over https; `WWW-Authenticate: Bearer` on a 401 of
 * the JSON API (RFC 6750: the scheme a client should retry with); and no body
 * for HEAD, which is otherwise answered as GET.
 */
export function finishResponse(req: Request, response: Response, style: ErrorStyle): Response {
  const headers = new Headers(response.headers);
  for (const [name, value] of Object.entries(ALWAYS)) headers.set(name, value);
  if (new URL(req.url).protocol === 'https:') headers.set('Strict-Transport-Security', HSTS);
  if (response.status === 401 && style === 'api' && !headers.has('WWW-Authenticate')) headers.set('WWW-Authenticate', 'Bearer');
  return new Response(req.method === 'HEAD' ? null : response.body, { status: response.status, statusText: response.statusText, headers });
}
