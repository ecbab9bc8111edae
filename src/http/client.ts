// The core's view of the caller (auth's Client), built from a request.
import type { Client, Requester } from '../auth/base/requester.ts';
import { setting } from '../config/settings.ts';
import type { RouteContext } from './route.ts';

/**
 * The address of the deploy that serves the request, for links in e-mails:
 * Netlify's `DEPLOY_PRIME_URL` in a deploy preview or branch deploy (a link
 * from a preview opens that preview), its `URL` (the site's main address)
 * otherwise. Only without either, the request's origin (local development):
 * building links from the Host header would let anyone who can send a request
 * make us e-mail a victim a link to their own host, token included.
 */
export function publicBaseUrl(req: Request): string {
  const context = setting('deployContext');
  const deploy = context === 'deploy-preview' || context === 'branch-deploy' ? setting('deployUrl') : undefined;
  return (deploy ?? setting('siteUrl') ?? new URL(req.url).origin).replace(/\/+$/, '');
}

/**
 * The address this deploy's functions answer at, for what a third party calls
 * back (a provider's redirect URI): publicBaseUrl in a deploy; in local
 * development the request's own origin, since netlify dev sets URL and
 * DEPLOY_PRIME_URL to the linked site's addresses, where a browser on
 * localhost is not (passkeys' relying party reads it the same way).
 */
export function serviceOrigin(req: Request): string {
  return setting('localDevelopment') ? new URL(req.url).origin : publicBaseUrl(req);
}

/** The `iss` of access tokens and the issuer metadata: JWT_ISSUER, else the site's address. */
export function issuerOf(req: Request): string {
  return setting('jwtIssuer') ?? publicBaseUrl(req);
}

/**
 * Where the web pages live, for links in e-mails: `APP_URL` when set (the
 * pages may be served by another site), else `/app` of this deploy.
 */
export function appUrlOf(req: Request): string {
  return setting('appUrl') ?? `${publicBaseUrl(req)}/app`;
}

/**
 * Where a browser a provider sent back goes on (the callback's hand-over to
 * the login page): appUrlOf, but without APP_URL in local development `/app`
 * of the request's origin (serviceOrigin), the one that browser is on:
 * netlify dev's URL is localhost, another origin for a browser on 127.0.0.1.
 * The Host is that browser's own here, unlike an e-mail's reader's.
 */
export function pagesUrlOf(req: Request): string {
  return setting('appUrl') ?? `${serviceOrigin(req)}/app`;
}

/** Where the request came from: the platform's address and the user agent, trimmed as sessions and events store it. */
export function requesterOf(req: Request, ctx: RouteContext): Requester {
  const agent = req.headers.get('user-agent')?.trim();
  return { ip: ctx.ip, userAgent: agent ? agent.slice(0, 256) : null };
}

export function clientOf(req: Request, ctx: RouteContext): Client {
  return { ...requesterOf(req, ctx), appUrl: appUrlOf(req), waitUntil: ctx.waitUntil };
}
