// The audit trail's events of the second factor, by what happened (the
// security_events kinds of migration 0009). Each is written by a CTE of a
// statement the operation already runs: statement 1 records a refused code
// before the code is checked (as the login records a failed login), and
// statement 2 turns that row into the success event when the code was right.
import { sql, type QueryCreator, type RawBuilder } from 'kysely';
import type { Limit } from '../../config/settings.ts';
import type { Database, SecurityEventKind } from '../../db/schema.ts';
import type { Requester } from '../base/requester.ts';
import { EVENT_COLUMNS, eventRow } from '../base/event-rows.ts';

export const MFA_EVENT = {
  enabled: 'mfa_enabled',
  disabled: 'mfa_disabled',
  recoveryCodeUsed: 'recovery_code_used',
  failed: 'mfa_failed',
  /** A second step completed: the login it finishes. */
  loggedIn: 'login_succeeded',
} as const satisfies Record<string, SecurityEventKind>;

/** A CTE: one `kind` event for the account of each row of the CTE `from` (its `user_id`), when `onlyIf` holds. */
export function eventFrom(
  from: string,
  kind: SecurityEventKind,
  by: Requester,
  at: Date,
  onlyIf: RawBuilder<boolean> = sql<boolean>`true`,
) {
  const { ip, user_agent } = eventRow(0, kind, by, at);
  return <DB extends Database>(qb: QueryCreator<DB>) =>
    (qb as unknown as QueryCreator<Database>)
      .insertInto('security_events')
      .columns([...EVENT_COLUMNS])
      .expression(
        sql`SELECT user_id, ${kind}::text, NULL::text, ${ip}::text, ${user_agent}::text, ${at}::timestamptz FROM ${sql.table(from)} WHERE ${onlyIf}`,
      )
      .returning('id');
}

/** A CTE: statement 1's refused-code event becomes `kind`, when `onlyIf` holds (the code was right after all). */
export function eventBecomes(eventId: number, kind: SecurityEventKind, onlyIf: RawBuilder<boolean>) {
  return <DB extends Database>(qb: QueryCreator<DB>) =>
    (qb as unknown as QueryCreator<Database>).updateTable('security_events').set({ kind }).where('id', '=', eventId).where(onlyIf);
}

/**
 * For statement 1's refused-code event: the attempt the CTE `counter` just
 * counted is under `limit` (its code is checked) or the one that took the
 * counter over it. Attempts refused after it are not recorded: at most
 * limit + 1 refused codes per account and window, whoever sends them.
 */
export const keptInTrail = (counter: string, limit: Limit) =>
  sql<boolean>`EXISTS (SELECT FROM ${sql.table(counter)} WHERE hits <= ${limit.count + 1}::int)`;
