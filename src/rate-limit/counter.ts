// Fixed-window counters in Postgres, so every function instance sees the same
// count. Counting several buckets is ONE statement (a multi-row UPSERT).
import { sql, type Kysely, type OnConflictBuilder, type OnConflictUpdateBuilder, type QueryCreator, type RawBuilder } from 'kysely';
import { rateLimited } from '../common/errors.ts';
import { now } from '../config/clock.ts';
import type { Limit } from '../config/settings.ts';
import { getDb } from '../db/connection.ts';
import type { Database } from '../db/schema.ts';
import type { Check } from './limits.ts';

export interface CounterState {
  hits: number;
  windowStart: Date;
}

/**
 * Seconds until the window ends when `hits` exceed the limit, else 0. A window
 * that has already ended counts as empty.
 */
export function retryAfterSeconds(state: CounterState | undefined, limit: Limit, at: Date = now()): number {
  if (state === undefined || state.hits <= limit.count) return 0;
  const remainingMs = state.windowStart.getTime() + limit.windowMs - at.getTime();
  return remainingMs > 0 ? Math.ceil(remainingMs / 1000) : 0;
}

/**
 * Add one hit to each bucket (opening a new window where the old one ended)
 * and return the counts: 1 statement. Buckets are written in sorted order so
 * two concurrent calls never wait on each other's rows in opposite order.
 */
export async function countHits(list: Check[], db: Kysely<Database> = getDb()): Promise<Map<string, CounterState>> {
  const at = now();
  const sorted = [...list].sort((a, b) => (a.bucket < b.bucket ? -1 : a.bucket > b.bucket ? 1 : 0));
  // Each bucket has its own window length, so the "window has ended" bound is chosen per row.
  const windowEndedBefore = sql<Date>`CASE rate_limits.bucket ${sql.join(
    sorted.map((c) => sql`WHEN ${c.bucket} THEN ${new Date(at.getTime() - c.limit.windowMs)}::timestamptz`),
    sql` `,
  )} END`;
  const rows = await db
    .insertInto('rate_limits')
    .values(sorted.map((c) => ({ bucket: c.bucket, window_start: at, hits: 1 })))
    .onConflict(countAnotherHit(windowEndedBefore))
    .returning(['bucket', 'hits', 'window_start'])
    .execute();
  return new Map(rows.map((row) => [row.bucket, { hits: row.hits, windowStart: row.window_start }]));
}

/**
 * The ON CONFLICT clause of a counting UPSERT (rows inserted with 1 hit): an
 * existing row gets one more hit, or starts a new window when its own started
 * at or before `windowEndedBefore`, an expression that may differ per row.
 */
export function countAnotherHit(windowEndedBefore: RawBuilder<Date>) {
  const ended = sql<boolean>`rate_limits.window_start <= ${windowEndedBefore}`;
  return (oc: OnConflictBuilder<Database, 'rate_limits'>): OnConflictUpdateBuilder<Database, 'rate_limits'> =>
    oc.column('bucket').doUpdateSet({
      hits: sql`CASE WHEN ${ended} THEN 1 ELSE rate_limits.hits + 1 END`,
      window_start: sql`CASE WHEN ${ended} THEN excluded.window_start ELSE rate_limits.window_start END`,
    });
}

/**
 * A CTE of a larger statement: one hit on `check` for each row of the CTE
 * `from` (in practice the one caller a statement found) where `condition`
 * holds, so counting rides in the statement that reads the caller.
 */
export function countHitFor(check: Check, at: Date, from: string, condition: RawBuilder<boolean> = sql<boolean>`true`) {
  return <DB extends Database>(qb: QueryCreator<DB>) =>
    (qb as unknown as QueryCreator<Database>)
      .insertInto('rate_limits')
      .columns(['bucket', 'window_start', 'hits'])
      .expression(sql`SELECT ${check.bucket}::text, ${at}::timestamptz, 1 FROM ${sql.table(from)} WHERE ${condition}`)
      .onConflict(countAnotherHit(sql<Date>`${new Date(at.getTime() - check.limit.windowMs)}::timestamptz`))
      .returning(['bucket', 'hits', 'window_start']);
}

/**
 * A CTE of a larger statement: one hit on `check`, returning `hits` and
 * `window_start`, so a request refused over the limit writes nothing else in
 * that statement (read the answer with `overLimit`).
 */
export function countHit(check: Check, at: Date) {
  return <DB extends Database>(qb: QueryCreator<DB>) =>
    (qb as unknown as QueryCreator<Database>)
      .insertInto('rate_limits')
      .values({ bucket: check.bucket, window_start: at, hits: 1 })
      .onConflict(countAnotherHit(sql<Date>`${new Date(at.getTime() - check.limit.windowMs)}::timestamptz`))
      .returning(['hits', 'window_start']);
}

/** Count this attempt against every check and refuse it (429 + Retry-After) if any is over its limit: 1 statement. */
export async function consume(list: Check[], db: Kysely<Database> = getDb()): Promise<void> {
  const states = await countHits(list, db);
  const at = now();
  const wait = Math.max(0, ...list.map((c) => retryAfterSeconds(states.get(c.bucket), c.limit, at)));
  if (wait > 0) throw rateLimited(wait);
}

/**
 * A CTE giving back one hit on each `[bucket, window start]`, only in the
 * window it was counted in and only on rows a `locked` CTE of the same
 * statement has locked (in the counting order): what a release after a right
 * password does.
 */
export function giveBackHits(hits: readonly (readonly [string, Date])[]) {
  return <DB extends Database & { locked: { bucket: string } }>(qb: QueryCreator<DB>) =>
    (qb as unknown as QueryCreator<Database & { locked: { bucket: string } }>)
      .updateTable('rate_limits')
      .set({ hits: sql`hits - 1` })
      .where((eb) => eb.or(hits.map(([bucket, windowStart]) => eb.and([eb('bucket', '=', bucket), eb('window_start', '=', windowStart)]))))
      .where('bucket', 'in', (eb) => eb.selectFrom('locked').select('bucket'))
      .where('hits', '>', 0);
}
