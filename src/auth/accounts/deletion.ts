// Deleting an account (DELETE /api/me). One DELETE of the user row removes,
// through the foreign keys' ON DELETE CASCADE, everything that is the
// account's: its profile, sessions, codes, security events, posts with every
// comment on them (whoever wrote it), and its comments on other posts. One
// account_deleted event is kept, holding nothing but the former id and the time.
import { sql } from 'kysely';
import { HttpError } from '../../common/errors.ts';
import { proveOwnership } from '../passwords/proof.ts';
import { lockLiveCaller, sessionClock } from '../sessions/sessions.ts';
import type { TokenClaims } from '../sessions/tokens.ts';
import type { Requester } from '../base/requester.ts';

/**
 * 1 statement proves the password (proveOwnership: 401, 429, 400); then 1
 * statement deletes the user, if the caller's session is still live, and
 * writes the account_deleted event: one transaction, all or nothing. 401 when
 * the session ended in between. The attempt counters keyed by the account
 * end with their windows and go with the purge: deleting them here would lock
 * a counter row after the user row, the reverse of a login's order.
 *
 * The session is read under a lock after the account row's (lockLiveCaller):
 * an e-mail change confirmed or a reset completed meanwhile leaves no revoked
 * session deleting the account.
 */
export async function deleteAccount(claims: TokenClaims, password: string, by: Requester): Promise<void> {
  await proveOwnership(claims, password, by);
  const clock = sessionClock();
  const { at } = clock;
  const deleted = await lockLiveCaller(claims, { clock, deleting: true })
    .with('gone', (qb) =>
      qb
        .deleteFrom('users')
        .where('id', 'in', (eb) => eb.selectFrom('live').select('user_id'))
        .returning('id'),
    )
    .insertInto('security_events')
    .columns(['deleted_user_id', 'kind', 'created_at'])
    .expression((eb) =>
      eb
        .selectFrom('gone')
        .select(['id', sql<'account_deleted'>`'account_deleted'`.as('kind'), sql<Date>`${at}::timestamptz`.as('created_at')]),
    )
    .executeTakeFirst();
  if ((deleted.numInsertedOrUpdatedRows ?? 0n) === 0n) throw new HttpError('unauthenticated');
}
