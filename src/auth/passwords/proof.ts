// The caller proves it is the account's owner with its password, before a
// change that could take the account away from them (a password change,
// deletion, a new e-mail address). A stolen session must not make these a
// password oracle: each attempt is counted on the account's login counters
// before the password is checked, as a login's is
// (src/auth/attempts/password-attempt.ts). On an account with a second factor
// the same statement asks for its code too (src/auth/attempts/step-up.ts).
import { sql, type AliasedRawBuilder, type RawBuilder } from 'kysely';
import { HttpError, rateLimited, validationFailed, type ErrorDetails } from '../../common/errors.ts';
import { getDb } from '../../db/connection.ts';
import { userFieldsOf, type UserFields } from '../../users/present.ts';
import { passwordAttempt, type CountedAttempt } from '../attempts/password-attempt.ts';
import type { StepUp, SteppedUp } from '../attempts/step-up.ts';
import { selectLiveSession, sessionClock } from '../sessions/sessions.ts';
import type { TokenClaims } from '../sessions/tokens.ts';
import type { Requester } from '../base/requester.ts';
import { verifyPassword } from './hash.ts';
import { isOverlong } from './problems.ts';

export interface ProofAttempt {
  user: UserFields;
  passwordHash: string;
  /** The attempt as counted: what the operation's next statement releases (releaseAttempt) when the password was right. */
  counted: CountedAttempt;
  /** The second factor's code as statement 1 found it: what the operation's next statement takes. */
  stepUp: SteppedUp;
}

/**
 * What a change asks of the account before anything is counted or checked (a
 * proven address, room for one more passkey): when it does not hold, the
 * change is refused with nothing counted, as nothing was checked.
 */
export interface Precondition {
  /** Over the CTE `caller` (the session's user, with `email_verified_at`): whether it holds. */
  holds: RawBuilder<boolean>;
  /** Statement 1's columns `refuse` and the change read, over `caller`. */
  columns: AliasedRawBuilder<unknown, string>[];
  /** Throws the refusal when `holds` did not. */
  refuse(row: Record<string, unknown>): void;
}

/** The address proven: what may be attached to an account (a factor, a passkey, an identity) needs it, or it could be a squatter's way in. */
export const PROVEN_ADDRESS: Precondition = {
  holds: sql<boolean>`(caller.email_verified_at IS NOT NULL)`,
  columns: [],
  refuse(row) {
    if (row.email_verified_at === null) throw new HttpError('email_unverified');
  },
};

/**
 * 1 statement: the caller's live session and user with the hash, and this
 * attempt counted on the account's login counters (this address's and,
 * when that one lets it through, the one across addresses), and whether the
 * account has a second factor, its code counted on the factor's counter when
 * one came. 401 when the session is not live; then the precondition's
 * refusal (nothing counted); 403 step_up_required when a factor is on and no
 * code came (the password is then neither counted nor checked); 429 over a
 * limit, before any hash. The attempt stays counted unless the operation's
 * next statement releases it.
 */
export async function countProofAttempt(
  claims: TokenClaims,
  by: Requester,
  stepUp: StepUp,
  precondition?: Precondition,
): Promise<ProofAttempt & { row: Record<string, unknown> }> {
  const clock = sessionClock();
  const db = getDb();
  const context = { userId: claims.userId, by, at: clock.at };
  const attempt = passwordAttempt(by.ip, clock.at);
  const holds = precondition?.holds ?? sql<boolean>`true`;
  const counting = attempt
    .count(
      db.with('caller', () => selectLiveSession(claims, db, clock).select(['u.password_hash', 'u.email_verified_at'])),
      'caller',
      sql<boolean>`(${holds} AND ${stepUp.passwordCounted('caller')})`,
    )
    // The code is counted over the caller's row only where the precondition holds.
    .with('caller_open', (qb) => qb.selectFrom('caller').selectAll().where(holds));
  const row = await stepUp
    .count(counting, 'caller_open', context)
    .selectFrom('caller')
    .selectAll('caller')
    .select(attempt.columns(sql`caller.id`))
    .select(stepUp.columns('caller'))
    .select(precondition?.columns ?? [])
    .executeTakeFirst();
  if (row === undefined) throw new HttpError('unauthenticated');
  precondition?.refuse(row);
  const counted = attempt.read(row);
  const steppedUp = await stepUp.read(row, context, counted.wait);
  if (counted.wait > 0) throw rateLimited(counted.wait);
  return { user: userFieldsOf(row), passwordHash: row.password_hash, counted, stepUp: steppedUp, row };
}

/** Whether `password` is the one `hash` was made of; an overlong one is not, without hashing. */
export async function passwordMatches(password: string, hash: string): Promise<boolean> {
  return !isOverlong(password) && (await verifyPassword(password, hash)).ok;
}

/**
 * countProofAttempt, then the password and the step-up's code checked: 400
 * with `details.password` and `details.code` for each that is wrong (an
 * overlong password without hashing), the attempt counted.
 */
export async function proveOwnership(claims: TokenClaims, password: string, by: Requester, stepUp: StepUp): Promise<ProofAttempt> {
  return checkProof(await countProofAttempt(claims, by, stepUp), password);
}

/** The password and the step-up's code of a counted attempt checked: 400 naming each that is wrong. */
export async function checkProof<P extends ProofAttempt>(attempt: P, password: string): Promise<P> {
  const details: ErrorDetails = {};
  if (!(await passwordMatches(password, attempt.passwordHash))) details.password = ['is not correct'];
  if (attempt.stepUp.problems.length > 0) details[attempt.stepUp.field] = attempt.stepUp.problems;
  if (Object.keys(details).length > 0) throw validationFailed(details);
  return attempt;
}
