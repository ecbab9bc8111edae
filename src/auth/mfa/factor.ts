// Enrolling, confirming and removing an account's TOTP factor, and new
// recovery codes. Each is 2 SQL statements on success: (1) the caller's live
// session with the user's hash and factor, this attempt counted BEFORE
// anything is checked (a password on the login's counters, as the password
// change does; a code on the account's second-factor counter), so concurrent
// guesses cannot pass the limits; (2) the change, with the compare-and-set
// that accepts a code and the release of the counters the right answer earned
// back. A refusal is 1. Removal and new recovery codes prove the owner as the
// other guarded changes do: the password and the step-up (step-up.ts).
import { randomBytes } from 'node:crypto';
import { sql, type QueryCreator } from 'kysely';
import { HttpError, validationFailed } from '../../common/errors.ts';
import { now } from '../../config/clock.ts';
import { getDb } from '../../db/connection.ts';
import type { Database } from '../../db/schema.ts';
import { secondFactorEnabled, secondFactorRemoved } from '../../mail/templates.ts';
import { passwordAttempt, releaseAttempt } from '../attempts/password-attempt.ts';
import { checkProof, PROVEN_ADDRESS, proveOwnership } from '../passwords/proof.ts';
import { userFieldsOf } from '../../users/present.ts';
import type { Client, Requester } from '../base/requester.ts';
import { notify } from '../codes/delivery.ts';
import { retireIssued } from '../codes/retired.ts';
import { CALLER_LIVE, lockLiveCaller, selectLiveSession } from '../sessions/sessions.ts';
import type { TokenClaims } from '../sessions/tokens.ts';
import { rowsIn } from '../base/rows-in.ts';
import { eventBecomes, MFA_EVENT } from './events.ts';
import { newRecoveryCodes } from './recovery-codes.ts';
import { mfaKeys, openSecret, sealSecret } from './sealed-secret.ts';
import { releaseCode } from './guesses.ts';
import { CODE_COLUMNS, countCheckedCode, NO_STEP_UP, readCheckedCode, UNGUARDED } from './step-up.ts';
import { takenMeanwhile, type StepUp } from '../attempts/step-up.ts';
import { base32, matchingStep, otpauthUri, SECRET_BYTES } from './totp.ts';

/** Who calls (address and user agent, for the counters and the audit trail) with which session. */
type Caller = (Requester | Client) & { claims: TokenClaims };

/**
 * What statement 1 of an enrolment counts: the password (as a login from this
 * address is) to start one, the code of the pending secret to confirm it, the
 * code only when there is a pending enrolment to check it against: a code that
 * meets none is answered (404, 409) uncounted, so no session can spend the
 * owner's code attempts with it.
 */
type Counted = 'password' | 'pending code';

/**
 * Statement 1: the caller's live session, user and factor (if any), with this
 * attempt counted BEFORE anything is checked: a password on the login's
 * counters as a proof of ownership is (src/auth/attempts/password-attempt.ts),
 * or a code on the account's second-factor counters (step-up.ts's
 * countCheckedCode). On an unproven address nothing is counted: 403
 * email_unverified before anything is checked. 401 when the session is not
 * live, 429 over a limit (mfa_locked for a locked factor).
 */
async function readCounting(by: Caller, counted: Counted, at: Date, stepUp: StepUp = NO_STEP_UP) {
  const { claims, ip } = by;
  const attempt = passwordAttempt(ip, at);
  const context = { userId: claims.userId, by, at };
  const db = getDb().with('caller', (qb) =>
    selectLiveSession(claims, qb)
      .leftJoin('totp_factors as f', 'f.user_id', 'u.id')
      .select(['u.password_hash', 'u.email_verified_at', 'f.secret_sealed', 'f.confirmed_at as factor_confirmed_at', 'f.locked_at']),
  ) as unknown as QueryCreator<Database>;
  const proven = sql<boolean>`(email_verified_at IS NOT NULL)`;
  const pending = sql<boolean>`(${counted === 'pending code'}::boolean AND ${proven} AND secret_sealed IS NOT NULL AND factor_confirmed_at IS NULL)`;
  // A confirmed factor is answered 409 whatever the step-up: its password is counted as before.
  const passwordCounted = sql<boolean>`(${counted === 'password'}::boolean AND ${proven}
    AND (factor_confirmed_at IS NOT NULL OR ${stepUp.passwordCounted('caller')}))`;
  const row = await countCheckedCode(
    stepUp.count(attempt.count(db, 'caller', passwordCounted), 'caller', context),
    'caller',
    pending,
    context,
  )
    .selectFrom(sql<{ [column: string]: unknown }>`caller`.as('caller'))
    .selectAll('caller')
    .select([...attempt.columns(sql`caller.id`), ...CODE_COLUMNS, ...stepUp.columns('caller')])
    .executeTakeFirst();
  if (row === undefined) throw new HttpError('unauthenticated');
  const caller = row as typeof row & CallerRow;
  PROVEN_ADDRESS.refuse(caller);
  const password = attempt.read(row as unknown as Parameters<typeof attempt.read>[0]);
  const steppedUp = caller.factor_confirmed_at === null ? await stepUp.read(row, context, password.wait) : UNGUARDED;
  const code = await readCheckedCode(row, caller, caller.locked_at, context, password.wait);
  return {
    ...caller,
    /** The password's attempt, released by statement 2 when the password was right. */
    password,
    code,
    /** The step-up of enrolment's start, taken by statement 2. */
    steppedUp,
  };
}

interface CallerRow {
  id: number;
  username: string;
  email: string;
  confirmed_at: Date | null;
  created_at: Date;
  email_verified_at: Date | null;
  locked_at: Date | null;
  password_hash: string;
  secret_sealed: Buffer | null;
  factor_confirmed_at: Date | null;
}

export interface Enrolment {
  /** Base32, for typing into the app. */
  secret: string;
  otpauthUri: string;
}

/**
 * POST /api/me/mfa/totp: the password proves the caller (400 details.password
 * when wrong, counted as a failed login from this address) and, on an account
 * with passkeys, a passkey's step-up: else a code of the new secret would be a
 * step-up got with the password alone (403 step_up_required without it,
 * 400 details.passkey when wrong). Then a new secret replaces any pending
 * enrolment, with the step-up taken. Nothing is enforced until it is
 * confirmed; 409 when a factor is already on. `issuer` names the service in the app.
 */
export async function startEnrolment(caller: Caller, password: string, stepUp: StepUp, issuer: string): Promise<Enrolment> {
  const [key] = mfaKeys();
  const at = now();
  const userId = caller.claims.userId;
  const row = await readCounting(caller, 'password', at, stepUp);
  await checkProof({ user: userFieldsOf(row), passwordHash: row.password_hash, counted: row.password, stepUp: row.steppedUp }, password);
  if (row.factor_confirmed_at !== null) throw new HttpError('mfa_already_enabled');

  const secret = randomBytes(SECRET_BYTES);
  // A pending secret is written only while the caller's session is live (lockLiveCaller).
  const locked = lockLiveCaller(caller.claims) as unknown as QueryCreator<Database>;
  const { db, taken } = row.steppedUp.take(releaseAttempt(locked, userId, row.password, { onlyIf: CALLER_LIVE }), { onlyIf: CALLER_LIVE });
  const stored = await (db as unknown as QueryCreator<Database>)
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
            ])
            .where(taken),
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
    .selectNoFrom([CALLER_LIVE.as('live'), taken.as('taken'), sql<boolean>`EXISTS (SELECT FROM stored)`.as('stored')])
    .executeTakeFirstOrThrow();
  if (!stored.live) throw new HttpError('unauthenticated');
  // Another request used the same step-up challenge first.
  if (!stored.taken) throw takenMeanwhile(row.steppedUp);
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
  mfaKeys();
  const at = now();
  const userId = caller.claims.userId;
  const row = await readCounting(caller, 'pending code', at);
  if (row.secret_sealed === null)
    throw new HttpError('not_found', 'There is no enrolment to confirm: start one with POST /api/me/mfa/totp.');
  if (row.factor_confirmed_at !== null) throw new HttpError('mfa_already_enabled');
  const opened = openSecret(row.secret_sealed, userId);
  const step = matchingStep(opened.secret, code, at);
  if (step === undefined) throw validationFailed({ code: ['is not correct'] });

  const { codes, hashes } = newRecoveryCodes();
  const confirming = (lockLiveCaller(caller.claims) as unknown as QueryCreator<Database>).with('confirmed', (qb) =>
    qb
      .updateTable('totp_factors')
      // Sealed again under the first key when an older one opened it (sealed-secret.ts).
      .set({ confirmed_at: at, last_used_step: step, secret_sealed: opened.resealed ?? row.secret_sealed! })
      .where('user_id', '=', userId)
      .where(CALLER_LIVE)
      .where('confirmed_at', 'is', null)
      // Still the secret the code was checked against: not replaced by a new enrolment meanwhile.
      .where('secret_sealed', '=', row.secret_sealed!)
      .returning('user_id'),
  );
  const result = await releaseCode(confirming, userId, row.code.count, rowsIn('confirmed'))
    .with('codes', (qb) =>
      qb
        .insertInto('recovery_codes')
        .columns(['user_id', 'code_hash'])
        .expression((eb) => eb.selectFrom('confirmed').select(['user_id', sql<Buffer>`unnest(${hashes}::bytea[])`.as('code_hash')])),
    )
    .with('enabled_event', eventBecomes(row.code.eventId!, MFA_EVENT.enabled, rowsIn('confirmed')))
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
 * The removal's and the renewal's proof, as every change the step-up guards
 * is proved (proveOwnership: the password and a code, 403 step_up_required
 * without one); 404 when no factor is on. Then statement 2's first CTEs: the
 * account row and the caller's session locked (lockLiveCaller: a reset
 * meanwhile ends the change too), the password's hits given back.
 */
async function proveForFactor(caller: Caller, password: string, stepUp: StepUp) {
  mfaKeys();
  const proof = await proveOwnership(caller.claims, password, caller, stepUp);
  if (!proof.stepUp.factor) throw new HttpError('not_found', 'No second factor is enabled.');
  const locked = lockLiveCaller(caller.claims) as unknown as QueryCreator<Database>;
  return { proof, released: releaseAttempt(locked, caller.claims.userId, proof.counted, { onlyIf: CALLER_LIVE }) };
}

/**
 * DELETE /api/me/mfa/totp: proved by proveForFactor; the factor and its
 * recovery codes are deleted, the code taken by the DELETE.
 */
export async function removeFactor(caller: Caller, password: string, stepUp: StepUp): Promise<void> {
  const userId = caller.claims.userId;
  const { proof, released } = await proveForFactor(caller, password, stepUp);
  const { db, taken, takenIn } = proof.stepUp.take(released, { onlyIf: CALLER_LIVE, change: 'removing-factor' });
  const removing = db.with('codes', (qb) => qb.deleteFrom('recovery_codes').where('user_id', '=', userId).where(taken));
  // What was opened or asked for while the factor guarded the account: codes/retired.ts.
  const result = await retireIssued(removing as unknown as QueryCreator<Database>, { account: { cte: takenIn, column: 'user_id' } })
    .selectNoFrom([CALLER_LIVE.as('live'), taken.as('removed')])
    .executeTakeFirstOrThrow();
  if (!result.live) throw new HttpError('unauthenticated');
  // Another request used the same code first, or removed the factor.
  if (!result.removed) throw takenMeanwhile(proof.stepUp);
  await notify(
    caller,
    { purpose: 'mfa_disabled', accountId: userId },
    (origin, appUrl) => secondFactorRemoved(proof.user, proof.stepUp.usedRecoveryCode, origin, appUrl),
    now(),
  );
}

/**
 * POST /api/me/mfa/recovery-codes: proved by proveForFactor; ten new recovery
 * codes replace the old ones, used or not, in the statement that takes the code.
 */
export async function regenerateRecoveryCodes(caller: Caller, password: string, stepUp: StepUp): Promise<{ recoveryCodes: string[] }> {
  const userId = caller.claims.userId;
  const { proof, released } = await proveForFactor(caller, password, stepUp);
  const { codes, hashes } = newRecoveryCodes();
  const { db, taken, takenIn } = proof.stepUp.take(released, { onlyIf: CALLER_LIVE });
  const result = await (db as unknown as QueryCreator<Database>)
    // A recovery code given as the proof goes with the others (this CTE and the code's own deletion agree).
    .with('old_codes', (qb) => qb.deleteFrom('recovery_codes').where('user_id', '=', userId).where(taken))
    .with('new_codes', (qb) =>
      qb
        .insertInto('recovery_codes')
        .columns(['user_id', 'code_hash'])
        .expression(sql`SELECT user_id, unnest(${hashes}::bytea[]) FROM ${sql.table(takenIn)}`),
    )
    .selectNoFrom([CALLER_LIVE.as('live'), taken.as('replaced')])
    .executeTakeFirstOrThrow();
  if (!result.live) throw new HttpError('unauthenticated');
  if (!result.replaced) throw takenMeanwhile(proof.stepUp);
  return { recoveryCodes: codes };
}
