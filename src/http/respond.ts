// Response builders. Every body is JSON and never cached: these are account data.

const JSON_HEADERS = {
  'Content-Type': 'application/json; charset=utf-8',
  'Cache-Control': 'no-store',
} as const;

function withHeaders(response: Response, headers?: HeadersInit): Response {
  if (headers) new Headers(headers).forEach((value, name) => response.headers.append(name, value));
  return response;
}

export function json(status: number, body: unknown, headers?: HeadersInit): Response {
  return withHeaders(new Response(JSON.stringify(body), { status, headers: JSON_HEADERS }), headers);
}

export function noContent(headers?: HeadersInit): Response {
  return withHeaders(new Response(null, { status: 204, headers: { 'Cache-Control': 'no-store' } }), headers);
}

/**
 * 200 with a page of a keyset list. When there is a next page it is also
 * linked (RFC 8288): the request's own path and query with the cursor set,
 * as a relative reference.
 */
export function listPage(url: URL, page: { nextCursor: string | null }): Response {
  if (page.nextCursor === null) return json(200, page);
  const next = new URL(url);
  next.searchParams.set('cursor', page.nextCursor);
  return json(200, page, { Link: `<${next.pathname}${next.search}>; rel="next"` });
}

/** `302 Found` to `location`, without a body (the classic logout). */
export function redirect(location: string, headers?: HeadersInit): Response {
  return withHeaders(new Response(null, { status: 302, headers: { Location: location, 'Cache-Control': 'no-store' } }), headers);
}
