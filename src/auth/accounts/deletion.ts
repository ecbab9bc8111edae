// Deleting an account (DELETE /api/me). One DELETE of the user row removes,
// through the foreign keys' ON DELETE CASCADE, everything that is the
// account's: its profile, sessions, codes, security events, posts with every
// comment on them (whoever wrote it), and its comments on other posts. One
// account_deleted event is kept, holding nothing but the former id and the time.
import { sql } from 'kysely';
import { HttpError } from '../../common/errors.ts';
import { getDb } from '../../db/connection.ts';
import { proveOwnership } from '../passwords/proof.ts';
import { sessionClock } from '../sessions/sessions.ts';
import type { TokenClaims } from '../sessions/tokens.ts';
import type { Requester } from '../base/requester.ts';

/**
 * 1 statement proves the password (proveOwnership: 401, 429, 400); then 1
 * statement deletes the user, if the caller's session is still live, and
 * writes the account_deleted event: one transaction, all or nothing. 401 when
 * the session ended in between. The attempt counters keyed by the account
 * end with their windows and go with the purge: deleting them here would lock
 * a counter row after the user row, the reverse of a login's order.
 */
export async function deleteAccount(claims: TokenClaims, password: string, by: Requester): Promise<void> {
  await proveOwnership(claims, password, by);
  const { at, idleSince } = sessionClock();
  const deleted = await getDb()
    .with('gone', (qb) =>
      qb
        .deleteFrom('users')
        .where('id', '=', claims.userId)
        .where(({ exists, selectFrom }) =>
          exists(
            selectFrom('sessions')
              .select(sql<number>`1`.as('live'))
              .where('id', '=', claims.sessionId)
              .where('user_id', '=', claims.userId)
              .where('expires_at', '>', at)
              .where('last_seen_at', '>', idleSince),
          ),
        )
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
