// The audit trail: one security_events row per security event of an account.
// Every row is written by a CTE of a statement the operation already runs, so
// recording adds no round trip; these builders give those CTEs their values.
import { sql, type RawBuilder } from 'kysely';
import type { LoginFailure, SecurityEventKind } from '../../db/schema.ts';
import type { Requester } from './requester.ts';

export const EVENT_COLUMNS = ['user_id', 'kind', 'reason', 'ip', 'user_agent', 'created_at'] as const;

/** '' (no platform address) is stored as NULL; both are bounded as the table's CHECKs are. */
const ipOf = (by: Requester) => (by.ip === '' ? null : by.ip.slice(0, 64));
const agentOf = (by: Requester) => by.userAgent?.slice(0, 256) ?? null;

/** One event row for an account whose id is known: `.insertInto('security_events').values(eventRow(…))`. */
export function eventRow(userId: number, kind: SecurityEventKind, by: Requester, at: Date, reason: LoginFailure | null = null) {
  return { user_id: userId, kind, reason, ip: ipOf(by), user_agent: agentOf(by), created_at: at };
}

/**
 * The columns after `user_id` of an event row, for an INSERT … SELECT that
 * takes the account from a CTE (only when that CTE found one). Typed casts:
 * parameters in a SELECT list would otherwise be taken as text.
 */
export function eventValues(
  kind: SecurityEventKind | RawBuilder<SecurityEventKind>,
  by: Requester,
  at: Date,
  reason: LoginFailure | null | RawBuilder<LoginFailure> = null,
) {
  return [
    (typeof kind === 'string' ? sql<SecurityEventKind>`${kind}::text` : kind).as('kind'),
    (typeof reason === 'string' || reason === null ? sql<LoginFailure | null>`${reason}::text` : reason).as('reason'),
    sql<string | null>`${ipOf(by)}::text`.as('ip'),
    sql<string | null>`${agentOf(by)}::text`.as('user_agent'),
    sql<Date>`${at}::timestamptz`.as('created_at'),
  ];
}
