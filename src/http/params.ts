// Path and query parameters. Malformed values are 400, never 404 or 500.
import * as v from 'valibot';
import { validationFailed } from './errors.ts';
import { parse } from './validate.ts';
import { usernameSchema } from '../users/username.ts';

const ID_RULE = 'must be a positive integer of at most 2^53-1, in decimal digits';

/**
 * Decimal digits only, 1 .. 2^53-1: rejects `0`, `-1`, `1.5`, `1e3`, `0x1`, ` 1`.
 * The schemas after the transform state the output type for the OpenAPI
 * document (valibot's output mode); only the safe-integer bound can fail there.
 */
export const idSchema = v.pipe(
  v.string(ID_RULE),
  v.regex(/^[1-9]\d{0,15}$/, ID_RULE),
  v.transform(Number),
  v.number(),
  v.safeInteger(ID_RULE),
  v.minValue(1, ID_RULE),
);

export function parseId(raw: string | undefined, name = 'id'): number {
  return parse(idSchema, raw, name);
}

export function parseUsernameParam(raw: string | undefined): string {
  return parse(usernameSchema, raw, 'username');
}

export interface Pagination {
  /** null when the page is asked for by cursor. */
  page: number | null;
  pageSize: number;
  /** Rows before the page: 0 by cursor. */
  offset: number;
  /** As sent; each list decodes its own (src/shared/cursor.ts). */
  cursor: string | null;
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

export const paginationSchema = v.object({
  page: v.optional(
    v.pipe(integerText(1, 1_000_000, 'must be an integer of at least 1'), v.description('Default 1. Not combined with `cursor`.')),
  ),
  pageSize: v.optional(integerText(1, 100, 'must be an integer from 1 to 100'), '20'),
  cursor: v.optional(
    v.pipe(
      v.string(),
      v.regex(/^[A-Za-z0-9_-]{1,200}$/, 'must be the nextCursor of a page of this list'),
      v.description('Opaque: the `nextCursor` of the previous page. Not combined with `page`.'),
    ),
  ),
});

const PAGINATION_KEYS = ['page', 'pageSize', 'cursor'] as const;

/** `page` (>= 1, default 1) or `cursor`, and `pageSize` (1-100, default 20), from the query string. */
export function parsePagination(url: URL): Pagination {
  const query: Record<string, string> = {};
  for (const key of PAGINATION_KEYS) {
    const values = url.searchParams.getAll(key);
    if (values.length > 1) throw validationFailed({ [key]: ['must be given once'] });
    if (values.length === 1) query[key] = values[0]!;
  }
  const { page, pageSize, cursor } = parse(paginationSchema, query, 'query');
  if (cursor !== undefined && page !== undefined) throw validationFailed({ cursor: ['cannot be combined with page'] });
  if (cursor !== undefined) return { page: null, pageSize, offset: 0, cursor };
  const number = page ?? 1;
  return { page: number, pageSize, offset: (number - 1) * pageSize, cursor: null };
}
