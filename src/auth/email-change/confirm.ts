// Confirming an e-mail change (GET or POST /api/me/email/confirm/{code}): the
// code alone is the proof, so it works from the e-mailed link without a session.
import { sql } from 'kysely';
import { HttpError } from '../../common/errors.ts';
import { now } from '../../config/clock.ts';
import { getDb } from '../../db/connection.ts';
import { uniqueViolation } from '../../db/errors.ts';
import { emailChanged } from '../../mail/templates.ts';
import { userFieldsOf, type UserFields } from '../../users/present.ts';
import type { Client, Requester } from '../base/requester.ts';
import { notify } from '../codes/delivery.ts';
import { retireIssued } from '../codes/retired.ts';
import { hashSecret, tokenExpired, unknownToken } from '../codes/tokens.ts';
import { EVENT_COLUMNS, eventValues } from '../base/event-rows.ts';
import type { TokenClaims } from '../sessions/tokens.ts';

/**
 * 1 statement: the code consumed, the account moved to the address it holds,
 * every session of the account ended but `keep` (the caller's own, when it is
 * one of them), unused reset tokens (they went to the old address) and open
 * login challenges retired (codes/retired.ts), and email_changed recorded by `by`. Unknown or used: 404; expired: 410; the
 * address taken by another account since the request: 409, and the code stays
 * unused. Of two uses at once exactly one succeeds. Then a notice to the
 * address the account left, after the answer.
 *
 * The account row is locked (FOR UPDATE) before the code's row, the order a
 * deletion of the account takes them in.
 */
export async function confirmEmailChange(code: string, keep: TokenClaims | undefined, by: Requester | Client): Promise<UserFields> {
  const at = now();
  const hash = hashSecret(code);
  const taken = (email: ReturnType<typeof sql.ref>) => sql<boolean>`EXISTS (SELECT FROM users other WHERE other.email = ${email})`;
  const changing = getDb()
    .with('target', (qb) =>
      qb
        .selectFrom('one_time_tokens as t')
        .innerJoin('users as u', 'u.id', 't.user_id')
        // The address the account leaves, for its notice.
        .select(['t.id', 't.user_id', 'u.email as old_email'])
        .where('t.token_hash', '=', hash)
        .where('t.purpose', '=', 'change_email')
        .where('t.used_at', 'is', null)
        .where('t.expires_at', '>', at)
        .where(sql<boolean>`NOT ${taken(sql.ref('t.new_email'))}`)
        .forUpdate('u'),
    )
    .with('consumed', (qb) =>
      qb
        .updateTable('one_time_tokens')
        .set({ used_at: at })
        .where('id', 'in', (eb) => eb.selectFrom('target').select('id'))
        .where('used_at', 'is', null)
        .returning(['user_id', 'new_email']),
    )
    .with('changed', (qb) =>
      qb
        .updateTable('users')
        .from('consumed')
        // The code came back from the new address: proven from now.
        .set((eb) => ({ email: eb.ref('consumed.new_email').$notNull(), email_verified_at: at, updated_at: at }))
        .whereRef('users.id', '=', 'consumed.user_id')
        .returning(['users.id', 'users.username', 'users.email', 'users.confirmed_at', 'users.created_at']),
    );
  // The pending change is the code consumed here: one live per account.
  const row = await retireIssued(changing, { account: { cte: 'changed', column: 'id' }, emailChange: false })
    .with('revoked', (qb) =>
      qb
        .deleteFrom('sessions')
        .where('user_id', 'in', (eb) => eb.selectFrom('changed').select('id'))
        // Ids start at 1: without a session to keep, 0 matches none.
        .where(sql<boolean>`(id, user_id) <> (${keep?.sessionId ?? 0}::bigint, ${keep?.userId ?? 0}::bigint)`),
    )
    .with('recorded', (qb) =>
      qb
        .insertInto('security_events')
        .columns([...EVENT_COLUMNS])
        .expression((eb) => eb.selectFrom('changed').select(['id', ...eventValues('email_changed', by, at)])),
    )
    // The code's row as it was before this statement, to tell expired, taken and used apart.
    .selectFrom('one_time_tokens as t')
    .leftJoin('changed as c', 'c.id', 't.user_id')
    .leftJoin('target as g', 'g.id', 't.id')
    .select([
      'g.old_email',
      't.used_at',
      't.expires_at',
      taken(sql.ref('t.new_email')).as('taken'),
      'c.id',
      'c.username',
      'c.email',
      'c.confirmed_at',
      'c.created_at',
    ])
    .where('t.token_hash', '=', hash)
    .where('t.purpose', '=', 'change_email')
    .executeTakeFirst()
    .catch((error: unknown) => {
      // Another account took the address in a transaction that committed while this one ran.
      if (uniqueViolation(error) === 'users_email_key') throw new HttpError('email_taken');
      throw error;
    });
  if (row === undefined || row.used_at !== null) throw unknownToken();
  if (row.id === null) {
    if (row.expires_at <= at) throw tokenExpired();
    // Unused but not consumed: taken by another account, or a concurrent use won the race.
    throw row.taken ? new HttpError('email_taken') : unknownToken();
  }
  const user = userFieldsOf(row);
  await notify(
    by,
    { purpose: 'email_changed', accountId: user.id },
    (origin, appUrl) => emailChanged({ username: user.username, email: row.old_email! }, user.email, origin, appUrl),
    at,
  );
  return user;
}
