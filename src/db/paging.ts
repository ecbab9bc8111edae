// A list page and its total in ONE statement:
//   SELECT t.total, i.* FROM (SELECT count(*) ...) t LEFT JOIN LATERAL (<page>) i ON true
// A page past the end still yields one row (item columns null), so the real
// total is known without a second query.
import type { Pagination } from '../http/params.ts';

export interface Page<T> {
  items: T[];
  page: number;
  pageSize: number;
  total: number;
}

type Nullable<T> = { [K in keyof T]: T[K] | null };

/**
 * Builds the page from such rows. The item columns are NOT NULL in their
 * tables, so a null `id` marks the one empty row of a page past the end.
 */
export function toPage<Item extends { id: number }, T>(
  rows: readonly ({ total: number } & Nullable<Item>)[],
  pagination: Pagination,
  present: (item: Item) => T,
): Page<T> {
  const items = rows.filter((row) => row.id !== null).map((row) => present(row as unknown as Item));
  return { items, page: pagination.page, pageSize: pagination.pageSize, total: rows[0]?.total ?? 0 };
}
