// Path and query parameters. Malformed values are 400, never 404 or 500.
import { validationFailed } from '../common/errors.ts';
import { idSchema } from '../common/ids.ts';
import { cursorPageSchema, paginationSchema, type CursorPage, type Pagination } from '../common/pagination.ts';
import { parse } from '../common/validate.ts';
import { usernameSchema } from '../users/username.ts';

export function parseId(raw: string | undefined, name = 'id'): number {
  return parse(idSchema, raw, name);
}

export function parseUsernameParam(raw: string | undefined): string {
  return parse(usernameSchema, raw, 'username');
}

/** The named parameters of the query string, each given at most once. */
function queryOf(url: URL, keys: readonly string[]): Record<string, string> {
  const query: Record<string, string> = {};
  for (const key of keys) {
    const values = url.searchParams.getAll(key);
    if (values.length > 1) throw validationFailed({ [key]: ['must be given once'] });
    if (values.length === 1) query[key] = values[0]!;
  }
  return query;
}

/** `page` (>= 1, default 1) and `pageSize` (1-100, default 20) from the query string. */
export function parsePagination(url: URL): Pagination {
  const { page, pageSize } = parse(paginationSchema, queryOf(url, ['page', 'pageSize']), 'query');
  return { page, pageSize, offset: (page - 1) * pageSize };
}

/** `pageSize` (1-100, default 20) and an optional `cursor` from the query string. */
export function parseCursorPage(url: URL): CursorPage {
  return parse(cursorPageSchema, queryOf(url, ['pageSize', 'cursor']), 'query');
}
