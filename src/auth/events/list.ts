// GET /api/me/events: the caller's own security events, newest first, by
// keyset (created_at, id) on the index security_events_user_id_created_at_idx.
import { sql } from 'kysely';
import { cursorCodec, keyId, keyMicros, microsToIso } from '../../common/cursor.ts';
import { validationFailed } from '../../common/errors.ts';
import type { CursorPage } from '../../common/pagination.ts';
import { now } from '../../config/clock.ts';
import { getDb } from '../../db/connection.ts';
import type { LoginFailure, SecurityEventKind } from '../../db/schema.ts';
import type { TokenClaims } from '../sessions/tokens.ts';

const EVENTS_CURSOR = cursorCodec('events', [keyMicros, keyId]);

export interface EventView {
  id: number;
  kind: SecurityEventKind;
  reason: LoginFailure | null;
  ip: string | null;
  userAgent: string | null;
  createdAt: string;
}

/**
 * A page of the caller's events: 1 statement that also proves the caller's
 * session is live (undefined when it is not: 401). One row more than the page
 * is read, to know whether a next page exists. A cursor this list did not
 * make is a 400.
 */
export async function listEvents(claims: TokenClaims, page: CursorPage): Promise<{ items: EventView[]; nextCursor: string | null } | undefined> {
  const after = page.cursor === undefined ? undefined : EVENTS_CURSOR.decode(page.cursor);
  if (page.cursor !== undefined && after === undefined) throw validationFailed({ cursor: ['must be the nextCursor of a page of this list'] });
  const rows = await getDb()
    .selectFrom('sessions as caller')
    .leftJoinLateral(
      (eb) =>
        eb
          .selectFrom('security_events')
          .select([
            'id',
            'kind',
            'reason',
            'ip',
            'user_agent',
            'created_at',
            sql<number>`(extract(epoch from created_at) * 1000000)::bigint`.as('created_micros'),
          ])
          .whereRef('user_id', '=', 'caller.user_id')
          .$if(after !== undefined, (qb) => qb.where(sql<boolean>`(created_at, id) < (${microsToIso(after![0])}::timestamptz, ${after![1]})`))
          .orderBy('created_at', 'desc')
          .orderBy('id', 'desc')
          .limit(page.pageSize + 1)
          .as('e'),
      (join) => join.onTrue(),
    )
    .selectAll('e')
    .where('caller.id', '=', claims.sessionId)
    .where('caller.user_id', '=', claims.userId)
    .where('caller.expires_at', '>', now())
    // The outer query must repeat the order: a join does not promise to keep it.
    .orderBy('e.created_at', 'desc')
    .orderBy('e.id', 'desc')
    .execute();
  if (rows.length === 0) return undefined;
  const found = rows.filter((row) => row.id !== null);
  const items = found.slice(0, page.pageSize);
  const last = items.at(-1);
  return {
    items: items.map((e) => ({
      id: e.id!,
      kind: e.kind!,
      reason: e.reason,
      ip: e.ip,
      userAgent: e.user_agent,
      createdAt: e.created_at!.toISOString(),
    })),
    nextCursor: found.length > page.pageSize && last !== undefined ? EVENTS_CURSOR.encode([last.created_micros!, last.id!]) : null,
  };
}
