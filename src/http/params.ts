// The query of a list. Malformed values are 400, never 404 or 500; route()
// parses path parameters with their declared schemas itself.
import type * as v from 'valibot';
import { validationFailed } from '../common/errors.ts';
import { paginationSchema, type Pagination } from '../common/pagination.ts';
import { parse } from '../common/validate.ts';

/** A list's query: the pagination's fields and, for a filtered list (the admin search), its filters. */
export type ListQuerySchema = v.ObjectSchema<typeof paginationSchema.entries & v.ObjectEntries, undefined>;

/** The filters a list's query declares beside the pagination, parsed. */
export type FiltersOf<Q extends ListQuerySchema> = Omit<v.InferOutput<Q>, 'page' | 'pageSize' | 'cursor'>;

/**
 * `page` (>= 1, default 1) or `cursor`, and `pageSize` (1-100, default 20),
 * from the query string, with `schema` (route() passes the declared one),
 * and the filters it declares beside them, each given at most once.
 */
export function parsePagination<Q extends ListQuerySchema>(url: URL, schema: Q = paginationSchema as Q): Pagination & FiltersOf<Q> {
  const query: Record<string, string> = {};
  for (const key of Object.keys(schema.entries)) {
    const values = url.searchParams.getAll(key);
    if (values.length > 1) throw validationFailed({ [key]: ['must be given once'] });
    if (values.length === 1) query[key] = values[0]!;
  }
  const { page, pageSize, cursor, ...filters } = parse(schema, query, 'query') as v.InferOutput<typeof paginationSchema>;
  if (cursor !== undefined && page !== undefined) throw validationFailed({ cursor: ['cannot be combined with page'] });
  const rest = filters as FiltersOf<Q>;
  if (cursor !== undefined) return { ...rest, page: null, pageSize, offset: 0, cursor };
  const number = page ?? 1;
  return { ...rest, page: number, pageSize, offset: (number - 1) * pageSize, cursor: null };
}
