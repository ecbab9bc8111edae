// Calls a Netlify function in-process, the way the platform would.
import type { Context } from '@netlify/functions';

type NetlifyHandler = (req: Request, context: Context) => Promise<Response> | Response;

export interface CallOptions {
  /** Sent as JSON unless `form` or `raw` is given. */
  json?: unknown;
  form?: Record<string, string>;
  raw?: BodyInit;
  headers?: Record<string, string>;
  token?: string;
  cookie?: string;
  ip?: string;
  /** The platform's context.waitUntil; without it the route awaits such work before answering. */
  waitUntil?: (work: Promise<unknown>) => void;
}

export interface CallResult {
  status: number;
  headers: Headers;
  /** Parsed JSON, or null for an empty body. */
  // biome-ignore lint/suspicious/noExplicitAny: each test reads the fields it expects of an answer it checks
  body: any;
  text: string;
}

export const BASE_URL = 'http://localhost:8888';

export interface ObservedCall {
  handler: NetlifyHandler;
  method: string;
  url: URL;
  status: number;
  headers: Headers;
  text: string;
}

/** Told of every call: the OpenAPI contract records what the functions answer (tests/support/response-log.ts). */
export const callObservers: ((call: ObservedCall) => void)[] = [];

export async function call(handler: NetlifyHandler, method: string, path: string, options: CallOptions = {}): Promise<CallResult> {
  const headers = new Headers(options.headers);
  let body: BodyInit | undefined;
  if (options.raw !== undefined) body = options.raw;
  else if (options.form !== undefined) {
    body = new URLSearchParams(options.form);
    if (!headers.has('content-type')) headers.set('content-type', 'application/x-www-form-urlencoded');
  } else if (options.json !== undefined) {
    body = JSON.stringify(options.json);
    if (!headers.has('content-type')) headers.set('content-type', 'application/json');
  }
  if (options.token) headers.set('authorization', `Bearer ${options.token}`);
  if (options.cookie) headers.set('cookie', options.cookie);
  const url = new URL(path, BASE_URL);
  const request = new Request(url, { method, headers, body });
  const context = { ip: options.ip ?? '203.0.113.7', params: {}, waitUntil: options.waitUntil } as unknown as Context;
  const response = await handler(request, context);
  const text = await response.text();
  for (const observe of callObservers) observe({ handler, method, url, status: response.status, headers: response.headers, text });
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : null, text };
}
