// A list page and its total in ONE statement (src/common/pagination.ts reads the rows):
//   SELECT t.total, i.* FROM (<total>) t LEFT JOIN LATERAL (<page>) i ON true ORDER BY <the page's order>
// A page past the end still yields one row, its item columns null, so the
// real total is known without a second query. The page itself:
//   - by cursor, a keyset: the rows after the cursor's key, in index order;
//   - by page number, a deferred join: the keys of the page from an
//     index-only scan (OFFSET walks index entries, not rows), then only those
//     rows are read; past the end (offset >= total) nothing is scanned.
import { sql, type AliasedSelectQueryBuilder, type Kysely, type RawBuilder } from 'kysely';
import { getDb } from './connection.ts';

type Nullable<T> = { [K in keyof T]: T[K] | null };

export type PageRow<Item> = { total: number } & Nullable<Item>;

/**
 * `total` selects `total` as `t` (a counter row, not a count); `page` selects
 * the items as `i`. `order` repeats the page's order by its output columns: a
 * join does not promise to keep the order of a subquery.
 */
export async function selectPageWithTotal<Item>(
  total: AliasedSelectQueryBuilder<{ total: number }, 't'>,
  page: AliasedSelectQueryBuilder<Item, 'i'>,
  order: readonly (readonly [column: keyof Item & string, direction: 'asc' | 'desc'])[],
): Promise<PageRow<Item>[]> {
  // Kysely cannot type a join of builders whose row types are generic here; the result type is stated above.
  const db = getDb() as unknown as Kysely<Record<'t' | 'i', Record<string, unknown>>>;
  let query = db
    .selectFrom(total as unknown as 't')
    .leftJoinLateral(page as unknown as 'i', (join) => join.onTrue())
    .selectAll();
  for (const [column, direction] of order) query = query.orderBy(sql.ref(`i.${column}`), direction);
  return (await query.execute()) as unknown as PageRow<Item>[];
}

/** The outer query's total, for pageWindow inside the page. */
export const outerTotal = sql<number>`t.total`;

/**
 * LIMIT pageSize + 1, and for page numbers the OFFSET, guarded by the total
 * (a column of the outer query) so a page past the end scans nothing.
 */
export function pageWindow(window: { pageSize: number; offset: number }, total?: RawBuilder<unknown>) {
  return <QB extends { limit(n: number): QB; offset(n: number): QB; where(e: RawBuilder<boolean>): QB }>(qb: QB): QB => {
    const limited = qb.limit(window.pageSize + 1);
    if (window.offset === 0) return limited;
    const guarded = total === undefined ? limited : limited.where(sql<boolean>`${window.offset} < ${total}`);
    return guarded.offset(window.offset);
  };
}

/**
 * The keyset of a list ordered by (created_at, id): the rows after `after`
 * (the cursor's key, its time as exact ISO text) in that order, then the order
 * itself, both as the list's index holds them.
 */
export function byCreatedAt(direction: 'asc' | 'desc', after: readonly [createdAt: string, id: number] | undefined) {
  return <QB extends { where(e: RawBuilder<boolean>): QB; orderBy(e: RawBuilder<unknown>, d: 'asc' | 'desc'): QB }>(qb: QB): QB => {
    const keyed =
      after === undefined
        ? qb
        : qb.where(sql<boolean>`(created_at, id) ${sql.raw(direction === 'asc' ? '>' : '<')} (${after[0]}::timestamptz, ${after[1]})`);
    return keyed.orderBy(sql.ref('created_at'), direction).orderBy(sql.ref('id'), direction);
  };
}

/** A timestamp column as whole microseconds since 1970, the form cursors carry it in. */
export const micros = (column: string) => sql<number>`(extract(epoch from ${sql.ref(column)}) * 1000000)::bigint`;
