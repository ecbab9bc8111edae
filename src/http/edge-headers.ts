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
 * `WWW-Authenticate` comes with the error, route.ts.)
 */
export function finishResponse(req: Request, response: Response, requestId: string, cors: Record<string, string> = {}): Response {
  const headers = new Headers(response.headers);
  for (const [name, value] of Object.entries({ ...ALWAYS, ...cors })) headers.set(name, value);
  headers.set('X-Request-Id', requestId);
  if (new URL(req.url).protocol === 'https:') headers.set('Strict-Transport-Security', HSTS);
  return new Response(req.method === 'HEAD' ? null : response.body, { status: response.status, statusText: response.statusText, headers });
}
