// A password attempt on an account: the one rule the login, the proof of
// ownership (password change, deletion, e-mail change) and the second factor's
// password checks share. An attempt is counted BEFORE the password is hashed,
// by CTEs of the statement that finds the account, and given back after a
// right password by CTEs of the statement that acts on it:
//   - counted on the account's counter for this address (RATE_LIMIT_LOGIN_ACCOUNT)
//     and, for a login, on the address's counter across accounts
//     (RATE_LIMIT_LOGIN_IP), both rows in one UPSERT in bucket order;
//   - then, only when those let it through, on the account's counter across
//     addresses (RATE_LIMIT_LOGIN_ACCOUNT_TOTAL), its row locked after theirs:
//     guesses one address can no longer make do not use up the owner's budget
//     elsewhere. An address the account logged in from lately
//     (known-addresses.ts) does not answer to that limit;
//   - the wait is the longest Retry-After of a counter over its limit: a 429
//     without any hashing;
//   - a right password is no failed attempt: its hits are given back, each in
//     the window it was counted in, on rows locked first in the counting order
//     (this address's and the address's rows by bucket, then the one across
//     addresses). A successful login clears this address's counter for the
//     account instead of giving one hit back; nothing else is ever cleared (a
//     guesser could otherwise reset the per-address counter by logging into an
//     account of their own, or the owner reopen their account to guesses
//     spread over other addresses).
// Counting and releasing lock the same rows in the same order, so concurrent
// attempts and releases never wait on each other in a cycle: no deadlock.
import { sql, type QueryCreator, type RawBuilder } from 'kysely';
import type { Limit } from '../../config/settings.ts';
import type { Database } from '../../db/schema.ts';
import { countAnotherHit, giveBackHits, retryAfterSeconds, type CounterState } from '../../rate-limit/counter.ts';
import { checks, limitFor, loginAccountKey, loginAccountTotalKey } from '../../rate-limit/limits.ts';
import { isKnownAddress } from './known-addresses.ts';

/** The CTEs counting adds: the rows of the counters it hit, as the UPSERTs return them. */
interface CounterRow {
  bucket: string;
  hits: number;
  window_start: Date;
}
export interface AttemptCtes {
  /** This address's counter for the account and, for a login, the address's counter. */
  attempt: CounterRow;
  /** The account's counter across addresses, when the two others let the attempt through. */
  attempt_total: CounterRow;
}

/** The columns `columns()` adds to the statement's result: what `read()` reads. */
export interface AttemptColumns {
  ip_hits: number | null;
  ip_window_start: Date | null;
  account_hits: number | null;
  account_window_start: Date | null;
  total_hits: number | null;
  total_window_start: Date | null;
  known_address: boolean | null;
}

/** An attempt as counted: how long to wait, and the windows its hits went into (null: not counted there). */
export interface CountedAttempt {
  ip: string;
  perAddress: boolean;
  /** Seconds until every counter over its limit lets the attempt through (Retry-After); 0 under every limit. */
  wait: number;
  windows: { account: Date | null; ip: Date | null; total: Date | null };
}

/**
 * The SQL of one password attempt from `ip` at `at`, counted on the login
 * counters of the account a CTE of the statement names. With `perAddress`
 * (a login, which may name any account or none) the address's counter across
 * accounts counts too, whether or not an account was found.
 */
export function passwordAttempt(ip: string, at: Date, { perAddress = false }: { perAddress?: boolean } = {}) {
  const ipCheck = checks.loginIp(ip);
  const accountLimit = limitFor('loginAccount');
  const totalLimit = limitFor('loginAccountTotal');
  const account = loginAccountKey(ip);
  const total = loginAccountTotalKey;
  const windowEndedBefore = (limit: Limit) => sql<Date>`${new Date(at.getTime() - limit.windowMs)}::timestamptz`;
  /** Hits past a limit: over it, or (`justCrossed`) the very hit that went over it. */
  const past = (hits: RawBuilder<unknown>, limit: RawBuilder<unknown>, justCrossed: boolean) =>
    justCrossed ? sql<boolean>`${hits} = ${limit} + 1` : sql<boolean>`${hits} > ${limit}`;
  const addressLimit = sql`CASE WHEN a.bucket = ${ipCheck.bucket} THEN ${ipCheck.limit.count}::int ELSE ${accountLimit.count}::int END`;
  /** Past the per-address limits (this address's for the account, the address's own). */
  const pastAddressLimits = (justCrossed: boolean) =>
    sql<boolean>`EXISTS (SELECT 1 FROM attempt a WHERE ${past(sql`a.hits`, addressLimit, justCrossed)})`;
  /** Past any limit, the one across addresses only for an address the account has not logged in from lately. */
  const pastLimits = (userId: RawBuilder<unknown>, justCrossed: boolean) =>
    sql<boolean>`(${pastAddressLimits(justCrossed)}
      OR (EXISTS (SELECT FROM attempt_total WHERE ${past(sql`hits`, sql`${totalLimit.count}::int`, justCrossed)})
        AND NOT ${isKnownAddress(userId, ip, at)}))`;

  return {
    /**
     * `db` with the CTEs `attempt` and `attempt_total`: one hit for the
     * account of each row of the CTE `from` (its `id`; in practice the one
     * account the statement found) where `onlyIf` holds, and with
     * `perAddress` one on the address's counter.
     */
    count<DB extends Database>(
      db: QueryCreator<DB>,
      from: string,
      onlyIf: RawBuilder<boolean> = sql<boolean>`true`,
    ): QueryCreator<DB & AttemptCtes> {
      const buckets = sql`${perAddress ? sql`SELECT ${ipCheck.bucket}::text AS bucket UNION ALL ` : sql``}SELECT ${account.prefix} || id::text || ${account.suffix} AS bucket FROM ${sql.table(from)} WHERE ${onlyIf}`;
      return (db as unknown as QueryCreator<Database>)
        .with('attempt', (qb) =>
          qb
            .insertInto('rate_limits')
            .columns(['bucket', 'window_start', 'hits'])
            // Rows are locked in bucket order, as countHits does.
            .expression(sql`SELECT b.bucket, ${at}::timestamptz, 1 FROM (${buckets}) AS b ORDER BY b.bucket`)
            .onConflict(
              countAnotherHit(
                sql<Date>`CASE WHEN rate_limits.bucket = ${ipCheck.bucket} THEN ${windowEndedBefore(ipCheck.limit)} ELSE ${windowEndedBefore(accountLimit)} END`,
              ),
            )
            .returning(['bucket', 'hits', 'window_start']),
        )
        .with('attempt_total', (qb) =>
          qb
            .insertInto('rate_limits')
            .columns(['bucket', 'window_start', 'hits'])
            .expression(
              sql`SELECT ${total.prefix} || id::text || ${total.suffix}, ${at}::timestamptz, 1 FROM ${sql.table(from)}
                WHERE ${onlyIf} AND NOT ${pastAddressLimits(false)}`,
            )
            .onConflict(countAnotherHit(windowEndedBefore(totalLimit)))
            .returning(['bucket', 'hits', 'window_start']),
        ) as unknown as QueryCreator<DB & AttemptCtes>;
    },

    /** The counters `count` returned and whether `userId` (SQL) logged in from this address lately, as AttemptColumns. */
    columns(userId: RawBuilder<unknown>) {
      const of = (column: 'hits' | 'window_start', where: RawBuilder<unknown>) => sql`(SELECT ${sql.ref(column)} FROM ${where})`;
      const byIp = sql`attempt WHERE bucket = ${ipCheck.bucket}`;
      const byAccount = sql`attempt WHERE bucket <> ${ipCheck.bucket}`;
      return [
        sql<number | null>`${of('hits', byIp)}`.as('ip_hits'),
        sql<Date | null>`${of('window_start', byIp)}`.as('ip_window_start'),
        sql<number | null>`${of('hits', byAccount)}`.as('account_hits'),
        sql<Date | null>`${of('window_start', byAccount)}`.as('account_window_start'),
        sql<number | null>`${of('hits', sql`attempt_total`)}`.as('total_hits'),
        sql<Date | null>`${of('window_start', sql`attempt_total`)}`.as('total_window_start'),
        isKnownAddress(userId, ip, at).as('known_address'),
      ] as const;
    },

    /** SQL, after `count`: the attempt is over a limit, as `read` will find (for an audit row written in the same statement). */
    overLimit: (userId: RawBuilder<unknown>) => pastLimits(userId, false),

    /**
     * SQL, after `count`: this attempt is the one that took a counter over its
     * limit in its window (concurrent attempts get distinct counts, so one does).
     * An audit row of the same statement records a refusal by it rather than
     * every attempt refused after it.
     */
    tookOverLimit: (userId: RawBuilder<unknown>) => pastLimits(userId, true),

    /** The attempt as the statement counted it: its wait, and the windows a release gives its hits back in. */
    read(row: AttemptColumns): CountedAttempt {
      const state = (hits: number | null, windowStart: Date | null): CounterState | undefined =>
        windowStart === null ? undefined : { hits: hits!, windowStart };
      const wait = Math.max(
        retryAfterSeconds(state(row.ip_hits, row.ip_window_start), ipCheck.limit, at),
        retryAfterSeconds(state(row.account_hits, row.account_window_start), accountLimit, at),
        row.known_address === true ? 0 : retryAfterSeconds(state(row.total_hits, row.total_window_start), totalLimit, at),
      );
      return {
        ip,
        perAddress,
        wait,
        windows: { account: row.account_window_start, ip: row.ip_window_start, total: row.total_window_start },
      };
    },
  };
}

export type PasswordAttempt = ReturnType<typeof passwordAttempt>;

export interface ReleaseOptions {
  /** A login: this address's counter for the account is cleared, not given one hit back. */
  clearAccountCounter?: boolean;
  /** Only when this holds (SQL on the statement's earlier CTEs: the operation went through). */
  onlyIf?: RawBuilder<boolean>;
}

/**
 * `db` with the first CTEs of the statement that follows a right password,
 * which is no failed attempt: `locked` (the counter rows, locked in the
 * counting order), `cleared` with `clearAccountCounter`, and `given_back`
 * (this attempt's other hits, each in the window it was counted in).
 */
export function releaseAttempt<DB extends Database>(
  db: QueryCreator<DB>,
  userId: number,
  attempt: CountedAttempt,
  { clearAccountCounter = false, onlyIf = sql<boolean>`true` }: ReleaseOptions = {},
): QueryCreator<DB & { locked: { bucket: string } }> {
  const account = checks.loginAccount(userId, attempt.ip).bucket;
  const address = checks.loginIp(attempt.ip).bucket;
  const total = checks.loginAccountTotal(userId).bucket;
  const { windows } = attempt;
  const givenBack: [string, Date][] = [];
  if (windows.account !== null && !clearAccountCounter) givenBack.push([account, windows.account]);
  if (windows.ip !== null) givenBack.push([address, windows.ip]);
  if (windows.total !== null) givenBack.push([total, windows.total]);
  const locked = (db as unknown as QueryCreator<Database>).with('locked', (qb) =>
    qb
      .selectFrom('rate_limits')
      .select('bucket')
      .where('bucket', 'in', attempt.perAddress ? [account, address, total] : [account, total])
      .where(onlyIf)
      // The order counting locks them in: by bucket, the one across addresses last.
      .orderBy(sql`bucket = ${total}`)
      .orderBy('bucket')
      .forUpdate(),
  );
  // Kysely's types are invariant in the CTEs' names; the CTEs after this one name only `locked`.
  const cleared = clearAccountCounter
    ? (locked.with('cleared', (qb) =>
        qb
          .deleteFrom('rate_limits')
          .where('bucket', '=', account)
          .where('bucket', 'in', (eb) => eb.selectFrom('locked').select('bucket')),
      ) as unknown as typeof locked)
    : locked;
  return cleared.with('given_back', giveBackHits(givenBack)) as unknown as QueryCreator<DB & { locked: { bucket: string } }>;
}
