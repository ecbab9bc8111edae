// The admin pages' entry, a chunk of its own (src/cli/web-bundle.ts) that
// pages/admin-gate.tsx imports only once the admin API answered 200: the
// user search, a user's page with the actions, the service keys. Every call
// goes to /api/admin/* (src/auth/admin/README.md), which checks the role and
// the aal2 step-up itself: this chunk hides nothing the API would show.
import type { ComponentChildren } from 'preact';
import type { Place } from '../router.ts';
import { ServiceKeys } from './keys.tsx';
import { adminTo } from './paths.ts';
import { UserSearch, AdminUserPage } from './users.tsx';

const routes: [RegExp, (match: string[], place: Place) => ComponentChildren][] = [
  [/^\/app\/admin\/?$/, (_, place) => <UserSearch place={place} />],
  [/^\/app\/admin\/users\/([^/]+)$/, ([, id]) => <AdminUserPage id={id!} />],
  [/^\/app\/admin\/keys$/, () => <ServiceKeys />],
];

export function AdminPages({ place }: { place: Place }) {
  const route = routes.find(([pattern]) => pattern.test(place.path));
  return (
    <>
      <nav class="admin-nav" aria-label="Administration">
        <a href={adminTo.users} aria-current={place.path.replace(/\/$/, '') === '/app/admin' ? 'page' : undefined}>
          Users
        </a>
        <a href={adminTo.keys} aria-current={place.path === adminTo.keys ? 'page' : undefined}>
          Service keys
        </a>
      </nav>
      {route ? (
        route[1](route[0].exec(place.path)!, place)
      ) : (
        <>
          <h1 tabIndex={-1}>Page not found</h1>
          <p>
            There is no admin page here. <a href={adminTo.users}>Search the users</a>
          </p>
        </>
      )}
    </>
  );
}
