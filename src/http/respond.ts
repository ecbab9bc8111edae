// Response builders. Every body is JSON and never cached: these are account data.

const JSON_HEADERS = {
  'Content-Type': 'application/json; charset=utf-8',
  'Cache-Control': 'no-store',
} as const;

export function json(status: number, body: unknown, headers?: HeadersInit): Response {
  const response = new Response(JSON.stringify(body), { status, headers: JSON_HEADERS });
  if (headers) new Headers(headers).forEach((value, name) => response.headers.append(name, value));
  return response;
}

export function noContent(headers?: HeadersInit): Response {
  const response = new Response(null, { status: 204, headers: { 'Cache-Control': 'no-store' } });
  if (headers) new Headers(headers).forEach((value, name) => response.headers.append(name, value));
  return response;
}
