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
 *
 * The session is read under a lock (FOR KEY SHARE), after the account row's
 * (FOR UPDATE), the order an e-mail change or a reset takes them in. A plain
 * read would see the session as this statement's snapshot had it: a
 * transaction that ended it (an e-mail change confirmed) and committed while
 * this one waited for the account row would leave a revoked session deleting
 * the account. A locked read sees the row as that commit left it, or not at all.
 */
export async function deleteAccount(claims: TokenClaims, password: string, by: Requester): Promise<void> {
  await proveOwnership(claims, password, by);
  const { at, idleSince } = sessionClock();
  const deleted = await getDb()
    .with('owner', (qb) => qb.selectFrom('users').select('id').where('id', '=', claims.userId).forUpdate())
    .with('live', (qb) =>
      qb
        .selectFrom('sessions')
        .innerJoin('owner', 'owner.id', 'sessions.user_id')
        .select('sessions.user_id')
        .where('sessions.id', '=', claims.sessionId)
        .where('sessions.expires_at', '>', at)
        .where('sessions.last_seen_at', '>', idleSince)
        .forKeyShare('sessions'),
    )
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
