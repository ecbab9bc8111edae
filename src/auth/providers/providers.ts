// The configured providers and the start of a sign-in (README.md beside this
// file): a pending sign-in in Postgres (the SHA-256 of its state, the PKCE
// verifier, the nonce, where to go after, minutes long), and the provider's
// authorization URL to send the browser to.
import { sql } from 'kysely';
import { HttpError, rateLimited } from '../../common/errors.ts';
import { now } from '../../config/clock.ts';
import { setting, type IdentityProviderSetting } from '../../config/settings.ts';
import { getDb } from '../../db/connection.ts';
import { countHit, retryAfterSeconds } from '../../rate-limit/counter.ts';
import { checks } from '../../rate-limit/limits.ts';
import type { Requester } from '../base/requester.ts';
import { hashSecret } from '../codes/tokens.ts';
import { authorizationUrl } from './client.ts';

/** How long a sign-in may stay at the provider. */
const PENDING_TTL_MS = 10 * 60_000;
export const PENDING_TTL_SECONDS = PENDING_TTL_MS / 1000;

/** A configured provider, or 404 (the same for every unknown id). */
export function providerById(id: string): IdentityProviderSetting {
  const provider = setting('identityProviders').find((p) => p.id === id);
  if (provider === undefined) throw new HttpError('not_found', 'No identity provider has that id.');
  return provider;
}

/** GET /api/auth/providers: what the pages draw their buttons from. */
export const providerList = () => setting('identityProviders').map(({ id, name }) => ({ id, name, startUrl: `/api/auth/${id}/start` }));

/** Where the provider sends the browser back: registered at the provider, per deploy (README). */
export const callbackUri = (origin: string, providerId: string) => `${origin}/api/auth/${providerId}/callback`;

/** A new sign-in's authorization URL and the row that keeps it. */
export async function pendingSignIn(provider: IdentityProviderSetting, origin: string, returnTo: string, linkUserId: number | null) {
  const { url, pending } = await authorizationUrl(provider, callbackUri(origin, provider.id));
  const row = {
    state_hash: hashSecret(pending.state),
    provider: provider.id,
    code_verifier: pending.codeVerifier,
    nonce: pending.nonce,
    return_to: returnTo,
    link_user_id: linkUserId,
    expires_at: new Date(now().getTime() + PENDING_TTL_MS),
  };
  return { location: url.href, state: pending.state, row };
}

export interface Started {
  /** The provider's authorization URL. */
  location: string;
  /** For the browser's cookie: the callback is taken only with it. */
  state: string;
}

/**
 * GET /api/auth/{provider}/start — the discovery (cached), then 1 statement:
 * one hit on the address's start counter and, under its limit, the pending
 * sign-in. Over it 429 with Retry-After, nothing kept: each start is a row
 * until the purge, and an address must not fill the table.
 */
export async function startSignIn(provider: IdentityProviderSetting, origin: string, returnTo: string, by: Requester): Promise<Started> {
  const { location, state, row } = await pendingSignIn(provider, origin, returnTo, null);
  const check = checks.providerStartIp(by.ip);
  const at = now();
  const result = await getDb()
    .with('hit', countHit(check, at))
    .with('pending', (qb) =>
      qb
        .insertInto('federated_sign_ins')
        .columns(['state_hash', 'provider', 'code_verifier', 'nonce', 'return_to', 'expires_at'])
        .expression(
          sql`SELECT ${row.state_hash}::bytea, ${row.provider}::text, ${row.code_verifier}::text, ${row.nonce}::text,
            ${row.return_to}::text, ${row.expires_at}::timestamptz FROM hit WHERE hits <= ${check.limit.count}::int`,
        )
        .returning('id'),
    )
    .selectFrom('hit')
    .select(['hits', 'window_start', sql<boolean>`EXISTS (SELECT FROM pending)`.as('started')])
    .executeTakeFirstOrThrow();
  if (!result.started) throw rateLimited(retryAfterSeconds({ hits: result.hits, windowStart: result.window_start }, check.limit, at));
  return { location, state };
}
