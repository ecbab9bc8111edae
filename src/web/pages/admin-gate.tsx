// The door to /app/admin/: GET /api/me does not say the role, so the admin
// API itself is asked (one search row); only its 200 loads the admin pages,
// a separate chunk (src/web/admin/), with a dynamic import(). A user sees
// "not allowed" and an admin without the second factor's step-up is told
// what is missing, both without fetching the chunk: nothing of the admin
// pages is in what they load.
import type { ComponentChildren, ComponentType } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError } from '../api.ts';
import { to, type Place } from '../router.ts';
import { useSession } from '../session.ts';
import { Pending, useTitle } from '../ui.tsx';

type AdminPages = ComponentType<{ place: Place }>;
type Door = { open: AdminPages } | { refused: ApiError };

function Refused({ title, children }: { title: string; children: ComponentChildren }) {
  useTitle(title);
  return (
    <>
      <h1 tabIndex={-1}>{title}</h1>
      {children}
    </>
  );
}

export function AdminGate({ place }: { place: Place }) {
  const { me } = useSession();
  const [door, setDoor] = useState<Door>();
  const who = me?.user.id;
  useEffect(() => {
    setDoor(undefined);
    if (who === undefined) return;
    let current = true;
    api('GET', '/api/admin/users?pageSize=1')
      .then(() => import('../admin/admin-pages.tsx'))
      .then(
        (chunk) => current && setDoor({ open: chunk.AdminPages }),
        (error: unknown) => {
          if (!current) return;
          // A chunk that failed to load (network) is shown as the API's failures are.
          setDoor({ refused: error instanceof ApiError ? error : new ApiError(0, 'network', 'The admin pages could not be loaded.') });
        },
      );
    return () => {
      current = false;
    };
  }, [who]);

  if (me === null) {
    return (
      <Refused title="Administration">
        <p>
          You are not logged in. <a href={`${to.login}?next=${encodeURIComponent(place.path)}`}>Log in</a>
        </p>
      </Refused>
    );
  }
  if (door === undefined) return <Pending error={undefined} />;
  if ('open' in door) return <door.open place={place} />;
  if (door.refused.code === 'forbidden') {
    return (
      <Refused title="Not allowed">
        <p>
          This page is for administrators only. <a href={to.feed}>See the posts</a>
        </p>
      </Refused>
    );
  }
  if (door.refused.code === 'aal2_required') {
    return (
      <Refused title="Second factor needed">
        <p>
          The administration pages need a session opened with your second factor, and this one was opened with the password alone. Log out,
          then log in again with your password and a code from your authenticator app.
        </p>
        <p>
          No second factor yet? Turn it on in <a href={to.account}>My account</a> first.
        </p>
      </Refused>
    );
  }
  return <Pending error={door.refused} />;
}
