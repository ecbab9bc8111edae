// Password change by a logged-in user: the current password proves it is
// them; every other session is revoked, the one making the change is kept.
import { HttpError, validationFailed, type ErrorDetails } from '../../common/errors.ts';
import { now } from '../../config/clock.ts';
import { getDb } from '../../db/connection.ts';
import { selectLiveSession } from '../sessions/sessions.ts';
import type { TokenClaims } from '../sessions/tokens.ts';
import { hashPassword, verifyPassword } from './hash.ts';
import { passwordProblems } from './policy.ts';
import { isOverlong } from './problems.ts';

export interface PasswordChange {
  currentPassword: string;
  newPassword: string;
}

/**
 * 1 statement reads the caller's live session with the user's hash (401 if
 * gone); a wrong current password (`details.currentPassword`) and every rule
 * the new one breaks, the breached-password check included
 * (`details.newPassword`), are reported together as 400, and
 * change nothing; otherwise 1 statement sets the hash, retires unused reset
 * tokens and deletes the user's other sessions.
 */
export async function changePassword(claims: TokenClaims, input: PasswordChange): Promise<{ revokedSessions: number }> {
  const db = getDb();
  const caller = await selectLiveSession(claims, db).select('u.password_hash').executeTakeFirst();
  if (caller === undefined) throw new HttpError('unauthenticated');

  const details: ErrorDetails = {};
  // An overlong input is wrong without spending a hash on it. The hash and the
  // new password's checks (the breached-password one waits on the network) overlap.
  const [current, problems] = await Promise.all([
    isOverlong(input.currentPassword) ? { ok: false } : verifyPassword(input.currentPassword, caller.password_hash),
    passwordProblems(input.newPassword, caller),
  ]);
  if (!current.ok) details.currentPassword = ['is not correct'];
  if (problems.length > 0) details.newPassword = problems;
  if (Object.keys(details).length > 0) throw validationFailed(details);

  const passwordHash = await hashPassword(input.newPassword);
  const result = await db
    .with('changed', (qb) => qb.updateTable('users').set({ password_hash: passwordHash, updated_at: now() }).where('id', '=', claims.userId))
    .with('retired', (qb) =>
      qb
        .deleteFrom('one_time_tokens')
        .where('user_id', '=', claims.userId)
        .where('purpose', '=', 'reset_password')
        .where('used_at', 'is', null),
    )
    .deleteFrom('sessions')
    .where('user_id', '=', claims.userId)
    .where('id', '<>', claims.sessionId)
    .executeTakeFirst();
  return { revokedSessions: Number(result.numDeletedRows) };
}
