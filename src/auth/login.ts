// Login: at most 2 SQL statements on every path, rate limits included.
//   1. the user (by username or e-mail) and both failure counters, in one SELECT;
//   2. either the session INSERT (with the counter reset and, when the stored
//      hash uses old parameters, its upgrade folded in as CTEs) or the UPSERT
//      that counts the failure.
// Unknown user and wrong password give the same 401 after one scrypt each.
import { sql, type QueryCreator } from 'kysely';
import { now } from '../config/clock.ts';
import { getDb } from '../db/connection.ts';
import type { Database } from '../db/schema.ts';
import { HttpError, rateLimited } from '../http/errors.ts';
import { countHits, retryAfterSeconds } from '../rate-limit/counter.ts';
import { checks, limitFor, loginAccountKey, type Limit } from '../rate-limit/limits.ts';
import type { UserFields } from '../users/present.ts';
import { isOverlong } from './password-length.ts';
import { hashPassword, verifyPassword } from './password-hash.ts';
import { createSession, type NewSession } from './sessions.ts';

export interface Credentials {
  username?: string | undefined;
  email?: string | undefined;
  password: string;
}

export const invalidCredentials = () =>
  new HttpError(401, 'invalid_credentials', 'The username or e-mail address and password do not match an account.');

export const accountNotConfirmed = () =>
  new HttpError(403, 'account_not_confirmed', 'Confirm your e-mail address with the code you were sent, then log in.');

let dummyHash: Promise<string> | undefined;

/**
 * One scrypt at the current parameters for a user that does not exist, so
 * the 401 takes as long as for a wrong password. The first call per process
 * makes the dummy hash, which is itself one scrypt.
 */
async function spendOneVerification(password: string): Promise<void> {
  if (dummyHash === undefined) {
    dummyHash = hashPassword('no user has this password: it only spends time');
    await dummyHash;
    return;
  }
  await verifyPassword(password, await dummyHash);
}

/** Seconds to wait if one more failure would go over the limit, else 0. */
function blockedFor(hits: number | null, windowStart: Date | null, limit: Limit, at: Date): number {
  return hits === null || windowStart === null ? 0 : retryAfterSeconds({ hits: hits + 1, windowStart }, limit, at);
}

export interface LoginResult {
  user: UserFields;
  session: NewSession;
}

/**
 * Check a login attempt from `ip` and open a session. Throws 401
 * invalid_credentials, 403 account_not_confirmed (only after a correct
 * password) or 429 rate_limited; a password over the maximum length is 401
 * without any hashing or statement.
 */
export async function checkLogin(credentials: Credentials, ip: string): Promise<LoginResult> {
  if (isOverlong(credentials.password)) throw invalidCredentials();
  const db = getDb();
  const ipCheck = checks.loginIp(ip);
  const { prefix, suffix } = loginAccountKey(ip);
  const [column, value] =
    credentials.username !== undefined ? (['u.username', credentials.username] as const) : (['u.email', credentials.email ?? ''] as const);

  const row = await db
    .selectFrom(sql<{ anchor: number }>`(SELECT 1 AS anchor)`.as('anchor'))
    .leftJoin('users as u', (join) => join.on(column, '=', value.toLowerCase()))
    .leftJoin('rate_limits as by_ip', (join) => join.on('by_ip.bucket', '=', ipCheck.bucket))
    .leftJoin('rate_limits as by_account', (join) =>
      join.on('by_account.bucket', '=', sql<string>`${prefix} || u.id::text || ${suffix}`),
    )
    .select([
      'u.id',
      'u.username',
      'u.email',
      'u.password_hash',
      'u.confirmed_at',
      'u.created_at',
      'by_ip.hits as ip_hits',
      'by_ip.window_start as ip_window_start',
      'by_account.hits as account_hits',
      'by_account.window_start as account_window_start',
    ])
    .executeTakeFirstOrThrow();

  const at = now();
  const wait = Math.max(
    blockedFor(row.ip_hits, row.ip_window_start, ipCheck.limit, at),
    blockedFor(row.account_hits, row.account_window_start, limitFor('loginAccount'), at),
  );
  if (wait > 0) throw rateLimited(wait);

  if (row.id === null || row.password_hash === null) {
    await spendOneVerification(credentials.password);
    await countHits([ipCheck], db);
    throw invalidCredentials();
  }
  const accountCheck = checks.loginAccount(row.id, ip);
  const { ok, needsRehash } = await verifyPassword(credentials.password, row.password_hash);
  if (!ok) {
    await countHits([ipCheck, accountCheck], db);
    throw invalidCredentials();
  }
  if (row.confirmed_at === null) throw accountNotConfirmed();

  const userId = row.id;
  const oldHash = row.password_hash;
  const upgraded = needsRehash ? await hashPassword(credentials.password) : undefined;
  // A success clears this address's counter for the account, never another address's
  // and never the per-address counter (which a guesser could otherwise reset).
  const cleared = db.with('cleared', (qb) => qb.deleteFrom('rate_limits').where('bucket', '=', accountCheck.bucket));
  const statement =
    upgraded === undefined
      ? cleared
      : cleared.with('rehashed', (qb) =>
          // Only if unchanged meanwhile: never overwrite a concurrent password change.
          qb.updateTable('users').set({ password_hash: upgraded }).where('id', '=', userId).where('password_hash', '=', oldHash),
        );
  // The CTEs only add names the INSERT never reads; Kysely's types are invariant in them.
  const session = await createSession(userId, statement as unknown as QueryCreator<Database>);
  return {
    user: { id: userId, username: row.username!, email: row.email!, confirmed_at: row.confirmed_at, created_at: row.created_at! },
    session,
  };
}
