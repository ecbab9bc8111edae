// The one place that knows how the API pages its lists: by cursor, so every
// page costs the same however deep (the API's `nextCursor`). A page's own
// address carries the cursor it was opened with; the way back is the first
// page (cursors only go forward) or the browser's Back.
import { api, type ListOf } from './api.ts';

export interface ListPage<T> {
  items: T[];
  /** Query strings for the page's own address, e.g. "?cursor=…"; absent at either end. */
  previous?: string;
  next?: string;
  /** For people: "12 in all", or "3 on this page" for a list without a total. */
  position: string;
}

/**
 * `filters` (a search's fields) go to the API with every page and stay in the
 * page addresses: a cursor carries the position only.
 */
export async function loadList<T>(
  path: string,
  query: URLSearchParams,
  pageSize = 20,
  filters: Record<string, string> = {},
): Promise<ListPage<T>> {
  const cursor = query.get('cursor');
  const asked = new URLSearchParams({ ...filters, pageSize: String(pageSize), ...(cursor ? { cursor } : {}) });
  const answer = await api<ListOf<T>>('GET', `${path}?${asked}`);
  return {
    items: answer.items,
    ...(cursor ? { previous: `?${new URLSearchParams(filters)}` } : {}),
    ...(answer.nextCursor !== null ? { next: `?${new URLSearchParams({ ...filters, cursor: answer.nextCursor })}` } : {}),
    position: answer.total === undefined ? `${answer.items.length} on this page` : `${answer.total} in all`,
  };
}
