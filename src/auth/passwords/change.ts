// Password change by a logged-in user: the current password proves it is
// them (counted as a login attempt is: proof.ts); every other session is
// revoked, the one making the change is kept.
import { validationFailed, type ErrorDetails } from '../../common/errors.ts';
import { now } from '../../config/clock.ts';
import { getDb } from '../../db/connection.ts';
import { releaseAttempt } from '../attempts/password-attempt.ts';
import { NO_REQUESTER, type Requester } from '../base/requester.ts';
import { EVENT_COLUMNS, eventValues } from '../base/event-rows.ts';
import type { TokenClaims } from '../sessions/tokens.ts';
import { hashPassword } from './hash.ts';
import { passwordProblems } from './policy.ts';
import { countProofAttempt, passwordMatches } from './proof.ts';

export interface PasswordChange {
  currentPassword: string;
  newPassword: string;
}

/**
 * 1 statement reads the caller's live session with the user's hash (401 if
 * gone) and counts the attempt on the account's login counters (429 when over
 * a limit, before any hash); a wrong current password (`details.currentPassword`)
 * and every rule the new one breaks, the breached-password check included
 * (`details.newPassword`), are reported together as 400, change nothing and
 * stay counted; otherwise 1 statement sets the hash, retires unused reset
 * tokens, deletes the user's other sessions, gives the attempt's hits back
 * and records password_changed by `by`.
 */
export async function changePassword(
  claims: TokenClaims,
  input: PasswordChange,
  by: Requester = NO_REQUESTER,
): Promise<{ revokedSessions: number }> {
  const attempt = await countProofAttempt(claims, by);

  const details: ErrorDetails = {};
  // An overlong input is wrong without spending a hash on it. The hash and the
  // new password's checks (the breached-password one waits on the network) overlap.
  const [current, problems] = await Promise.all([
    passwordMatches(input.currentPassword, attempt.passwordHash),
    passwordProblems(input.newPassword, attempt.user),
  ]);
  if (!current) details.currentPassword = ['is not correct'];
  if (problems.length > 0) details.newPassword = problems;
  if (Object.keys(details).length > 0) throw validationFailed(details);

  const passwordHash = await hashPassword(input.newPassword);
  const at = now();
  const result = await releaseAttempt(getDb(), claims.userId, attempt.counted)
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
