// GET /api/me/events: the caller's own security events, newest first, by
// keyset (created_at, id) on the index security_events_user_id_created_at_idx.
import { cursorCodec, keyId, keyMicros, microsToIso } from '../../common/cursor.ts';
import { afterKey, toItems, type Page, type Pagination } from '../../common/pagination.ts';
import { byCreatedAt, micros, pageWindow } from '../../db/page-query.ts';
import type { LoginFailure, SecurityEventKind } from '../../db/schema.ts';
import { liveCaller, sessionClock } from '../sessions/sessions.ts';
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
 * session is live (undefined when it is not: 401). No total: nobody counts a
 * user's events, and the list is read by cursor.
 */
export async function listEvents(claims: TokenClaims, pagination: Pagination): Promise<Omit<Page<EventView>, 'total'> | undefined> {
  const after = afterKey(EVENTS_CURSOR, pagination);
  const rows = await liveCaller(claims, sessionClock())
    .leftJoinLateral(
      (eb) =>
        eb
          .selectFrom('security_events')
          .select(['id', 'kind', 'reason', 'ip', 'user_agent', 'created_at', micros('created_at').as('created_micros')])
          .whereRef('user_id', '=', 'caller.user_id')
          .$call(byCreatedAt('desc', after && [microsToIso(after[0]), after[1]]))
          .$call(pageWindow(pagination))
          .as('e'),
      (join) => join.onTrue(),
    )
    .selectAll('e')
    // The outer query must repeat the order: a join does not promise to keep it.
    .orderBy('e.created_at', 'desc')
    .orderBy('e.id', 'desc')
    .execute();
  if (rows.length === 0) return undefined;
  return toItems(
    rows,
    pagination,
    (e) => ({ id: e.id, kind: e.kind, reason: e.reason, ip: e.ip, userAgent: e.user_agent, createdAt: e.created_at.toISOString() }),
    (e) => EVENTS_CURSOR.encode([e.created_micros, e.id]),
  );
}
