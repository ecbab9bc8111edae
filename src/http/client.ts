// The core's view of the caller (auth's Client), built from a request.
import type { Client } from '../auth/accounts/client.ts';
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

/** The `iss` of access tokens and the issuer metadata: JWT_ISSUER, else the site's address. */
export function issuerOf(req: Request): string {
  return setting('jwtIssuer') ?? publicBaseUrl(req);
}

export function clientOf(req: Request, ctx: RouteContext): Client {
  return { ip: ctx.ip, baseUrl: publicBaseUrl(req), waitUntil: ctx.waitUntil };
}
