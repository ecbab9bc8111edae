// Password change by a logged-in user: the current password proves it is
// them (counted as a login attempt is: proof.ts); every other session is
// revoked, the one making the change is kept. On an account with a second
// factor a code of it is needed too (the step-up, src/auth/attempts/step-up.ts).
import { sql, type QueryCreator } from 'kysely';
import { HttpError, validationFailed, type ErrorDetails } from '../../common/errors.ts';
import type { Database } from '../../db/schema.ts';
import { passwordChanged } from '../../mail/templates.ts';
import { releaseAttempt } from '../attempts/password-attempt.ts';
import { takenMeanwhile, type StepUp } from '../attempts/step-up.ts';
import type { Client, Requester } from '../base/requester.ts';
import { EVENT_COLUMNS, eventValues } from '../base/event-rows.ts';
import { notify } from '../codes/delivery.ts';
import { retireIssued } from '../codes/retired.ts';
import { CALLER_LIVE, lockLiveCaller, sessionClock } from '../sessions/sessions.ts';
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
 * stay counted (a wrong code too, `details.code`, on the factor's counter;
 * no code on an account with a factor is 403 step_up_required before any
 * hash); otherwise 1 statement takes the code, sets the hash, deletes the user's
 * other sessions, retires what the old password let someone open (unused
 * reset codes, a pending e-mail change, login challenges: codes/retired.ts),
 * gives the attempt's hits back and records password_changed by `by`, all
 * only if the caller's session is still live, read under a lock after the
 * account row's (lockLiveCaller): 401 when a reset or an e-mail change ended
 * it while the new password was hashed. Then a notice to the account's address
 * (codes/delivery.ts, notify), after the answer.
 */
export async function changePassword(
  claims: TokenClaims,
  input: PasswordChange,
  by: Requester | Client,
  stepUp: StepUp,
): Promise<{ revokedSessions: number }> {
  const attempt = await countProofAttempt(claims, by, stepUp);

  const details: ErrorDetails = {};
  // An overlong input is wrong without spending a hash on it. The hash and the
  // new password's checks (the breached-password one waits on the network) overlap.
  const [current, problems] = await Promise.all([
    passwordMatches(input.currentPassword, attempt.passwordHash),
    passwordProblems(input.newPassword, attempt.user),
  ]);
  if (!current) details.currentPassword = ['is not correct'];
  if (problems.length > 0) details.newPassword = problems;
  if (attempt.stepUp.problems.length > 0) details[attempt.stepUp.field] = attempt.stepUp.problems;
  if (Object.keys(details).length > 0) throw validationFailed(details);

  const passwordHash = await hashPassword(input.newPassword);
  const clock = sessionClock();
  const { at } = clock;
  const caller = lockLiveCaller(claims, { clock }) as unknown as QueryCreator<Database>;
  // The hits go back only for a change that happens: its counter rows are locked after the account row.
  // The code is taken after the counters' rows are locked, the order statement 1 counted them in.
  const { db: taking, taken } = attempt.stepUp.take(releaseAttempt(caller, claims.userId, attempt.counted, { onlyIf: CALLER_LIVE }), {
    onlyIf: CALLER_LIVE,
  });
  const released = taking
    .with('changed', (qb) =>
      qb
        .updateTable('users')
        .set({ password_hash: passwordHash, updated_at: at })
        .where('id', 'in', (eb) => eb.selectFrom(sql<{ user_id: number }>`live`.as('live')).select('live.user_id'))
        .where(taken)
        .returning('id'),
    )
    .with('recorded', (qb) =>
      qb
        .insertInto('security_events')
        .columns([...EVENT_COLUMNS])
        .expression((eb) => eb.selectFrom('changed').select(['id', ...eventValues('password_changed', by, at)])),
    )
    .with('revoked', (qb) =>
      qb
        .deleteFrom('sessions')
        .where('user_id', 'in', (eb) => eb.selectFrom('changed').select('id'))
        .where('id', '<>', claims.sessionId)
        .returning('id'),
    );
  const row = await retireIssued(released, { account: { cte: 'changed', column: 'id' } })
    .selectNoFrom([
      CALLER_LIVE.as('live'),
      sql<boolean>`EXISTS (SELECT FROM changed)`.as('changed'),
      sql<number>`(SELECT count(*)::int FROM revoked)`.as('revoked'),
    ])
    .executeTakeFirstOrThrow();
  // The session ended after statement 1 (a reset, an e-mail change), or another request used the code first: nothing is changed.
  if (!row.changed) throw row.live ? takenMeanwhile(attempt.stepUp) : new HttpError('unauthenticated');
  await notify(
    by,
    { purpose: 'password_changed', accountId: claims.userId },
    (origin, appUrl) => passwordChanged(attempt.user, 'change', origin, appUrl),
    at,
  );
  return { revokedSessions: row.revoked };
}
