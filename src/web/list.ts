// The one place that knows how the API pages its lists: by cursor, so every
// page costs the same however deep (the API's `nextCursor`). A page's own
// address carries the cursor it was opened with; the way back is the first
// page (cursors only go forward) or the browser's Back.
import { api, type PageOf } from './api.ts';

export interface ListPage<T> {
  items: T[];
  /** Query strings for the page's own address, e.g. "?cursor=…"; absent at either end. */
  previous?: string;
  next?: string;
  /** For people: "12 in all". */
  position: string;
}

export async function loadList<T>(path: string, query: URLSearchParams, pageSize = 20): Promise<ListPage<T>> {
  const cursor = query.get('cursor');
  const asked = new URLSearchParams({ pageSize: String(pageSize), ...(cursor ? { cursor } : {}) });
  const answer = await api<PageOf<T>>('GET', `${path}?${asked}`);
  return {
    items: answer.items,
    ...(cursor ? { previous: '?' } : {}),
    ...(answer.nextCursor !== null ? { next: `?${new URLSearchParams({ cursor: answer.nextCursor })}` } : {}),
    position: `${answer.total} in all`,
  };
}
