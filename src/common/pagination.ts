// Pages of a list: what the query string asks for, and the page answered.
// A list page and its total are read in ONE statement:
//   SELECT t.total, i.* FROM (SELECT count(*) ...) t LEFT JOIN LATERAL (<page>) i ON true
// A page past the end still yields one row (item columns null), so the real
// total is known without a second query.
import * as v from 'valibot';

export interface Pagination {
  page: number;
  pageSize: number;
  offset: number;
}

/** `v.number()` and `v.integer()` state the output type for the OpenAPI document; the regex already ensures both. */
const integerText = (min: number, max: number, message: string) =>
  v.pipe(
    v.string(),
    v.regex(/^\d{1,6}$/, message),
    v.transform(Number),
    v.number(),
    v.integer(),
    v.minValue(min, message),
    v.maxValue(max, message),
  );

/** `page` (>= 1, default 1) and `pageSize` (1-100, default 20). */
export const paginationSchema = v.object({
  page: v.optional(integerText(1, 1_000_000, 'must be an integer of at least 1'), '1'),
  pageSize: v.optional(integerText(1, 100, 'must be an integer from 1 to 100'), '20'),
});

/** `pageSize` (1-100, default 20) and `cursor`: lists read by keyset only (GET /api/me/events). */
export const cursorPageSchema = v.object({
  pageSize: paginationSchema.entries.pageSize,
  cursor: v.optional(
    v.pipe(
      v.string(),
      v.regex(/^[A-Za-z0-9_-]{1,200}$/, 'must be the nextCursor of a page of this list'),
      v.description('Opaque: the `nextCursor` of the previous page.'),
    ),
  ),
});

export interface CursorPage {
  pageSize: number;
  cursor?: string | undefined;
}

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
