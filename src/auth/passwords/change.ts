// Password change by a logged-in user: the current password proves it is
// them; every other session is revoked, the one making the change is kept.
import { HttpError, validationFailed, type ErrorDetails } from '../../common/errors.ts';
import { now } from '../../config/clock.ts';
import { getDb } from '../../db/connection.ts';
import { NO_REQUESTER, type Requester } from '../accounts/client.ts';
import { EVENT_COLUMNS, eventValues } from '../events/events.ts';
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
 * the new one breaks (`details.newPassword`) are reported together as 400, and
 * change nothing; otherwise 1 statement sets the hash, retires unused reset
 * tokens, deletes the user's other sessions and records password_changed by `by`.
 */
export async function changePassword(
  claims: TokenClaims,
  input: PasswordChange,
  by: Requester = NO_REQUESTER,
): Promise<{ revokedSessions: number }> {
  const db = getDb();
  const caller = await selectLiveSession(claims, db).select('u.password_hash').executeTakeFirst();
  if (caller === undefined) throw new HttpError('unauthenticated');

  const details: ErrorDetails = {};
  // An overlong input is wrong without spending a hash on it.
  const current = isOverlong(input.currentPassword) ? { ok: false } : await verifyPassword(input.currentPassword, caller.password_hash);
  if (!current.ok) details.currentPassword = ['is not correct'];
  const problems = await passwordProblems(input.newPassword, caller);
  if (problems.length > 0) details.newPassword = problems;
  if (Object.keys(details).length > 0) throw validationFailed(details);

  const passwordHash = await hashPassword(input.newPassword);
  const at = now();
  const result = await db
    .with('changed', (qb) =>
      qb.updateTable('users').set({ password_hash: passwordHash, updated_at: at }).where('id', '=', claims.userId).returning('id'),
    )
    .with('recorded', (qb) =>
      qb
        .insertInto('security_events')
        .columns([...EVENT_COLUMNS])
        .expression((eb) => eb.selectFrom('changed').select(['id', ...eventValues('password_changed', by, at)])),
    )
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
