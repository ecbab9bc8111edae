// Response builders. Every body is JSON and never cached (these are account
// data), but for the public documents of cacheableJson.
import { createHash } from 'node:crypto';

const JSON_HEADERS = {
  'Content-Type': 'application/json; charset=utf-8',
  'Cache-Control': 'no-store',
} as const;

function withHeaders(response: Response, headers?: HeadersInit): Response {
  if (headers) for (const [name, value] of new Headers(headers)) response.headers.append(name, value);
  return response;
}

export function json(status: number, body: unknown, headers?: HeadersInit): Response {
  return withHeaders(new Response(JSON.stringify(body), { status, headers: JSON_HEADERS }), headers);
}

export function noContent(headers?: HeadersInit): Response {
  return withHeaders(new Response(null, { status: 204, headers: { 'Cache-Control': 'no-store' } }), headers);
}

/** `302 Found` to `location`, without a body (the classic logout). */
export function redirect(location: string, headers?: HeadersInit): Response {
  return withHeaders(new Response(null, { status: 302, headers: { Location: location, 'Cache-Control': 'no-store' } }), headers);
}

/**
 * 200 with a page of a list. When there is a next page it is also linked
 * (RFC 8288): `Link: </api/posts?pageSize=20&cursor=…>; rel="next"`, the
 * request's own path and query with `page` swapped for the cursor. A relative
 * reference: it resolves against whatever URL the client called.
 */
export function listPage(url: URL, page: { nextCursor: string | null }): Response {
  if (page.nextCursor === null) return json(200, page);
  const next = new URL(url);
  next.searchParams.delete('page');
  next.searchParams.set('cursor', page.nextCursor);
  return json(200, page, { Link: `<${next.pathname}${next.search}>; rel="next"` });
}

/** Serialized bodies with their ETags, by the value they were made from: each value is serialized and hashed once. */
const served = new WeakMap<object, { body: string; etag: string }>();

/** `If-None-Match` holds `*` or a list of ETags, weak ones (`W/"…"`) included. */
function matches(ifNoneMatch: string | null, etag: string): boolean {
  if (ifNoneMatch === null) return false;
  return ifNoneMatch.split(',').some((tag) => {
    const candidate = tag.trim();
    return candidate === '*' || candidate.replace(/^W\//, '') === etag;
  });
}

/**
 * A public JSON document (the OpenAPI document, the JWKS): cacheable for
 * `maxAge` seconds, with an ETag; a client holding the current one gets a 304
 * without the body. Pass the same object while the document is unchanged.
 */
export function cacheableJson(req: Request, value: object, maxAge: number): Response {
  let entry = served.get(value);
  if (entry === undefined) {
    const body = JSON.stringify(value);
    entry = { body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` };
    served.set(value, entry);
  }
  const headers = { ETag: entry.etag, 'Cache-Control': `public, max-age=${maxAge}` };
  if (matches(req.headers.get('if-none-match'), entry.etag)) return new Response(null, { status: 304, headers });
  return new Response(entry.body, { status: 200, headers: { ...headers, 'Content-Type': 'application/json; charset=utf-8' } });
}
