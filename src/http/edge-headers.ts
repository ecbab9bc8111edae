// What every response of the service carries, added in one place: route()
// passes each response through here, whichever handler or error made it.

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
 * The response as it leaves: the headers above and the route's CORS headers
 * (`cors`, from cors.ts); `X-Request-Id`, the id its log lines carry (a client
 * can quote it); Strict-Transport-Security when the request came over https;
 * and no body for HEAD, which is otherwise answered as GET. (A 401's
 * `WWW-Authenticate` comes with the error, route.ts.) Set on the handler's own
 * response: every response here is one a handler or route.ts constructed, so
 * its headers are mutable, and a copy of headers and body (a second Response)
 * cost an authenticated read more than its whole statement's encoding.
 */
export function finishResponse(req: Request, response: Response, requestId: string, cors: Readonly<Record<string, string>>): Response {
  const { headers } = response;
  for (const name in ALWAYS) headers.set(name, ALWAYS[name as keyof typeof ALWAYS]);
  for (const name in cors) headers.set(name, cors[name]!);
  headers.set('X-Request-Id', requestId);
  if (req.url.startsWith('https:')) headers.set('Strict-Transport-Security', HSTS);
  return req.method === 'HEAD' ? new Response(null, { status: response.status, statusText: response.statusText, headers }) : response;
}
