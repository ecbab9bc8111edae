// Addresses an account logged in from (sql/migrations/0004_known_addresses.sql):
// a login attempt from one seen in the last 30 days is not held to the
// per-account limit across addresses, so an attacker spreading guesses over
// many addresses cannot lock the owner out from where they usually log in.
import { sql, type Expression, type QueryCreator, type RawBuilder, type SqlBool } from 'kysely';
import type { Database } from '../../db/schema.ts';
import { addressKey } from '../../rate-limit/address.ts';
import { KNOWN_ADDRESS_MS } from '../../rate-limit/limits.ts';

/** SQL: did the user with id `userId` log in from `ip`'s address (or IPv6 prefix) in the 30 days before `at`? */
export function isKnownAddress(userId: RawBuilder<unknown>, ip: string, at: Date): RawBuilder<boolean> {
  return sql<boolean>`EXISTS (SELECT 1 FROM known_addresses k WHERE k.user_id = ${userId} AND k.address = ${addressKey(ip)}
    AND k.last_login_at > ${new Date(at.getTime() - KNOWN_ADDRESS_MS)}::timestamptz)`;
}

/**
 * `db` with a CTE recording that `userId` logged in from `ip` at `at`: no
 * statement of its own. With `onlyIf`, only when that condition on the
 * statement's other CTEs holds (a second factor accepted).
 */
export function rememberAddress(
  db: QueryCreator<Database>,
  userId: number,
  ip: string,
  at: Date,
  onlyIf: Expression<SqlBool> = sql<boolean>`true`,
) {
  return db.with('remembered_address', (qb) =>
    qb
      .insertInto('known_addresses')
      .columns(['user_id', 'address', 'last_login_at'])
      .expression(
        qb
          .selectNoFrom([
            sql<number>`${userId}::bigint`.as('user_id'),
            sql<string>`${addressKey(ip)}::text`.as('address'),
            sql<Date>`${at}::timestamptz`.as('last_login_at'),
          ])
          .where(onlyIf),
      )
      .onConflict((oc) => oc.columns(['user_id', 'address']).doUpdateSet({ last_login_at: at })),
  );
}
