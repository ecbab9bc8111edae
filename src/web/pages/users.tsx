// The users directory (/app/users) and a user's page (/app/u/{username}):
// profile fields and how many posts and comments they wrote.
import { api, segment, type DirectoryEntry, type PublicProfile } from '../api.ts';
import { loadList } from '../list.ts';
import { to, usePlace } from '../router.ts';
import { Pager, Pending, useLoad, useTitle, When } from '../ui.tsx';

export function Users() {
  useTitle('Users');
  const { query } = usePlace();
  const users = useLoad(() => loadList<DirectoryEntry>('/api/users', query, 50), query.toString());
  return (
    <>
      <h1 tabIndex={-1}>Users</h1>
      {users.data === undefined ? (
        <Pending error={users.error} />
      ) : (
        <>
          <ul class="users">
            {users.data.items.map((user) => (
              <li>
                <a href={to.user(user.username)}>{user.username}</a>{' '}
                <span class="meta">
                  joined <When at={user.createdAt} />
                </span>
              </li>
            ))}
          </ul>
          <Pager list={users.data} path={to.users} label="Pages of users" />
        </>
      )}
    </>
  );
}

const PROFILE_LABELS = [
  ['bio', 'Bio'],
  ['location', 'Location'],
  ['birthday', 'Birthday'],
  ['gender', 'Gender'],
  ['maritalStatus', 'Marital status'],
] as const;

export function UserPage({ username }: { username: string }) {
  const found = useLoad(() => api<PublicProfile>('GET', `/api/users/${segment(username)}`), username);
  useTitle(found.error ? 'User not found' : username);
  if (found.data === undefined) {
    return (
      <>
        <h1 tabIndex={-1}>{username}</h1>
        <Pending error={found.error} />
      </>
    );
  }
  const { user, profile, stats } = found.data;
  return (
    <>
      <h1 tabIndex={-1}>{user.username}</h1>
      <p class="meta">
        Joined <When at={user.createdAt} />
      </p>
      <h2>Statistics</h2>
      <dl class="stats">
        <dt>Posts</dt>
        <dd data-stat="posts">{stats.posts}</dd>
        <dt>Comments</dt>
        <dd data-stat="comments">{stats.comments}</dd>
      </dl>
      <h2>Profile</h2>
      <dl class="profile">
        {PROFILE_LABELS.map(([field, label]) => (
          <>
            <dt>{label}</dt>
            <dd>{profile[field]?.replaceAll('_', ' ') ?? 'Not given'}</dd>
          </>
        ))}
      </dl>
    </>
  );
}
