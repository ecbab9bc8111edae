// Pages of a list: what the query string asks for, and the page answered.
// A list page and its total are read in ONE statement (src/db/page-query.ts):
//   SELECT t.total, i.* FROM (<total>) t LEFT JOIN LATERAL (<page>) i ON true
// The total comes from a counter kept by triggers (migration 0006), never
// counted. A page past the end still yields one row (item columns null), so
// the total is known without a second query. The page asks for pageSize + 1
// rows: the extra one tells whether a next page exists, and is not returned.
import * as v from 'valibot';
import type { CursorCodec } from './cursor.ts';
import { validationFailed } from './errors.ts';

export interface Pagination {
  /** null when the page is asked for by cursor. */
  page: number | null;
  pageSize: number;
  /** Rows before the page: 0 by cursor. */
  offset: number;
  /** As sent; each list decodes its own (cursor.ts). */
  cursor: string | null;
}

/**
 * Decimal digits, as many as `max` has at most (leading zeros aside, which
 * the range then judges); `v.number()` and `v.integer()` state the output type
 * for the OpenAPI document, which the pattern already ensures.
 */
const integerText = (min: number, max: number, message: string) =>
  v.pipe(
    v.string(),
    v.regex(new RegExp(`^\\d{1,${String(max).length}}$`), message),
    v.transform(Number),
    v.number(),
    v.integer(),
    v.minValue(min, message),
    v.maxValue(max, message),
  );

export const MAX_PAGE = 1_000_000;
export const MAX_PAGE_SIZE = 100;

/** `page` (>= 1, default 1) or `cursor`, and `pageSize` (1-100, default 20). */
export const paginationSchema = v.object({
  page: v.optional(
    v.pipe(integerText(1, MAX_PAGE, `must be an integer from 1 to ${MAX_PAGE}`), v.description('Default 1. Not combined with `cursor`.')),
  ),
  pageSize: v.optional(integerText(1, MAX_PAGE_SIZE, `must be an integer from 1 to ${MAX_PAGE_SIZE}`), '20'),
  cursor: v.optional(
    v.pipe(
      v.string(),
      v.regex(/^[A-Za-z0-9_-]{1,200}$/, 'must be the nextCursor of a page of this list'),
      v.description('Opaque: the `nextCursor` of the previous page. Not combined with `page`.'),
    ),
  ),
});

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
