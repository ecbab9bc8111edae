// The core's view of the caller (auth's Client), built from a request.
import type { Client, Requester } from '../auth/accounts/client.ts';
import { setting } from '../config/settings.ts';
import type { RouteContext } from './route.ts';

/**
 * Netlify's `URL` (the site's main address) when set: building links from the
 * request's Host header would let anyone who can send a request make us
 * e-mail a victim a link to their own host, token included.
 */
export function publicBaseUrl(req: Request): string {
  return (setting('siteUrl') ?? new URL(req.url).origin).replace(/\/+$/, '');
}

/** Where the request came from: the platform's address and the user agent, trimmed as sessions and events store it. */
export function requesterOf(req: Request, ctx: RouteContext): Requester {
  const agent = req.headers.get('user-agent')?.trim();
  return { ip: ctx.ip, userAgent: agent ? agent.slice(0, 256) : null };
}

export function clientOf(req: Request, ctx: RouteContext): Client {
  return { ...requesterOf(req, ctx), baseUrl: publicBaseUrl(req), waitUntil: ctx.waitUntil };
}
