// Client-side routing under /app/: Netlify rewrites every /app/* path to the
// one index.html (netlify.toml), and this module keeps clicks on /app/ links
// inside the page (history API) so the session lookup is not repeated.
import { useEffect, useState } from 'preact/hooks';

export interface Place {
  path: string;
  query: URLSearchParams;
}

const listeners = new Set<() => void>();
const here = (): Place => ({ path: location.pathname, query: new URLSearchParams(location.search) });

export function navigate(href: string, options: { replace?: boolean } = {}): void {
  history[options.replace ? 'replaceState' : 'pushState'](null, '', href);
  window.scrollTo(0, 0);
  for (const listener of listeners) listener();
}

export function usePlace(): Place {
  const [place, setPlace] = useState(here);
  useEffect(() => {
    const update = () => setPlace(here());
    listeners.add(update);
    window.addEventListener('popstate', update);
    return () => {
      listeners.delete(update);
      window.removeEventListener('popstate', update);
    };
  }, []);
  return place;
}

/** Plain left clicks on same-origin /app/ links navigate in place; anything else is the browser's. */
export function keepLinksInApp(): void {
  document.addEventListener('click', (event) => {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    const link = (event.target as Element).closest('a');
    if (link === null || link.target !== '' || link.hasAttribute('download')) return;
    const url = new URL(link.href);
    if (url.origin !== location.origin || !url.pathname.startsWith('/app/')) return;
    event.preventDefault();
    navigate(url.pathname + url.search + url.hash);
  });
}

/** /app/u/{username} and the other page addresses, built in one place. */
export const to = {
  feed: '/app/',
  post: (id: number) => `/app/posts/${id}`,
  users: '/app/users',
  user: (username: string) => `/app/u/${encodeURIComponent(username)}`,
  signup: '/app/signup',
  login: '/app/login',
  forgot: '/app/forgot',
  account: '/app/account',
};
