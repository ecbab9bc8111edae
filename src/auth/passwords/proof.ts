// The caller proves it is the account's owner with its password, before a
// change that could take the account away from them (a password change,
// deletion, a new e-mail address). A stolen session must not make these a
// password oracle: each attempt is counted on the account's login counters
// before the password is checked, as a login's is
// (src/auth/attempts/password-attempt.ts).
import { sql } from 'kysely';
import { HttpError, rateLimited, validationFailed } from '../../common/errors.ts';
import { getDb } from '../../db/connection.ts';
import { userFieldsOf, type UserFields } from '../../users/present.ts';
import { passwordAttempt, type CountedAttempt } from '../attempts/password-attempt.ts';
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
}

/**
 * 1 statement: the caller's live session and user with the hash, and this
 * attempt counted on the account's login counters (this address's and,
 * when that one lets it through, the one across addresses). 401 when the
 * session is not live; 429 over a limit, before any hash. The attempt stays
 * counted unless the operation's next statement releases it.
 */
export async function countProofAttempt(claims: TokenClaims, by: Requester): Promise<ProofAttempt> {
  const clock = sessionClock();
  const db = getDb();
  const attempt = passwordAttempt(by.ip, clock.at);
  const row = await attempt
    .count(
      db.with('caller', () => selectLiveSession(claims, db, clock).select('u.password_hash')),
      'caller',
    )
    .selectFrom('caller')
    .selectAll('caller')
    .select(attempt.columns(sql`caller.id`))
    .executeTakeFirst();
  if (row === undefined) throw new HttpError('unauthenticated');
  const counted = attempt.read(row);
  if (counted.wait > 0) throw rateLimited(counted.wait);
  return { user: userFieldsOf(row), passwordHash: row.password_hash, counted };
}

/** Whether `password` is the one `hash` was made of; an overlong one is not, without hashing. */
export async function passwordMatches(password: string, hash: string): Promise<boolean> {
  return !isOverlong(password) && (await verifyPassword(password, hash)).ok;
}

/**
 * countProofAttempt, then the password checked: 400 with `details.password`
 * when it is wrong (an overlong one without hashing), the attempt counted.
 */
export async function proveOwnership(claims: TokenClaims, password: string, by: Requester): Promise<ProofAttempt> {
  const attempt = await countProofAttempt(claims, by);
  if (!(await passwordMatches(password, attempt.passwordHash))) throw validationFailed({ password: ['is not correct'] });
  return attempt;
}
