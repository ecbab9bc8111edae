// The callback of a sign-in at another provider (README.md beside this file;
// the start is providers.ts): it takes the pending sign-in (single use) and signs in as
// POST /api/login does: the same session and cookie, login_succeeded in the
// trail, the address remembered, the second step for an account with TOTP,
// account_banned for a banned one. The session's amr is `fed` (aal1).
import { sql, type QueryCreator } from 'kysely';
import { HttpError } from '../../common/errors.ts';
import { now } from '../../config/clock.ts';
import type { IdentityProviderSetting } from '../../config/settings.ts';
import { getDb } from '../../db/connection.ts';
import { uniqueViolation } from '../../db/errors.ts';
import type { Database } from '../../db/schema.ts';
import { noteAccount } from '../../log/log.ts';
import { identityLinked, type LinkedBy, type Recipient } from '../../mail/templates.ts';
import { freeUsername } from '../../users/username-from-email.ts';
import { userFieldsOf, type UserFields } from '../../users/present.ts';
import { mapDuplicates, withNewUser } from '../accounts/users.ts';
import { rememberAddress } from '../attempts/known-addresses.ts';
import { enabledFactor } from '../base/enabled-factor.ts';
import { EVENT_COLUMNS, eventRow, eventValues } from '../base/event-rows.ts';
import type { Client, Requester } from '../base/requester.ts';
import { notify } from '../codes/delivery.ts';
import { hashSecret } from '../codes/tokens.ts';
import { openChallenge } from '../mfa/second-step.ts';
import { NO_PASSWORD } from '../passwords/no-password.ts';
import { createSession, notBanned, type NewSession } from '../sessions/sessions.ts';
import { exchangeCode, type Asserted } from './client.ts';
import { callbackUri } from './providers.ts';

/** How a callback ends. */
export type Finished =
  | { kind: 'session'; returnTo: string; user: UserFields; session: NewSession }
  | { kind: 'second_step'; returnTo: string; mfaToken: string }
  | { kind: 'linked'; returnTo: string };

const failed = () => new HttpError('federation_failed');

/**
 * GET /api/auth/{provider}/callback — 3 statements for a returning identity:
 *   1. the pending sign-in its state names taken (DELETE … RETURNING: single
 *      use), only with this browser's cookie of the same state;
 *   then the code exchanged and the ID token checked at the provider;
 *   2. the identity (provider, subject), the account of the asserted e-mail
 *      and whichever account the sign-in is for, with its ban and factor;
 *   3. the session INSERT with the identity's last use, login_succeeded and
 *      the address remembered (or the second step's challenge).
 * A first sign-in joins an account only by a verified e-mail equal to its
 * proven mailbox (3); a new account takes 2 more (its free username, then
 * the account with its profile and identity). A link from the account page
 * ends at 3 with the identity's INSERT and identity_linked. Statement 1 is
 * takePendingSignIn, the rest finishSignIn: the callback knows between them
 * whether a refusal ends a link (the account page) or a sign-in (the login page).
 * An identity joined to an account it did not make is e-mailed to its owner.
 */
export async function takePendingSignIn(provider: IdentityProviderSetting, callback: URLSearchParams, cookieState: string | undefined) {
  const state = callback.get('state');
  if (state === null || cookieState === undefined || state !== cookieState) throw failed();
  const pending = await getDb()
    .deleteFrom('federated_sign_ins')
    .where('state_hash', '=', hashSecret(state))
    .where('provider', '=', provider.id)
    .where('expires_at', '>', now())
    .returningAll()
    .executeTakeFirst();
  if (pending === undefined) throw failed();
  return { ...pending, state };
}

export type PendingSignIn = Awaited<ReturnType<typeof takePendingSignIn>>;

/** The rest of the callback, once takePendingSignIn has the pending sign-in (statements 2 and on). */
export async function finishSignIn(
  provider: IdentityProviderSetting,
  callback: URLSearchParams,
  pending: PendingSignIn,
  origin: string,
  by: Client,
): Promise<Finished> {
  const { state } = pending;
  const at = now();
  const asserted = await exchangeCode(
    provider,
    callback,
    { state, codeVerifier: pending.code_verifier, nonce: pending.nonce },
    callbackUri(origin, provider.id),
  );
  const email = emailOf(asserted);
  const found = await lookUp(provider.id, asserted.subject, email, at);
  const returnTo = pending.return_to;
  const identity = { provider: provider.id, subject: asserted.subject, email: email ?? null };

  if (pending.link_user_id !== null) {
    const userId = pending.link_user_id;
    if (found.identity_user_id !== null && found.identity_user_id !== userId) throw new HttpError('identity_taken');
    const owner = await onIdentity(getDb(), identity, userId, found.identity_id, by, at)
      .selectFrom('users')
      .select(['username', 'email'])
      .where('id', '=', userId)
      .executeTakeFirstOrThrow();
    if (found.identity_id === null) await noticeOfLink(by, userId, owner, provider, 'account_page', at);
    return { kind: 'linked', returnTo };
  }
  if (found.id !== null && (found.identity_id !== null || (asserted.emailVerified && found.match_proven))) {
    const finished = await signIn(found as Found & { id: number }, identity, found.identity_id, by, at, returnTo);
    // Joined by its proven mailbox: its owner hears of a new way in they may not have made.
    if (found.identity_id === null) await noticeOfLink(by, found.id, found, provider, 'proven_mailbox', at);
    return finished;
  }
  if (email === undefined) throw new HttpError('identity_email_missing');
  // An account holds the address but did not prove it, or the provider did not verify it: never joined.
  if (found.id !== null) throw new HttpError('identity_email_taken');
  const created = await createAccount(email, asserted.emailVerified, identity, by, at);
  noteAccount(created.id);
  const session = await createSession(created.id, getDb(), by, undefined, ['fed']);
  return { kind: 'session', returnTo, user: userFieldsOf(created), session };
}

/**
 * The owner is told of an identity joined to the account they had, by the
 * account page's link or by the proven mailbox; never of a new account's own
 * first identity (they just made it).
 */
function noticeOfLink(by: Client, userId: number, to: Recipient, provider: IdentityProviderSetting, how: LinkedBy, at: Date) {
  return notify(
    by,
    { purpose: 'identity_linked', accountId: userId },
    (origin, appUrl) => identityLinked(to, provider.name, how, origin, appUrl),
    at,
  );
}

/** The asserted address as accounts store it, if it could be one (an odd one is no address to match or keep). */
function emailOf(asserted: Asserted): string | undefined {
  const email = asserted.email?.toLowerCase();
  return email !== undefined && email.length <= 254 && /^[^\s@]+@[^\s@]+$/.test(email) ? email : undefined;
}

type Found = Awaited<ReturnType<typeof lookUp>>;

/** Statement 2: the identity, the account of the address, and the account the sign-in would open (the identity's, else the address's). */
async function lookUp(provider: string, subject: string, email: string | undefined, at: Date) {
  const { rows } = await sql<{
    identity_id: number | null;
    identity_user_id: number | null;
    match_proven: boolean;
    id: number | null;
    username: string;
    email: string;
    confirmed_at: Date | null;
    created_at: Date;
    banned: boolean;
    mfa: boolean;
  }>`SELECT i.id AS identity_id, i.user_id AS identity_user_id, coalesce(m.email_verified_at IS NOT NULL, false) AS match_proven,
      u.id, u.username, u.email, u.confirmed_at, u.created_at, NOT ${notBanned('u', at)} AS banned, ${enabledFactor(sql.ref('u.id'))} AS mfa
    FROM (SELECT 1) AS one
    LEFT JOIN federated_identities i ON i.provider = ${provider} AND i.subject = ${subject}
    LEFT JOIN users m ON m.email = ${email ?? null}::text
    LEFT JOIN users u ON u.id = coalesce(i.user_id, m.id)`.execute(getDb());
  return rows[0]!;
}

interface IdentityFacts {
  provider: string;
  subject: string;
  email: string | null;
}

/** The identity's CTEs: its last use and e-mail when it exists, else its INSERT for `userId` with identity_linked. */
function onIdentity(
  db: QueryCreator<Database>,
  identity: IdentityFacts,
  userId: number,
  identityId: number | null,
  by: Requester,
  at: Date,
): QueryCreator<Database> {
  // The CTEs only add names nothing else reads; Kysely's types are invariant in them.
  if (identityId !== null) {
    return db.with('identity', (qb) =>
      qb.updateTable('federated_identities').set({ last_used_at: at, email: identity.email }).where('id', '=', identityId).returning('id'),
    ) as unknown as QueryCreator<Database>;
  }
  return db
    .with('identity', (qb) =>
      qb
        .insertInto('federated_identities')
        .values({ user_id: userId, ...identity, created_at: at, last_used_at: at })
        .returning('id'),
    )
    .with('linked', (qb) =>
      qb.insertInto('security_events').values(eventRow(userId, 'identity_linked', by, at)),
    ) as unknown as QueryCreator<Database>;
}

/** Statement 3 for an existing account: as the password login's second statement. */
async function signIn(
  found: Found & { id: number },
  identity: IdentityFacts,
  identityId: number | null,
  by: Requester,
  at: Date,
  returnTo: string,
): Promise<Finished> {
  const userId = found.id;
  noteAccount(userId);
  if (found.banned) {
    await getDb()
      .insertInto('security_events')
      .values(eventRow(userId, 'login_failed', by, at, 'banned'))
      .execute();
    throw new HttpError('account_banned');
  }
  if (found.confirmed_at === null) throw new HttpError('account_not_confirmed');
  const db = onIdentity(getDb(), identity, userId, identityId, by, at);
  try {
    if (found.mfa) {
      // The second step records how the login ends (src/auth/mfa/events.ts). Only the token reaches
      // the page (in the redirect's fragment), which offers the code; the methods go unread.
      const challenge = await openChallenge(userId, db, { methods: ['totp'], amr: 'fed' });
      return { kind: 'second_step', returnTo, mfaToken: challenge.fields!.mfaToken as string };
    }
    const recorded = db.with('recorded', (qb) => qb.insertInto('security_events').values(eventRow(userId, 'login_succeeded', by, at)));
    const remembered = rememberAddress(recorded as unknown as QueryCreator<Database>, userId, by.ip, at);
    const session = await createSession(userId, remembered as unknown as QueryCreator<Database>, by, undefined, ['fed']);
    return { kind: 'session', returnTo, user: userFieldsOf(found), session };
  } catch (error) {
    // Two first sign-ins of one identity at once: the other linked it; this one starts again.
    if (uniqueViolation(error) === 'federated_identities_provider_subject_key') throw failed();
    throw error;
  }
}

/** Another sign-up may take the chosen name between the lookup and the INSERT. */
const ATTEMPTS = 3;

/**
 * A new account for the identity: its username derived from the address as
 * the classic POST /users does (1 statement), then the account, confirmed,
 * with no password (NO_PASSWORD), its mailbox proven only when the provider
 * verified it, its profile, the identity and identity_linked (1).
 */
async function createAccount(email: string, verified: boolean, identity: IdentityFacts, by: Requester, at: Date) {
  for (let attempt = 1; ; attempt++) {
    const username = await freeUsername(email);
    try {
      return await mapDuplicates(() =>
        withNewUser({ username, email, passwordHash: NO_PASSWORD, confirmedAt: at, emailVerifiedAt: verified ? at : null })
          .with('identity', (qb) =>
            qb
              .insertInto('federated_identities')
              .columns(['user_id', 'provider', 'subject', 'email', 'created_at', 'last_used_at'])
              .expression((eb) =>
                eb
                  .selectFrom('new_user')
                  .select([
                    'id',
                    sql<string>`${identity.provider}::text`.as('provider'),
                    sql<string>`${identity.subject}::text`.as('subject'),
                    sql<string | null>`${identity.email}::text`.as('email'),
                    sql<Date>`${at}::timestamptz`.as('created_at'),
                    sql<Date>`${at}::timestamptz`.as('last_used_at'),
                  ]),
              ),
          )
          .with('linked', (qb) =>
            qb
              .insertInto('security_events')
              .columns([...EVENT_COLUMNS])
              .expression((eb) => eb.selectFrom('new_user').select(['id', ...eventValues('identity_linked', by, at)])),
          )
          .selectFrom('new_user')
          .selectAll()
          .executeTakeFirstOrThrow(),
      );
    } catch (error) {
      if (uniqueViolation(error) === 'federated_identities_provider_subject_key') throw failed();
      if (!(attempt < ATTEMPTS && error instanceof HttpError && error.code === 'username_taken')) throw error;
    }
  }
}
