// Sign-in with a passkey and no password: a discoverable credential, so the
// options name no account (the browser's conditional UI offers the passkeys
// it holds for the RP ID). It ends as POST /api/login does: a session, the
// address remembered, login_succeeded in the trail; at aal2, amr `swk` or
// `hwk` (src/auth/passkeys/README.md).
//
// Limits: the options count one attempt on the address's login counter
// (RATE_LIMIT_LOGIN_IP), before a challenge exists, so an address gets no
// more assertions checked than it gets passwords. They are not counted on the
// account's second-factor counter: anyone who learned a credential id could
// then lock the owner's TOTP step with made-up assertions, and a signature
// cannot be guessed as a 6-digit code can.
import type { AuthenticationResponseJSON, PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server';
import { sql, type QueryCreator } from 'kysely';
import { HttpError, rateLimited } from '../../common/errors.ts';
import { now } from '../../config/clock.ts';
import { getDb } from '../../db/connection.ts';
import type { Database } from '../../db/schema.ts';
import { countAnotherHit, retryAfterSeconds } from '../../rate-limit/counter.ts';
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
 * login counter and, under its limit, a challenge (no account: user_id null).
 * 429 with Retry-After over it.
 */
export async function signInOptions(by: Requester, rp: RelyingParty): Promise<PublicKeyCredentialRequestOptionsJSON> {
  const at = now();
  const check = checks.loginIp(by.ip);
  const challenge = newChallenge();
  const row = await getDb()
    .with('hit', (qb) =>
      qb
        .insertInto('rate_limits')
        .values({ bucket: check.bucket, window_start: at, hits: 1 })
        .onConflict(countAnotherHit(sql<Date>`${new Date(at.getTime() - check.limit.windowMs)}::timestamptz`))
        .returning(['hits', 'window_start']),
    )
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
 *   1. the challenge the answer echoes taken (deleted: two requests with one
 *      challenge, one of them gets it), the passkey found by its credential id
 *      with its account, and a failed login (wrong_passkey) recorded for it;
 *   2. after the assertion verified: the sign counter moved by
 *      compare-and-set (two assertions of one passkey at once: one session),
 *      the event made login_succeeded, the address remembered and the
 *      session INSERT, which depends on the counter's update.
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
  const row = await getDb()
    .with('used', (qb) =>
      qb
        .deleteFrom('webauthn_challenges')
        .where('challenge', '=', challenge)
        .where('purpose', '=', 'login')
        .where('expires_at', '>', at)
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
    .selectFrom('key as k')
    .innerJoin('users as u', 'u.id', 'k.user_id')
    .leftJoin('recorded as e', (join) => join.onTrue())
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
      'e.id as event_id',
    ])
    .executeTakeFirst();
  if (row === undefined) throw new HttpError('passkey_invalid');
  // The library refuses what does not verify, a counter that went backwards among them; a user handle of another account too.
  const newCounter = await verifiedCounter(response, challenge, row, row.id, rp);
  if (newCounter === undefined) throw new HttpError('passkey_invalid');
  if (row.confirmed_at === null) throw new HttpError('account_not_confirmed');

  const userId = row.id;
  const moved = getDb()
    .with('moved', (qb) =>
      qb
        .updateTable('passkeys')
        .set({ sign_count: newCounter, last_used_at: at })
        .where('id', '=', row.passkey_id)
        .where('sign_count', '=', row.sign_count)
        .returning('user_id'),
    )
    .with('outcome', (qb) =>
      qb
        .updateTable('security_events')
        .set({ kind: 'login_succeeded', reason: null })
        .where('id', '=', row.event_id!)
        .where(rowsIn('moved')),
    );
  const remembered = rememberAddress(moved as unknown as QueryCreator<Database>, userId, by.ip, at, rowsIn('moved'));
  try {
    const session = await createSession(userId, remembered as unknown as QueryCreator<Database>, by, rowsIn('moved'), [
      amrOf(row.backup_eligible),
    ]);
    return { user: userFieldsOf(row), session };
  } catch (error) {
    // Another assertion of this passkey moved its counter first, or the account is gone.
    if (error instanceof AccountGone) throw new HttpError('passkey_invalid');
    throw error;
  }
}
