// The identities linked to the caller's account: the list on the account
// page and the unlink, a step-up operation that never removes the last way in.
import { HttpError } from '../../common/errors.ts';
import { now } from '../../config/clock.ts';
import { setting } from '../../config/settings.ts';
import { getDb } from '../../db/connection.ts';
import { identityUnlinked } from '../../mail/templates.ts';
import { removeGuarded } from '../accounts/guarded-removal.ts';
import type { StepUp } from '../attempts/step-up.ts';
import type { Client } from '../base/requester.ts';
import { notify } from '../codes/delivery.ts';
import { NO_PASSWORD } from '../passwords/no-password.ts';
import { selectLiveSession } from '../sessions/sessions.ts';
import type { TokenClaims } from '../sessions/tokens.ts';

export interface IdentityView {
  id: number;
  provider: string;
  /** The provider's name as configured now (its id when it is no longer configured). */
  providerName: string;
  /** What the provider last asserted, not the account's address. */
  email: string | null;
  createdAt: string;
  lastUsedAt: string;
}

/** A provider's name as configured now, its id when it is no longer configured. */
const providerName = (id: string) => setting('identityProviders').find((p) => p.id === id)?.name ?? id;

/** GET /api/me/identities — 1 statement: the caller's live session and identities, oldest first. */
export async function listIdentities(claims: TokenClaims): Promise<IdentityView[]> {
  const rows = await getDb()
    .with('caller', (qb) => selectLiveSession(claims, qb))
    .selectFrom('caller')
    .leftJoin('federated_identities as i', 'i.user_id', 'caller.id')
    .select(['i.id', 'i.provider', 'i.email', 'i.created_at', 'i.last_used_at'])
    .orderBy('i.created_at')
    .orderBy('i.id')
    .execute();
  if (rows.length === 0) throw new HttpError('unauthenticated');
  return rows.flatMap((row) =>
    row.id === null
      ? []
      : [
          {
            id: row.id,
            provider: row.provider!,
            providerName: providerName(row.provider!),
            email: row.email,
            createdAt: row.created_at!.toISOString(),
            lastUsedAt: row.last_used_at!.toISOString(),
          },
        ],
  );
}

/**
 * DELETE /api/me/identities/{id} — 2 statements (accounts/guarded-removal.ts):
 * the password (and the code on an account with TOTP), then the DELETE and
 * identity_unlinked. The password is the proof, so the password stays a way
 * in: an account without one (made by a provider) is refused with 409
 * last_way_in before its password is checked, and sets one by a reset first.
 * The owner is e-mailed after the answer.
 */
export async function unlinkIdentity(caller: Client & { claims: TokenClaims }, id: number, password: string, stepUp: StepUp) {
  const at = now();
  const { user, label } = await removeGuarded(caller, id, password, stepUp, {
    table: 'federated_identities',
    label: 'provider',
    event: 'identity_unlinked',
    notFound: 'You have no linked identity with that id.',
    refuse: (proof) => {
      if (proof.passwordHash === NO_PASSWORD) throw new HttpError('last_way_in');
    },
  });
  const provider = providerName(label);
  await notify(
    caller,
    { purpose: 'identity_unlinked', accountId: user.id },
    (origin, appUrl) => identityUnlinked(user, provider, origin, appUrl),
    at,
  );
}
