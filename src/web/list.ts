// The one place that knows how the API pages its lists. Today: ?page and
// ?pageSize in, {items, page, pageSize, total} out. When lists move to
// cursors, only this file changes: pages keep passing their own query string
// and rendering `previous`/`next` as links.
import { api } from './api.ts';

export interface ListPage<T> {
  items: T[];
  /** Query strings for the page's own address, e.g. "?page=2"; absent at either end. */
  previous?: string;
  next?: string;
  /** For people: "Page 2 of 7". */
  position: string;
}

interface PagedAnswer<T> {
  items: T[];
  page: number;
  pageSize: number;
  total: number;
}

export async function loadList<T>(path: string, query: URLSearchParams, pageSize = 20): Promise<ListPage<T>> {
  const asked = Number(query.get('page') ?? '1');
  const page = Number.isInteger(asked) && asked >= 1 ? asked : 1;
  const answer = await api<PagedAnswer<T>>('GET', `${path}?page=${page}&pageSize=${pageSize}`);
  const pages = Math.max(1, Math.ceil(answer.total / answer.pageSize));
  return {
    items: answer.items,
    ...(page > 1 ? { previous: `?page=${Math.min(page - 1, pages)}` } : {}),
    ...(page < pages ? { next: `?page=${page + 1}` } : {}),
    position: `Page ${page} of ${pages}`,
  };
}
