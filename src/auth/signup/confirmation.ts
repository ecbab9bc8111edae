// E-mail confirmation: using a code, and asking for a new one. Apart from
// registration.ts so that these functions do not carry the password checks.
import { sql } from 'kysely';
import { now } from '../../config/clock.ts';
import { getDb } from '../../db/connection.ts';
import type { SecurityEventKind } from '../../db/schema.ts';
import { noteAccount } from '../../log/log.ts';
import { userFieldsOf, type UserFields } from '../../users/present.ts';
import { NO_REQUESTER, type Client, type Requester } from '../base/requester.ts';
import { deliverSecret, deliveryRoute } from '../codes/delivery.ts';
import { consumeEmailRequest, KEEP_LIVE_TOKEN_MS } from '../codes/email-requests.ts';
import { hashSecret, issueTokenByEmail, tokenExpired, unknownToken } from '../codes/tokens.ts';
import { EVENT_COLUMNS, eventValues } from '../base/event-rows.ts';

/**
 * Use a confirmation code: 1 statement consumes it atomically, confirms
 * the account, proves its address (email_verified_at) and records by `by`
 * account_confirmed, or email_verified for an account confirmed already (a
 * classic one proving its address), so of two concurrent uses exactly one
 * succeeds. Unknown or used: 404; expired: 410.
 */
export async function confirmEmail(code: string, by: Requester = NO_REQUESTER): Promise<UserFields> {
  const at = now();
  const hash = hashSecret(code);
  const row = await getDb()
    .with('consumed', (qb) =>
      qb
        .updateTable('one_time_tokens')
        .set({ used_at: at })
        .where('token_hash', '=', hash)
        .where('purpose', '=', 'confirm_email')
        .where('used_at', 'is', null)
        .where('expires_at', '>', at)
        .returning('user_id'),
    )
    .with('confirmed', (qb) =>
      qb
        .updateTable('users')
        .set((eb) => ({
          confirmed_at: eb.fn.coalesce('confirmed_at', sql<Date>`${at}::timestamptz`),
          email_verified_at: at,
          updated_at: at,
        }))
        .where('id', 'in', (eb) => eb.selectFrom('consumed').select('user_id'))
        .returning(['id', 'username', 'email', 'confirmed_at', 'created_at']),
    )
    .with('recorded', (qb) =>
      qb
        .insertInto('security_events')
        .columns([...EVENT_COLUMNS])
        .expression((eb) =>
          eb
            .selectFrom('confirmed')
            // The users row as the statement's snapshot has it: before this confirmation.
            .innerJoin('users as before', 'before.id', 'confirmed.id')
            .select([
              'confirmed.id',
              ...eventValues(
                sql<SecurityEventKind>`CASE WHEN before.confirmed_at IS NULL THEN 'account_confirmed' ELSE 'email_verified' END`,
                by,
                at,
              ),
            ]),
        ),
    )
    // The token row as it was before this statement, to tell "expired" from "unknown or used".
    .selectFrom('one_time_tokens as t')
    .leftJoin('confirmed as c', 'c.id', 't.user_id')
    .select(['t.used_at', 't.expires_at', 'c.id', 'c.username', 'c.email', 'c.confirmed_at', 'c.created_at'])
    .where('t.token_hash', '=', hash)
    .where('t.purpose', '=', 'confirm_email')
    .executeTakeFirst();
  if (row === undefined || row.used_at !== null) throw unknownToken();
  if (row.id === null) {
    // Unused but not consumed: either expired, or a concurrent use won the race.
    throw row.expires_at <= at ? tokenExpired() : unknownToken();
  }
  noteAccount(row.id);
  return userFieldsOf(row);
}

/**
 * A new code for an account with this e-mail whose address is not proven
 * (unconfirmed, or confirmed by the classic route without a code), replacing
 * older ones. The same answer whether or not such an account exists; the per-address
 * and per-e-mail limits count every request (2 statements in all). Over the
 * per-e-mail limit, or while the live code is less than a minute old, nothing
 * is issued or sent (src/auth/codes/email-requests.ts).
 */
export async function resendConfirmation(email: string, client: Client): Promise<{ confirmation?: { code: string; expiresAt: Date } }> {
  deliveryRoute(); // 503 before anything is counted or written when no code could reach anyone here
  if (!(await consumeEmailRequest(email, client))) return {};
  const issued = await issueTokenByEmail('confirm_email', email, { unprovenOnly: true, keepYoungerThanMs: KEEP_LIVE_TOKEN_MS });
  if (issued?.token === undefined) return {};
  const { revealed } = await deliverSecret({ to: issued.user, token: issued.token, appUrl: client.appUrl }, client.waitUntil);
  return revealed ? { confirmation: { code: issued.token.secret, expiresAt: issued.token.expiresAt } } : {};
}
