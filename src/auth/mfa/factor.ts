// Enrolling, confirming and removing an account's TOTP factor. Each is 2 SQL
// statements on success: (1) the caller's live session with the user's hash
// and factor, this attempt counted BEFORE anything is checked (a password on
// the login's counters, as the password change does; a code on the account's
// second-factor counter), so concurrent guesses cannot pass the limits;
// (2) the change, with the compare-and-set that accepts a code and the
// release of the counters the right answer earned back. A refusal is 1.
import { randomBytes } from 'node:crypto';
import { sql, type QueryCreator } from 'kysely';
import { HttpError, validationFailed, type ErrorDetails } from '../../common/errors.ts';
import { now } from '../../config/clock.ts';
import { getDb } from '../../db/connection.ts';
import type { Database } from '../../db/schema.ts';
import { secondFactorEnabled, secondFactorRemoved } from '../../mail/templates.ts';
import { limitFor } from '../../rate-limit/limits.ts';
import { passwordAttempt, releaseAttempt } from '../attempts/password-attempt.ts';
import { passwordMatches } from '../passwords/proof.ts';
import type { Requester } from '../base/requester.ts';
import { notify } from '../codes/delivery.ts';
import { retireIssued } from '../codes/retired.ts';
import { CALLER_LIVE, lockLiveCaller, selectLiveSession } from '../sessions/sessions.ts';
import type { TokenClaims } from '../sessions/tokens.ts';
import { acceptCode, checkCode, laterThanLastUsed, recoveryLookup, rowsIn, type FactorState } from './codes.ts';
import { eventBecomes, eventFrom, keptInTrail, MFA_EVENT } from './events.ts';
import { codeCountColumns, countCode, refuseOverLimits, releaseCode } from './guesses.ts';
import { newRecoveryCodes } from './recovery-codes.ts';
import { mfaKey, openSecret, sealSecret } from './sealed-secret.ts';
import { base32, matchingStep, otpauthUri, SECRET_BYTES } from './totp.ts';

/** Who calls (address and user agent, for the counters and the audit trail) with which session. */
interface Caller extends Requester {
  claims: TokenClaims;
}

/**
 * What statement 1 counts: a password (as a login from this address is)
 * and/or a second-factor code, the code only where it will be checked: against
 * a pending enrolment (confirm) or the enabled factor (removal). A code that
 * meets no factor to check it against is answered (404, 409) uncounted, so no
 * session can spend the owner's code attempts with it.
 */
interface Counted {
  password: boolean;
  code: false | 'pending' | 'enabled';
  /** Enrolment and its confirmation: on an unproven address nothing is checked (403 email_unverified), so nothing counts. */
  provenOnly?: boolean;
}

/** Over statement 1's `caller` row: the operation goes on to check what it was sent. */
function checked({ provenOnly = false }: Counted) {
  return provenOnly ? sql<boolean>`(email_verified_at IS NOT NULL)` : sql<boolean>`true`;
}

/** Over statement 1's `caller` row: the code of `counted` is checked, so it counts. */
function codeChecked(counted: Counted) {
  if (counted.code === 'pending') return sql<boolean>`(secret_sealed IS NOT NULL AND factor_confirmed_at IS NULL AND ${checked(counted)})`;
  if (counted.code === 'enabled') return sql<boolean>`(factor_confirmed_at IS NOT NULL)`;
  return sql<boolean>`false`;
}

/** A second factor only where the address is proven: else it could be a squatter's on someone else's address. */
function requireProvenMailbox(row: { email_verified_at: Date | null }): void {
  if (row.email_verified_at === null) throw new HttpError('email_unverified');
}

/**
 * Statement 1: the caller's live session, user and factor (if any), with this
 * attempt counted BEFORE anything is checked: a password on the login's
 * counters as a proof of ownership is (src/auth/attempts/password-attempt.ts),
 * then a code on the account's second-factor counter, the rows locked in that
 * order. 401 when the session is not live, 429 over a limit.
 */
async function readCounting(by: Caller, counted: Counted, recoveryHash: Buffer, at: Date) {
  const { claims, ip } = by;
  const attempt = passwordAttempt(ip, at);
  const codeCounted = codeChecked(counted);
  const db = getDb().with('caller', (qb) =>
    selectLiveSession(claims, qb)
      .leftJoin('totp_factors as f', 'f.user_id', 'u.id')
      .select([
        'u.password_hash',
        'u.email_verified_at',
        'f.secret_sealed',
        'f.confirmed_at as factor_confirmed_at',
        'f.last_used_step',
        'f.locked_at',
        sql<boolean>`EXISTS (SELECT FROM recovery_codes r WHERE r.user_id = u.id AND r.code_hash = ${recoveryHash})`.as(
          'recovery_code_found',
        ),
      ]),
  ) as unknown as QueryCreator<Database>;
  const passwordCounted = attempt
    .count(db, 'caller', sql<boolean>`${counted.password}::boolean AND ${checked(counted)}`)
    .with('caller_user', (qb) => qb.selectFrom(sql<{ id: number }>`caller`.as('c')).select('c.id as user_id').where(codeCounted));
  const row = await countCode(passwordCounted as unknown as QueryCreator<Database>, 'caller_user', at)
    // A refused code until statement 2 says otherwise.
    .with('recorded', eventFrom('caller_user', MFA_EVENT.failed, by, at, keptInTrail('code_hits', limitFor('mfa'))))
    .selectFrom(sql<{ [column: string]: unknown }>`caller`.as('caller'))
    .leftJoin(sql<{ id: number }>`recorded`.as('e'), (join) => join.onTrue())
    .selectAll('caller')
    .select([...attempt.columns(sql`caller.id`), ...codeCountColumns, 'e.id as event_id'])
    .executeTakeFirst();
  if (row === undefined) throw new HttpError('unauthenticated');
  const password = attempt.read(row);
  const caller = row as typeof row & CallerRow;
  await refuseOverLimits(caller, caller, by, at, password.wait);
  return {
    ...caller,
    /** The password's attempt, released by statement 2 when the password was right. */
    password,
    eventId: row.event_id as number | null,
  };
}

interface CallerRow {
  id: number;
  username: string;
  email: string;
  locked_at: Date | null;
  password_hash: string;
  email_verified_at: Date | null;
  secret_sealed: Buffer | null;
  factor_confirmed_at: Date | null;
  last_used_step: number | null;
  recovery_code_found: boolean;
}

export interface Enrolment {
  /** Base32, for typing into the app. */
  secret: string;
  otpauthUri: string;
}

/**
 * POST /api/me/mfa/totp: the password proves the caller (400 details.password
 * when wrong, counted as a failed login from this address), then a new secret
 * replaces any pending enrolment. Nothing is enforced until it is confirmed;
 * 409 when a factor is already on. `issuer` names the service in the app.
 */
export async function startEnrolment(caller: Caller, password: string, issuer: string): Promise<Enrolment> {
  const key = mfaKey();
  const at = now();
  const userId = caller.claims.userId;
  const row = await readCounting(caller, { password: true, code: false, provenOnly: true }, Buffer.alloc(32), at);
  requireProvenMailbox(row);
  if (!(await passwordMatches(password, row.password_hash))) throw validationFailed({ password: ['is not correct'] });
  if (row.factor_confirmed_at !== null) throw new HttpError('mfa_already_enabled');

  const secret = randomBytes(SECRET_BYTES);
  // A pending secret is written only while the caller's session is live (lockLiveCaller).
  const locked = lockLiveCaller(caller.claims) as unknown as QueryCreator<Database>;
  const stored = await releaseAttempt(locked, userId, row.password, { onlyIf: CALLER_LIVE })
    .with('stored', (qb) =>
      qb
        .insertInto('totp_factors')
        .columns(['user_id', 'secret_sealed', 'created_at'])
        .expression((eb) =>
          eb
            .selectFrom(sql<{ user_id: number }>`live`.as('live'))
            .select([
              'live.user_id',
              sql<Buffer>`${sealSecret(secret, userId, key)}::bytea`.as('secret_sealed'),
              sql<Date>`${at}::timestamptz`.as('created_at'),
            ]),
        )
        .onConflict((oc) =>
          oc
            .column('user_id')
            .doUpdateSet({
              secret_sealed: (eb) => eb.ref('excluded.secret_sealed'),
              created_at: (eb) => eb.ref('excluded.created_at'),
              last_used_step: null,
            })
            // A factor confirmed meanwhile stays as it is.
            .where('totp_factors.confirmed_at', 'is', null),
        )
        .returning('user_id'),
    )
    .selectNoFrom([CALLER_LIVE.as('live'), sql<boolean>`EXISTS (SELECT FROM stored)`.as('stored')])
    .executeTakeFirstOrThrow();
  if (!stored.live) throw new HttpError('unauthenticated');
  if (!stored.stored) throw new HttpError('mfa_already_enabled');
  return { secret: base32(secret), otpauthUri: otpauthUri(secret, issuer, row.username) };
}

export interface Confirmed {
  recoveryCodes: string[];
  revokedSessions: number;
}

/**
 * POST /api/me/mfa/totp/confirm: a code from the app proves it holds the
 * secret (400 details.code when not, counted on the account's second-factor
 * counter); the factor is on from then, with ten new recovery codes, and
 * unless `revokeOtherSessions` is false every other session is ended.
 */
export async function confirmEnrolment(caller: Caller, code: string, revokeOtherSessions: boolean): Promise<Confirmed> {
  mfaKey();
  const at = now();
  const userId = caller.claims.userId;
  const row = await readCounting(caller, { password: false, code: 'pending', provenOnly: true }, Buffer.alloc(32), at);
  requireProvenMailbox(row);
  if (row.secret_sealed === null)
    throw new HttpError('not_found', 'There is no enrolment to confirm: start one with POST /api/me/mfa/totp.');
  if (row.factor_confirmed_at !== null) throw new HttpError('mfa_already_enabled');
  const step = matchingStep(openSecret(row.secret_sealed, userId), code, at);
  if (step === undefined) throw validationFailed({ code: ['is not correct'] });

  const { codes, hashes } = newRecoveryCodes();
  const confirming = (lockLiveCaller(caller.claims) as unknown as QueryCreator<Database>).with('confirmed', (qb) =>
    qb
      .updateTable('totp_factors')
      .set({ confirmed_at: at, last_used_step: step })
      .where('user_id', '=', userId)
      .where(CALLER_LIVE)
      .where('confirmed_at', 'is', null)
      // Still the secret the code was checked against: not replaced by a new enrolment meanwhile.
      .where('secret_sealed', '=', row.secret_sealed!)
      .returning('user_id'),
  );
  const result = await releaseCode(confirming, userId, row, rowsIn('confirmed'))
    .with('codes', (qb) =>
      qb
        .insertInto('recovery_codes')
        .columns(['user_id', 'code_hash'])
        .expression((eb) => eb.selectFrom('confirmed').select(['user_id', sql<Buffer>`unnest(${hashes}::bytea[])`.as('code_hash')])),
    )
    .with('enabled_event', eventBecomes(row.eventId!, MFA_EVENT.enabled, rowsIn('confirmed')))
    .with('revoked', (qb) =>
      qb
        .deleteFrom('sessions')
        .where('user_id', '=', userId)
        .where('id', '<>', caller.claims.sessionId)
        .where(sql<boolean>`${revokeOtherSessions}::boolean`)
        .where(rowsIn('confirmed'))
        .returning('id'),
    )
    .selectNoFrom([
      CALLER_LIVE.as('live'),
      sql<boolean>`EXISTS (SELECT FROM confirmed)`.as('confirmed'),
      sql<number>`(SELECT count(*)::int FROM revoked)`.as('revoked'),
    ])
    .executeTakeFirstOrThrow();
  // A reset or an e-mail change ended the session since statement 1: a factor it turned on would outlive them.
  if (!result.live) throw new HttpError('unauthenticated');
  if (!result.confirmed) throw new HttpError('mfa_already_enabled', 'The enrolment was confirmed or started again meanwhile.');
  await notify(caller, { purpose: 'mfa_enabled', accountId: userId }, (origin, appUrl) => secondFactorEnabled(row, origin, appUrl), at);
  return { recoveryCodes: codes, revokedSessions: result.revoked };
}

/**
 * DELETE /api/me/mfa/totp: the password and a code (from the app, or a
 * recovery code) both prove the caller; every wrong one is reported at once
 * (400 details.password, details.code), each counted on its counter. Then the
 * factor and its recovery codes are deleted. 404 when no factor is on.
 */
export async function removeFactor(caller: Caller, password: string, code: string): Promise<void> {
  mfaKey();
  const at = now();
  const userId = caller.claims.userId;
  const row = await readCounting(caller, { password: true, code: 'enabled' }, recoveryLookup(code), at);
  const details: ErrorDetails = {};
  if (!(await passwordMatches(password, row.password_hash))) details.password = ['is not correct'];
  if (row.secret_sealed === null || row.factor_confirmed_at === null) {
    if (details.password !== undefined) throw validationFailed(details);
    throw new HttpError('not_found', 'No second factor is enabled.');
  }
  const factor: FactorState = {
    userId,
    sealed: row.secret_sealed,
    lastUsedStep: row.last_used_step,
    recoveryCodeFound: row.recovery_code_found,
  };
  const accepted = checkCode(code, factor, at);
  if (accepted === undefined) details.code = ['is not correct'];
  if (Object.keys(details).length > 0) throw validationFailed(details);

  // A TOTP code is accepted by the DELETE itself (a row cannot be both updated
  // and deleted by one statement); a recovery code is deleted first.
  const taken = accepted!;
  // The account row and the caller's session first (lockLiveCaller): a reset meanwhile ends the removal too.
  const locked = lockLiveCaller(caller.claims) as unknown as QueryCreator<Database>;
  const db = taken.kind === 'recovery' ? (acceptCode(locked, userId, taken, CALLER_LIVE) as unknown as QueryCreator<Database>) : locked;
  const removing = db
    .with('removed', (qb) =>
      qb
        .deleteFrom('totp_factors')
        .where('user_id', '=', userId)
        .where(CALLER_LIVE)
        .where('confirmed_at', 'is not', null)
        .where(taken.kind === 'recovery' ? rowsIn('accepted') : laterThanLastUsed(taken.step))
        .returning('user_id'),
    )
    .with('codes', (qb) => qb.deleteFrom('recovery_codes').where('user_id', '=', userId).where(rowsIn('removed')));
  // What was opened or asked for while the factor guarded the account: codes/retired.ts.
  const removed = retireIssued(removing as unknown as QueryCreator<Database>, { account: { cte: 'removed', column: 'user_id' } });
  // A CTE may only name those before it: the hits are given back after the removal is known.
  const released = releaseAttempt(removed as unknown as QueryCreator<Database>, userId, row.password, { onlyIf: rowsIn('removed') });
  const result = await releaseCode(released as unknown as QueryCreator<Database>, userId, row, rowsIn('removed'))
    .with('disabled_event', eventBecomes(row.eventId!, MFA_EVENT.disabled, rowsIn('removed')))
    .with(
      'recovery_used',
      eventFrom('removed', MFA_EVENT.recoveryCodeUsed, caller, at, sql<boolean>`${taken.kind === 'recovery'}::boolean`),
    )
    .selectNoFrom([CALLER_LIVE.as('live'), sql<boolean>`EXISTS (SELECT FROM removed)`.as('removed')])
    .executeTakeFirstOrThrow();
  if (!result.live) throw new HttpError('unauthenticated');
  // Another request used the same code first, or removed the factor.
  if (!result.removed) throw validationFailed({ code: ['is not correct'] });
  await notify(
    caller,
    { purpose: 'mfa_disabled', accountId: userId },
    (origin, appUrl) => secondFactorRemoved(row, taken.kind === 'recovery', origin, appUrl),
    at,
  );
}
