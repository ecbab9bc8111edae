// Roles: the first admin is made from the command line (src/cli/admin.ts),
// every other by an admin through the API (actions.ts), never by themselves.
import { sql, type Kysely } from 'kysely';
import type { Database, Role } from '../../db/schema.ts';
import { NO_REQUESTER } from '../base/requester.ts';
import { EVENT_COLUMNS, eventValues } from '../base/event-rows.ts';

/** The admin trail's actor for what the command line does: whoever holds the database. */
export const CLI_ACTOR = 'command line';

/**
 * Give the account of `email` the role, recorded in its audit trail and the
 * admin trail (as done from the command line): 1 statement. Undefined when no
 * account has that address; `changed` false when it had the role already.
 */
export async function setRoleByEmail(db: Kysely<Database>, email: string, role: Role) {
  const at = new Date();
  const action = role === 'admin' ? 'role_granted' : 'role_revoked';
  const row = await db
    .with('target', (qb) => qb.selectFrom('users').select(['id', 'username', 'role']).where('email', '=', email.toLowerCase()).forUpdate())
    .with('changed', (qb) =>
      qb
        .updateTable('users')
        .set({ role })
        .where('id', 'in', (eb) => eb.selectFrom('target').select('id'))
        .where('role', '<>', role)
        .returning('id'),
    )
    .with('recorded', (qb) =>
      qb
        .insertInto('security_events')
        .columns([...EVENT_COLUMNS])
        .expression((eb) => eb.selectFrom('changed').select(['id', ...eventValues(action, NO_REQUESTER, at)])),
    )
    .with('trail', (qb) =>
      qb
        .insertInto('admin_actions')
        .columns(['actor_name', 'action', 'target_user_id', 'created_at'])
        .expression((eb) =>
          eb
            .selectFrom('changed')
            .select([
              sql<string>`${CLI_ACTOR}::text`.as('actor_name'),
              sql<string>`${action}::text`.as('action'),
              'id',
              sql<Date>`${at}::timestamptz`.as('created_at'),
            ]),
        ),
    )
    .selectFrom('target')
    .select(['id', 'username', (eb) => eb.exists(eb.selectFrom('changed').select('id')).as('changed')])
    .executeTakeFirst();
  return row;
}
