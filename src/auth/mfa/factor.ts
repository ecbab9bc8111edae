// Enrolling, confirming and removing an account's TOTP factor. Each is 2 SQL
// statements on success: (1) the caller's live session with the user's hash
// and factor, this attempt counted BEFORE anything is checked (a password on
// the login's per-account-and-address counter, a code on the account's
// second-factor counter), so concurrent guesses cannot pass the limits;
// (2) the change, with the compare-and-set that accepts a code and the
// release of the counters the right answer earned back. A refusal is 1.
import { randomBytes } from 'node:crypto';
import { sql, type QueryCreator } from 'kysely';
import { HttpError, rateLimited, validationFailed, type ErrorDetails } from '../../common/errors.ts';
import { now } from '../../config/clock.ts';
import { getDb } from '../../db/connection.ts';
import type { Database } from '../../db/schema.ts';
import { countAnotherHit, retryAfterSeconds } from '../../rate-limit/counter.ts';
import { checks, type Check } from '../../rate-limit/limits.ts';
import { verifyPassword } from '../passwords/hash.ts';
import { isOverlong } from '../passwords/problems.ts';
import { selectLiveSession } from '../sessions/sessions.ts';
import type { TokenClaims } from '../sessions/tokens.ts';
import { acceptCode, checkCode, laterThanLastUsed, recoveryLookup, rowsIn, type FactorState } from './codes.ts';
import { newRecoveryCodes } from './recovery-codes.ts';
import { mfaKey, openSecret, sealSecret } from './sealed-secret.ts';
import { base32, matchingStep, otpauthUri, SECRET_BYTES } from './totp.ts';

interface Caller {
  claims: TokenClaims;
  ip: string;
}

/**
 * Statement 1: the caller's live session, user and factor (if any), with one
 * hit counted on each of `counted` (in bucket order, as every counting
 * statement does). 401 when the session is not live, 429 over a limit.
 */
async function readCounting(claims: TokenClaims, counted: Check[], recoveryHash: Buffer, at: Date) {
  const sorted = [...counted].sort((a, b) => (a.bucket < b.bucket ? -1 : 1));
  const row = await getDb()
    .with('caller', (qb) =>
      selectLiveSession(claims, qb)
        .leftJoin('totp_factors as f', 'f.user_id', 'u.id')
        .select([
          'u.password_hash',
          'f.secret_sealed',
          'f.confirmed_at as factor_confirmed_at',
          'f.last_used_step',
          sql<boolean>`EXISTS (SELECT FROM recovery_codes r WHERE r.user_id = u.id AND r.code_hash = ${recoveryHash})`.as('recovery_code_found'),
        ]),
    )
    .with('attempt', (qb) =>
      qb
        .insertInto('rate_limits')
        .columns(['bucket', 'window_start', 'hits'])
        .expression((eb) =>
          eb
            .selectFrom(sql<{ bucket: string }>`(${sql.join(sorted.map((c) => sql`SELECT ${c.bucket}::text AS bucket`), sql` UNION ALL `)})`.as('b'))
            .select(['b.bucket', sql<Date>`${at}::timestamptz`.as('window_start'), sql<number>`1`.as('hits')])
            .where(rowsIn('caller'))
            .orderBy('b.bucket'),
        )
        .onConflict(
          countAnotherHit(
            sql<Date>`CASE rate_limits.bucket ${sql.join(
              sorted.map((c) => sql`WHEN ${c.bucket} THEN ${new Date(at.getTime() - c.limit.windowMs)}::timestamptz`),
              sql` `,
            )} END`,
          ),
        )
        .returning(['bucket', 'hits', 'window_start']),
    )
    .selectFrom('caller')
    .selectAll('caller')
    .select(sql<{ bucket: string; hits: number; window_start: string }[]>`(SELECT json_agg(attempt) FROM attempt)`.as('attempts'))
    .executeTakeFirst();
  if (row === undefined) throw new HttpError('unauthenticated');
  const wait = Math.max(
    ...sorted.map((c) => {
      const hit = row.attempts.find((a) => a.bucket === c.bucket)!;
      return retryAfterSeconds({ hits: hit.hits, windowStart: new Date(hit.window_start) }, c.limit, at);
    }),
  );
  if (wait > 0) throw rateLimited(wait);
  const windowOf = (c: Check) => new Date(row.attempts.find((a) => a.bucket === c.bucket)!.window_start);
  return { ...row, windowOf };
}

const passwordRight = async (password: string, hash: string) => !isOverlong(password) && (await verifyPassword(password, hash)).ok;

/** Statement 2's CTE that gives back a hit counted in statement 1 (in the window it was counted in): a right answer is no failure. */
const givenBack = (check: Check, windowStart: Date) =>
  getDb()
    .updateTable('rate_limits')
    .set({ hits: sql`hits - 1` })
    .where('bucket', '=', check.bucket)
    .where('window_start', '=', windowStart)
    .where('hits', '>', 0);

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
  const counted = checks.loginAccount(userId, caller.ip);
  const row = await readCounting(caller.claims, [counted], Buffer.alloc(32), at);
  if (!(await passwordRight(password, row.password_hash))) throw validationFailed({ password: ['is not correct'] });
  if (row.factor_confirmed_at !== null) throw new HttpError('mfa_already_enabled');

  const secret = randomBytes(SECRET_BYTES);
  const stored = await getDb()
    .with('given_back', () => givenBack(counted, row.windowOf(counted)))
    .insertInto('totp_factors')
    .values({ user_id: userId, secret_sealed: sealSecret(secret, userId, key), created_at: at })
    .onConflict((oc) =>
      oc
        .column('user_id')
        .doUpdateSet({ secret_sealed: (eb) => eb.ref('excluded.secret_sealed'), created_at: (eb) => eb.ref('excluded.created_at'), last_used_step: null })
        // A factor confirmed meanwhile stays as it is.
        .where('totp_factors.confirmed_at', 'is', null),
    )
    .returning('user_id')
    .executeTakeFirst();
  if (stored === undefined) throw new HttpError('mfa_already_enabled');
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
  const counted = checks.mfa(userId);
  const row = await readCounting(caller.claims, [counted], Buffer.alloc(32), at);
  if (row.secret_sealed === null) throw new HttpError('not_found', 'There is no enrolment to confirm: start one with POST /api/me/mfa/totp.');
  if (row.factor_confirmed_at !== null) throw new HttpError('mfa_already_enabled');
  const step = matchingStep(openSecret(row.secret_sealed, userId), code, at);
  if (step === undefined) throw validationFailed({ code: ['is not correct'] });

  const { codes, hashes } = newRecoveryCodes();
  const result = await getDb()
    .with('confirmed', (qb) =>
      qb
        .updateTable('totp_factors')
        .set({ confirmed_at: at, last_used_step: step })
        .where('user_id', '=', userId)
        .where('confirmed_at', 'is', null)
        // Still the secret the code was checked against: not replaced by a new enrolment meanwhile.
        .where('secret_sealed', '=', row.secret_sealed!)
        .returning('user_id'),
    )
    .with('codes', (qb) =>
      qb
        .insertInto('recovery_codes')
        .columns(['user_id', 'code_hash'])
        .expression((eb) => eb.selectFrom('confirmed').select(['user_id', sql<Buffer>`unnest(${hashes}::bytea[])`.as('code_hash')])),
    )
    .with('released', (qb) => qb.deleteFrom('rate_limits').where('bucket', '=', counted.bucket).where(rowsIn('confirmed')))
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
      sql<boolean>`EXISTS (SELECT FROM confirmed)`.as('confirmed'),
      sql<number>`(SELECT count(*)::int FROM revoked)`.as('revoked'),
    ])
    .executeTakeFirstOrThrow();
  if (!result.confirmed) throw new HttpError('mfa_already_enabled', 'The enrolment was confirmed or started again meanwhile.');
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
  const passwordCheck = checks.loginAccount(userId, caller.ip);
  const codeCheck = checks.mfa(userId);
  const row = await readCounting(caller.claims, [passwordCheck, codeCheck], recoveryLookup(code), at);
  const details: ErrorDetails = {};
  if (!(await passwordRight(password, row.password_hash))) details.password = ['is not correct'];
  if (row.secret_sealed === null || row.factor_confirmed_at === null) {
    if (details.password !== undefined) throw validationFailed(details);
    throw new HttpError('not_found', 'No second factor is enabled.');
  }
  const factor: FactorState = { userId, sealed: row.secret_sealed, lastUsedStep: row.last_used_step, recoveryCodeFound: row.recovery_code_found };
  const accepted = checkCode(code, factor, at);
  if (accepted === undefined) details.code = ['is not correct'];
  if (Object.keys(details).length > 0) throw validationFailed(details);

  // A TOTP code is accepted by the DELETE itself (a row cannot be both updated
  // and deleted by one statement); a recovery code is deleted first.
  const taken = accepted!;
  const db = taken.kind === 'recovery' ? (acceptCode(getDb(), userId, taken) as unknown as QueryCreator<Database>) : getDb();
  const result = await db
    .with('removed', (qb) =>
      qb
        .deleteFrom('totp_factors')
        .where('user_id', '=', userId)
        .where('confirmed_at', 'is not', null)
        .where(taken.kind === 'recovery' ? rowsIn('accepted') : laterThanLastUsed(taken.step))
        .returning('user_id'),
    )
    .with('codes', (qb) => qb.deleteFrom('recovery_codes').where('user_id', '=', userId).where(rowsIn('removed')))
    .with('given_back', () => givenBack(passwordCheck, row.windowOf(passwordCheck)).where(rowsIn('removed')))
    .with('released', (qb) => qb.deleteFrom('rate_limits').where('bucket', '=', codeCheck.bucket).where(rowsIn('removed')))
    .selectNoFrom(sql<boolean>`EXISTS (SELECT FROM removed)`.as('removed'))
    .executeTakeFirstOrThrow();
  // Another request used the same code first, or removed the factor.
  if (!result.removed) throw validationFailed({ code: ['is not correct'] });
}
