// What the core needs to know about the caller of a request, apart from HTTP.
import { envValue } from '../config/env.ts';
import type { RouteContext } from '../http/route.ts';

export interface Client {
  /** The platform-reported address (Netlify's context.ip), for rate limits. */
  ip: string;
  /** Where links in e-mails point. */
  baseUrl: string;
  /** Lets e-mail go out after the response; without it the caller waits for delivery. */
  waitUntil?: (work: Promise<unknown>) => void;
}

/**
 * Netlify's `URL` (the site's main address) when set: building links from the
 * request's Host header would let anyone who can send a request make us
 * e-mail a victim a link to their own host, token included.
 */
export function publicBaseUrl(req: Request): string {
  return (envValue('URL') ?? new URL(req.url).origin).replace(/\/+$/, '');
}

export function clientOf(req: Request, ctx: RouteContext): Client {
  return { ip: ctx.ip, baseUrl: publicBaseUrl(req), waitUntil: ctx.waitUntil };
}
