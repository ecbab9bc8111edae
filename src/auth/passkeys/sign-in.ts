// Sign-in with a passkey and no password: a discoverable credential, so the
// options name no account (the browser's conditional UI offers the passkeys
// it holds for the RP ID). It ends as POST /api/login does: a session, the
// address remembered, login_succeeded in the trail; at aal2, amr `swk` or
// `hwk` (src/auth/passkeys/README.md).
//
// Limits: the options count on a bucket of their own (checks.passkeyOptionsIp,
// a multiple of RATE_LIMIT_LOGIN_IP), since the login page asks for them as it
// opens: a view of the page must not spend a password attempt. An answer
// counts one attempt on the address's login counter (RATE_LIMIT_LOGIN_IP)
// before it is verified, given back by a success as a right password's is, so
// refused assertions and wrong passwords share one budget and an address gets
// no more assertions checked than that. Neither is counted on the account's
// second-factor counter: anyone who learned a credential id could then lock
// the owner's TOTP step with made-up assertions, and a signature cannot be
// guessed as a 6-digit code can.
import type { AuthenticationResponseJSON, PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server';
import { sql, type QueryCreator } from 'kysely';
import { HttpError, rateLimited } from '../../common/errors.ts';
import { now } from '../../config/clock.ts';
import { getDb } from '../../db/connection.ts';
import type { Database } from '../../db/schema.ts';
import { countHit, giveBackHits, retryAfterSeconds } from '../../rate-limit/counter.ts';
import { checks } from '../../rate-limit/limits.ts';
import { userFieldsOf, type UserFields } from '../../users/present.ts';
import { rememberAddress } from '../attempts/known-addresses.ts';
import { EVENT_COLUMNS, eventValues } from '../base/event-rows.ts';
import type { Requester } from '../base/requester.ts';
import { rowsIn } from '../base/rows-in.ts';
import { AccountGone, createSession, type NewSession } from '../sessions/sessions.ts';
import { amrOf, assertionOptions, verifiedCounter } from './assertion.ts';
import { CHALLENGE_TTL_MS, challengeOf, newChallenge } from './passkeys.ts';
import type { RelyingParty } from './relying-party.ts';

/**
 * POST /api/login/passkey/options — 1 statement: one hit on the address's
 * options counter and, under its limit, a challenge (no account: user_id null).
 * 429 with Retry-After over it.
 */
export async function signInOptions(by: Requester, rp: RelyingParty): Promise<PublicKeyCredentialRequestOptionsJSON> {
  const at = now();
  const check = checks.passkeyOptionsIp(by.ip);
  const challenge = newChallenge();
  const row = await getDb()
    .with('hit', countHit(check, at))
    .with('issued', (qb) =>
      qb
        .insertInto('webauthn_challenges')
        .columns(['challenge', 'purpose', 'user_id', 'expires_at'])
        .expression(
          sql`SELECT ${challenge.text}::text, 'login', NULL::bigint, ${new Date(at.getTime() + CHALLENGE_TTL_MS)}::timestamptz
            FROM hit WHERE hits <= ${check.limit.count}::int`,
        )
        .returning('id'),
    )
    .selectFrom('hit')
    .select(['hits', 'window_start', sql<boolean>`EXISTS (SELECT FROM issued)`.as('issued')])
    .executeTakeFirstOrThrow();
  if (!row.issued) throw rateLimited(retryAfterSeconds({ hits: row.hits, windowStart: row.window_start }, check.limit, at));
  return assertionOptions(rp, challenge.bytes);
}

/**
 * POST /api/login/passkey — 2 statements on success, 1 for a refusal:
 *   1. one hit on the address's login counter (429 over its limit, nothing
 *      verified), the challenge the answer echoes taken (deleted: two requests
 *      with one challenge, one of them gets it), the passkey found by its
 *      credential id with its account, and a failed login (wrong_passkey)
 *      recorded for it;
 *   2. after the assertion verified: the sign counter moved by
 *      compare-and-set (two assertions of one passkey at once: one session),
 *      the event made login_succeeded, the address remembered, the counter's
 *      hit given back and the session INSERT, which depends on the counter's
 *      update.
 * Every refusal is the same 401 passkey_invalid: an unknown, used or expired
 * challenge, an unknown credential, a user handle of another account, a
 * signature, origin, RP ID or user verification that does not verify, and a
 * sign counter that did not move forward (a cloned authenticator).
 */
export async function signInWithPasskey(
  response: AuthenticationResponseJSON,
  by: Requester,
  rp: RelyingParty,
): Promise<{ user: UserFields; session: NewSession }> {
  const at = now();
  const challenge = challengeOf(response.response.clientDataJSON);
  if (challenge === undefined) throw new HttpError('passkey_invalid');
  const check = checks.loginIp(by.ip);
  const row = await getDb()
    .with('hit', countHit(check, at))
    .with('used', (qb) =>
      qb
        .deleteFrom('webauthn_challenges')
        .where('challenge', '=', challenge)
        .where('purpose', '=', 'login')
        .where('expires_at', '>', at)
        // Over the limit nothing is taken or recorded: the challenge may serve once the window ends.
        .where(sql<boolean>`(SELECT hits FROM hit) <= ${check.limit.count}::int`)
        .returning('id'),
    )
    .with('key', (qb) =>
      qb
        .selectFrom('passkeys')
        .select(['id', 'user_id', 'public_key', 'sign_count', 'transports', 'backup_eligible'])
        .where('credential_id', '=', Buffer.from(response.rawId, 'base64url'))
        .where(rowsIn('used')),
    )
    // A failed login until statement 2 says otherwise, as the password login records it.
    .with('recorded', (qb) =>
      qb
        .insertInto('security_events')
        .columns([...EVENT_COLUMNS])
        .expression((eb) => eb.selectFrom('key').select(['user_id', ...eventValues('login_failed', by, at, 'wrong_passkey')]))
        .returning('id'),
    )
    .selectFrom('hit as h')
    .leftJoin(
      (eb) =>
        eb
          .selectFrom('key as k')
          .innerJoin('users as u', 'u.id', 'k.user_id')
          .select([
            'k.id as passkey_id',
            'k.public_key',
            'k.sign_count',
            'k.transports',
            'k.backup_eligible',
            'u.id',
            'u.username',
            'u.email',
            'u.confirmed_at',
            'u.created_at',
          ])
          .as('found'),
      (join) => join.onTrue(),
    )
    .leftJoin('recorded as e', (join) => join.onTrue())
    .select([
      'h.hits',
      'h.window_start',
      'found.passkey_id',
      'found.public_key',
      'found.sign_count',
      'found.transports',
      'found.backup_eligible',
      'found.id',
      'found.username',
      'found.email',
      'found.confirmed_at',
      'found.created_at',
      'e.id as event_id',
    ])
    .executeTakeFirstOrThrow();
  const wait = retryAfterSeconds({ hits: row.hits, windowStart: row.window_start }, check.limit, at);
  if (wait > 0) throw rateLimited(wait);
  if (row.passkey_id === null) throw new HttpError('passkey_invalid');
  // A passkey found: its account's columns and its event are there too (confirmed_at may be null).
  const key = row as { [K in keyof typeof row]: K extends 'confirmed_at' ? Date | null : NonNullable<(typeof row)[K]> };
  // The library refuses what does not verify, a counter that went backwards among them; a user handle of another account too.
  const newCounter = await verifiedCounter(response, challenge, key, key.id, rp);
  if (newCounter === undefined) throw new HttpError('passkey_invalid');
  if (key.confirmed_at === null) throw new HttpError('account_not_confirmed');

  const userId = key.id;
  const moved = getDb()
    .with('moved', (qb) =>
      qb
        .updateTable('passkeys')
        .set({ sign_count: newCounter, last_used_at: at })
        .where('id', '=', key.passkey_id)
        .where('sign_count', '=', key.sign_count)
        .returning('user_id'),
    )
    .with('outcome', (qb) =>
      qb
        .updateTable('security_events')
        .set({ kind: 'login_succeeded', reason: null })
        .where('id', '=', key.event_id)
        .where(rowsIn('moved')),
    )
    // A signed-in passkey is no failed attempt: statement 1's hit goes back, in the window it was counted in.
    .with('locked', (qb) =>
      qb.selectFrom('rate_limits').select('bucket').where('bucket', '=', check.bucket).where(rowsIn('moved')).forUpdate(),
    )
    .with('given_back', giveBackHits([[check.bucket, key.window_start]]));
  const remembered = rememberAddress(moved as unknown as QueryCreator<Database>, userId, by.ip, at, rowsIn('moved'));
  try {
    const session = await createSession(userId, remembered as unknown as QueryCreator<Database>, by, rowsIn('moved'), [
      amrOf(key.backup_eligible),
    ]);
    return { user: userFieldsOf(key), session };
  } catch (error) {
    // Another assertion of this passkey moved its counter first, or the account is gone.
    if (error instanceof AccountGone) throw new HttpError('passkey_invalid');
    throw error;
  }
}
