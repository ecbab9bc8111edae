// The core's view of the caller (auth's Client), built from a request.
import type { Client } from '../auth/accounts/client.ts';
import { setting } from '../config/settings.ts';
import type { RouteContext } from './route.ts';

/**
 * `APP_URL` when set (the pages may live on another site), else `/app` of
 * Netlify's `URL` (the site's main address), and only without either the
 * request's origin (local development): building links from the request's
 * Host header would let anyone who can send a request make us e-mail a victim
 * a link to their own host, token included.
 */
export function appUrlOf(req: Request): string {
  const site = (setting('siteUrl') ?? new URL(req.url).origin).replace(/\/+$/, '');
  return (setting('appUrl') ?? `${site}/app`).replace(/\/+$/, '');
}

export function clientOf(req: Request, ctx: RouteContext): Client {
  return { ip: ctx.ip, appUrl: appUrlOf(req), waitUntil: ctx.waitUntil };
}
