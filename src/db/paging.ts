// A list page in ONE statement, its total read from a counter kept by
// triggers (sql/migrations/0006_list_totals.sql), never counted:
//   SELECT t.total, i.* FROM <total> t LEFT JOIN LATERAL (<page>) i ON true
// A page past the end still yields one row (item columns null), so the total
// is known without a second query. The page itself:
//   - by cursor, a keyset: the rows after the cursor's key, in index order;
//   - by page number, a deferred join: the keys of the page from an
//     index-only scan (OFFSET walks index entries, not rows), then only those
//     rows are read; past the end (offset >= total) nothing is scanned.
// Either way it asks for pageSize + 1 rows: the extra one tells whether a next
// page exists, and is not returned.
import { sql, type RawBuilder } from 'kysely';
import { validationFailed } from '../http/errors.ts';
import type { Pagination } from '../http/params.ts';
import type { CursorCodec } from '../shared/cursor.ts';

export interface Page<T> {
  items: T[];
  /** null when the page was asked for by cursor. */
  page: number | null;
  pageSize: number;
  total: number;
  /** The cursor of the next page; null on the last one. */
  nextCursor: string | null;
}

type Nullable<T> = { [K in keyof T]: T[K] | null };

/** The key a cursor carries, or undefined without one; 400 for a cursor this list did not give. */
export function afterKey<Key extends readonly unknown[]>(codec: CursorCodec<Key>, pagination: Pagination): Key | undefined {
  if (pagination.cursor === null) return undefined;
  const key = codec.decode(pagination.cursor);
  if (key === undefined) throw validationFailed({ cursor: ['is not a cursor this list gave, or it was changed'] });
  return key;
}

/**
 * LIMIT pageSize + 1, and for page numbers the OFFSET, guarded by the total
 * (`total`, a column of the outer query) so a page past the end scans nothing.
 */
export function pageWindow(pagination: Pagination, total?: RawBuilder<unknown>) {
  return <QB extends { limit(n: number): QB; offset(n: number): QB; where(e: RawBuilder<boolean>): QB }>(qb: QB): QB => {
    const limited = qb.limit(pagination.pageSize + 1);
    if (pagination.offset === 0) return limited;
    const guarded = total === undefined ? limited : limited.where(sql<boolean>`${pagination.offset} < ${total}`);
    return guarded.offset(pagination.offset);
  };
}

/** A timestamp column as whole microseconds since 1970, the form cursors carry it in. */
export const micros = (column: string) => sql<number>`(extract(epoch from ${sql.ref(column)}) * 1000000)::bigint`;

/**
 * Builds the page from the statement's rows. The item columns are NOT NULL in
 * their tables, so a null `id` marks the one empty row of a page past the end.
 */
export function toItems<Item extends { id: number }, T>(
  rows: readonly Nullable<Item>[],
  pagination: Pagination,
  present: (item: NoInfer<Item>) => T,
  cursorOf: (item: NoInfer<Item>) => string,
): Omit<Page<T>, 'total'> {
  const found = rows.filter((row) => row.id !== null) as unknown as Item[];
  const items = found.slice(0, pagination.pageSize);
  const last = items.at(-1);
  const nextCursor = found.length > pagination.pageSize && last !== undefined ? cursorOf(last) : null;
  return { items: items.map(present), page: pagination.page, pageSize: pagination.pageSize, nextCursor };
}

/** toItems, with the total every row carries. */
export function toPage<Item extends { id: number }, T>(
  rows: readonly ({ total: number } & Nullable<Item>)[],
  pagination: Pagination,
  present: (item: NoInfer<Item>) => T,
  cursorOf: (item: NoInfer<Item>) => string,
): Page<T> {
  return { ...toItems<Item, T>(rows, pagination, present, cursorOf), total: rows[0]?.total ?? 0 };
}
