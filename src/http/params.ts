// The query of a list. Malformed values are 400, never 404 or 500; route()
// parses path parameters with their declared schemas itself.
import { validationFailed } from '../common/errors.ts';
import { paginationSchema, type Pagination } from '../common/pagination.ts';
import { parse } from '../common/validate.ts';

const PAGINATION_KEYS = ['page', 'pageSize', 'cursor'] as const;

/**
 * `page` (>= 1, default 1) or `cursor`, and `pageSize` (1-100, default 20),
 * from the query string, with `schema` (route() passes the declared one).
 */
export function parsePagination(url: URL, schema: typeof paginationSchema = paginationSchema): Pagination {
  const query: Record<string, string> = {};
  for (const key of PAGINATION_KEYS) {
    const values = url.searchParams.getAll(key);
    if (values.length > 1) throw validationFailed({ [key]: ['must be given once'] });
    if (values.length === 1) query[key] = values[0]!;
  }
  const { page, pageSize, cursor } = parse(schema, query, 'query');
  if (cursor !== undefined && page !== undefined) throw validationFailed({ cursor: ['cannot be combined with page'] });
  if (cursor !== undefined) return { page: null, pageSize, offset: 0, cursor };
  const number = page ?? 1;
  return { page: number, pageSize, offset: (number - 1) * pageSize, cursor: null };
}
