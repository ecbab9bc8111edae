// Deleting an account (DELETE /api/me). One DELETE of the user row removes,
// through the foreign keys' ON DELETE CASCADE, everything that is the
// account's: its profile, sessions, codes, security events, posts with every
// comment on them (whoever wrote it), and its comments on other posts. One
// account_deleted event is kept, holding nothing but the former id and the time.
import { sql, type QueryCreator } from 'kysely';
import { HttpError } from '../../common/errors.ts';
import { takenMeanwhile, type StepUp } from '../attempts/step-up.ts';
import { proveOwnership } from '../passwords/proof.ts';
import type { Database } from '../../db/schema.ts';
import { CALLER_LIVE, lockLiveCaller, sessionClock } from '../sessions/sessions.ts';
import type { TokenClaims } from '../sessions/tokens.ts';
import type { Requester } from '../base/requester.ts';

/**
 * 1 statement proves the password, and on an account with a second factor
 * counts its code (proveOwnership: 401, 403 step_up_required, 429, 400); then
 * 1 statement takes the code and deletes the user, if the caller's session is still live, and
 * writes the account_deleted event: one transaction, all or nothing. 401 when
 * the session ended in between. The attempt counters keyed by the account
 * end with their windows and go with the purge: deleting them here would lock
 * a counter row after the user row, the reverse of a login's order.
 *
 * The session is read under a lock after the account row's (lockLiveCaller):
 * an e-mail change confirmed or a reset completed meanwhile leaves no revoked
 * session deleting the account.
 */
export async function deleteAccount(claims: TokenClaims, password: string, by: Requester, stepUp: StepUp): Promise<void> {
  const proof = await proveOwnership(claims, password, by, stepUp);
  const clock = sessionClock();
  const { at } = clock;
  const locked = lockLiveCaller(claims, { clock, deleting: true }) as unknown as QueryCreator<Database>;
  const { db, taken } = proof.stepUp.take(locked, { onlyIf: CALLER_LIVE, change: 'deleting-account' });
  const row = await db
    .with('gone', (qb) =>
      qb
        .deleteFrom('users')
        .where('id', 'in', (eb) => eb.selectFrom(sql<{ user_id: number }>`live`.as('live')).select('live.user_id'))
        .where(taken)
        .returning('id'),
    )
    .with('recorded', (qb) =>
      qb
        .insertInto('security_events')
        .columns(['deleted_user_id', 'kind', 'created_at'])
        .expression((eb) =>
          eb
            .selectFrom('gone')
            .select(['id', sql<'account_deleted'>`'account_deleted'`.as('kind'), sql<Date>`${at}::timestamptz`.as('created_at')]),
        ),
    )
    .selectNoFrom([CALLER_LIVE.as('live'), sql<boolean>`EXISTS (SELECT FROM gone)`.as('gone')])
    .executeTakeFirstOrThrow();
  // The session ended meanwhile, or another request used the code first.
  if (!row.gone) throw row.live ? takenMeanwhile(proof.stepUp) : new HttpError('unauthenticated');
}
