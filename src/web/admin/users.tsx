// The user search (GET /api/admin/users: a prefix of the e-mail or username,
// role, state; paged by cursor, the filters kept in the page's address) and
// a user's page (GET /api/admin/users/{id}) with the admin actions, each
// asking before it acts (confirm.tsx): ban and unban, end the sessions, send
// a password reset, grant or revoke the admin role, delete; and removing the
// user's second factor or passkeys, which also asks for the admin's own code.
import { useState } from 'preact/hooks';
import { api, segment, type AdminUser, type AdminUserDetail, type RemovedPasskeys, type RevokedSessions } from '../api.ts';
import { loadList } from '../list.ts';
import { navigate, to, type Place } from '../router.ts';
import { useSession } from '../session.ts';
import { ClientReported, Field, Form, Pager, Pending, signedInWith, type Submission, useLoad, useSubmit, useTitle, When } from '../ui.tsx';
import { ConfirmedAction } from './confirm.tsx';
import { adminTo } from './paths.ts';

const FILTERS = ['q', 'role', 'state'] as const;
const ROLE_CHOICES = [
  ['', 'Any'],
  ['user', 'User'],
  ['admin', 'Admin'],
] as const;
const STATE_CHOICES = [
  ['', 'Any'],
  ['banned', 'Banned now'],
  ['unconfirmed', 'Not confirmed'],
  ['mfa', 'With a second factor'],
] as const;

const filtersOf = (query: URLSearchParams): Record<string, string> =>
  Object.fromEntries(FILTERS.flatMap((name) => (query.get(name) ? [[name, query.get(name)!]] : [])));

export function UserSearch({ place }: { place: Place }) {
  useTitle('Users · Administration');
  const filters = filtersOf(place.query);
  const users = useLoad(() => loadList<AdminUser>('/api/admin/users', place.query, 20, filters), place.query.toString());
  return (
    <>
      <h1 tabIndex={-1}>Users</h1>
      {/* Keyed by the address, so Back and a paging link show the filters of the page they open. */}
      <SearchForm key={new URLSearchParams(filters).toString()} filters={filters} />
      {users.data === undefined ? (
        <Pending error={users.error} />
      ) : users.data.items.length === 0 ? (
        <p role="status">No user matches.</p>
      ) : (
        <>
          <table class="admin-table">
            <caption>Users found, oldest first</caption>
            <thead>
              <tr>
                <th scope="col">Username</th>
                <th scope="col">E-mail</th>
                <th scope="col">Role</th>
                <th scope="col">State</th>
                <th scope="col">Joined</th>
              </tr>
            </thead>
            <tbody>
              {users.data.items.map((user) => (
                <tr>
                  <td>
                    <a href={adminTo.user(user.id)}>{user.username}</a>
                  </td>
                  <td class="address">{user.email}</td>
                  <td>{user.role}</td>
                  <td>{stateOf(user)}</td>
                  <td>
                    <When at={user.createdAt} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <Pager list={users.data} path={adminTo.users} label="Pages of users" />
        </>
      )}
    </>
  );
}

function SearchForm({ filters }: { filters: Record<string, string> }) {
  const [q, setQ] = useState(filters.q ?? '');
  const [role, setRole] = useState(filters.role ?? '');
  const [state, setState] = useState(filters.state ?? '');
  // The search is the page's address: the list below loads from it, and the API checks the filters there.
  const submission = useSubmit(
    async () => {
      const chosen = Object.entries({ q: q.trim(), role, state }).filter(([, value]) => value !== '');
      navigate(`${adminTo.users}${chosen.length ? `?${new URLSearchParams(chosen)}` : ''}`);
    },
    () => undefined,
  );
  return (
    <Form label="Search users" submission={submission} action="Search">
      <Field label="E-mail or username starts with" name="q" value={q} onInput={setQ} />
      <Field label="Role" name="role" value={role} onInput={setRole} options={ROLE_CHOICES} />
      <Field label="State" name="state" value={state} onInput={setState} options={STATE_CHOICES} />
    </Form>
  );
}

function stateOf(user: AdminUser): string {
  const states = [
    user.ban !== null && 'banned',
    !user.confirmed && 'not confirmed',
    !user.emailVerified && 'address not proven',
    user.mfa && 'second factor',
  ].filter(Boolean);
  return states.length ? states.join(', ') : 'active';
}

const PROFILE_LABELS = [
  ['bio', 'Bio'],
  ['location', 'Location'],
  ['birthday', 'Birthday'],
  ['gender', 'Gender'],
  ['maritalStatus', 'Marital status'],
] as const;

const yesNo = (value: boolean) => (value ? 'Yes' : 'No');

export function AdminUserPage({ id }: { id: string }) {
  const found = useLoad(() => api<AdminUserDetail>('GET', `/api/admin/users/${segment(id)}`), id);
  const [status, setStatus] = useState('');
  const [deleted, setDeleted] = useState<string>();
  const name = found.data?.user.username;
  useTitle(`${deleted !== undefined ? 'User deleted' : (name ?? (found.error ? 'User not found' : 'User'))} · Administration`);
  if (deleted !== undefined) {
    return (
      <>
        <h1 tabIndex={-1}>User deleted</h1>
        <p role="status">
          {deleted} and everything that was theirs are deleted; the admin trail keeps the action.{' '}
          <a href={adminTo.users}>Search the users</a>
        </p>
      </>
    );
  }
  if (found.data === undefined) {
    return (
      <>
        <h1 tabIndex={-1}>User</h1>
        <Pending error={found.error} />
      </>
    );
  }
  const { user, profile, secondFactor, sessions, events, adminActions } = found.data;
  const acted = (message: string) => {
    setStatus(message);
    found.reload();
  };
  return (
    <>
      <h1 tabIndex={-1}>{user.username}</h1>
      <p role="status">{status}</p>
      <h2>Account</h2>
      <dl class="profile">
        <dt>E-mail</dt>
        <dd>{user.email}</dd>
        <dt>Address proven</dt>
        <dd>{yesNo(user.emailVerified)}</dd>
        <dt>Confirmed</dt>
        <dd>{yesNo(user.confirmed)}</dd>
        <dt>Role</dt>
        <dd data-field="role">{user.role}</dd>
        <dt>Joined</dt>
        <dd>
          <When at={user.createdAt} />
        </dd>
        <dt>Ban</dt>
        <dd data-field="ban">
          {user.ban === null ? (
            'None'
          ) : (
            <>
              Banned since <When at={user.ban.since} />
              {user.ban.until === null ? (
                ', until lifted'
              ) : (
                <>
                  , until <When at={user.ban.until} />
                </>
              )}
              : <q>{user.ban.reason}</q>
            </>
          )}
        </dd>
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
      <h2>Second factor</h2>
      <p>
        {secondFactor === null ? (
          'None.'
        ) : (
          <>
            {secondFactor.enabled ? 'On' : 'Enrolment not confirmed'} since <When at={secondFactor.createdAt} />,{' '}
            {secondFactor.recoveryCodesLeft} recovery codes left
            {secondFactor.lockedAt !== null && (
              <>
                , locked since <When at={secondFactor.lockedAt} />
              </>
            )}
            .
          </>
        )}
      </p>
      <FactorRemovals detail={found.data} acted={acted} />
      <h2>Sessions</h2>
      {sessions.length === 0 ? (
        <p>No live session.</p>
      ) : (
        <ul class="sessions">
          {sessions.map((session) => (
            <li>
              Started <When at={session.createdAt} />
              {session.userAgent !== null && (
                <>
                  {' '}
                  in <ClientReported text={session.userAgent} />
                </>
              )}
              {session.ip !== null && <> from {session.ip}</>}, last used <When at={session.lastSeenAt} />, signed in with{' '}
              {signedInWith(session.amr)}
            </li>
          ))}
        </ul>
      )}
      <h2>Recent events</h2>
      {events.length === 0 ? (
        <p>No event.</p>
      ) : (
        <table class="admin-table">
          <caption>The 20 newest events of the account's audit trail</caption>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Event</th>
              <th scope="col">Reason</th>
              <th scope="col">From</th>
            </tr>
          </thead>
          <tbody>
            {events.map((event) => (
              <tr>
                <td>
                  <When at={event.createdAt} />
                </td>
                <td>{event.type.replaceAll('_', ' ')}</td>
                <td>{event.reason ?? ''}</td>
                <td>
                  {event.ip ?? ''} {event.userAgent !== null && <ClientReported text={event.userAgent} />}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h2>Admin actions on this account</h2>
      {adminActions.length === 0 ? (
        <p>None.</p>
      ) : (
        <table class="admin-table">
          <caption>The 20 newest, with the admin or service key that acted</caption>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Action</th>
              <th scope="col">By</th>
              <th scope="col">Detail</th>
            </tr>
          </thead>
          <tbody>
            {adminActions.map((action) => (
              <tr>
                <td>
                  <When at={action.createdAt} />
                </td>
                <td>{action.action.replaceAll('_', ' ')}</td>
                <td>
                  {action.actor}
                  {action.actorKeyId !== null && ' (service key)'}
                </td>
                <td>{action.detail ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Actions
        user={user}
        acted={acted}
        deleted={() => {
          setStatus('');
          setDeleted(user.username);
        }}
      />
    </>
  );
}

/**
 * The user's passkeys, and removing their second factor or passkeys (for one
 * who lost a phone): the API asks for the admin's own code (a stolen admin
 * session alone must not strip a user's factor) and refuses one's own account
 * and another admin's, so those get a pointer here instead of buttons.
 */
function FactorRemovals({ detail, acted }: { detail: AdminUserDetail; acted: (message: string) => void }) {
  const { me } = useSession();
  const { user, secondFactor, passkeys } = detail;
  const path = `/api/admin/users/${user.id}`;
  const name = user.username;
  const removable = secondFactor?.enabled === true || passkeys.length > 0;
  const refusal =
    me?.user.id === user.id ? (
      <>
        Your own second factor and passkeys are on <a href={to.account}>your account page</a>, which asks for your password.
      </>
    ) : user.role !== 'user' ? (
      "An admin's second factor and passkeys can be removed only once their admin role is revoked."
    ) : me?.user.mfa.totp === false ? (
      <>
        Removing them asks for a code of your own authenticator app: turn one on from <a href={to.account}>your account page</a> first.
      </>
    ) : undefined;
  const ends = `Every session of ${name} ends and they are e-mailed that it happened.`;
  return (
    <>
      <h2>Passkeys</h2>
      {passkeys.length === 0 ? (
        <p>None.</p>
      ) : (
        <table class="admin-table">
          <caption>Passkeys of {name}, oldest first</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Created</th>
              <th scope="col">Last used</th>
              {refusal === undefined && <th scope="col">Remove</th>}
            </tr>
          </thead>
          <tbody>
            {passkeys.map((passkey) => (
              <tr>
                <td>
                  <q>{passkey.name}</q> ({passkey.kind})
                </td>
                <td>
                  <When at={passkey.createdAt} />
                </td>
                <td>{passkey.lastUsedAt === null ? 'Never' : <When at={passkey.lastUsedAt} />}</td>
                {refusal === undefined && (
                  <td>
                    <CodeConfirmed
                      action={`Remove the passkey ${passkey.name}`}
                      question={`Remove the passkey "${passkey.name}" of ${name}? ${ends}`}
                      yes={`Yes, remove the passkey ${passkey.name}`}
                      run={(code) => api<RemovedPasskeys>('DELETE', `${path}/passkeys`, { code, passkeyId: passkey.id })}
                      done={({ revokedSessions }) => acted(`The passkey "${passkey.name}" is removed. ${sessionsEnded(revokedSessions)}`)}
                    />
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {removable && refusal !== undefined && <p>{refusal}</p>}
      {removable && refusal === undefined && (
        <section aria-labelledby="factors-heading">
          <h3 id="factors-heading">Lost phone or security key</h3>
          {secondFactor?.enabled === true && (
            <CodeConfirmed
              action="Remove second factor"
              question={`Remove the second factor of ${name}? Their authenticator app and recovery codes stop working. ${ends}`}
              yes={`Yes, remove the second factor of ${name}`}
              run={(code) => api<RevokedSessions>('DELETE', `${path}/mfa`, { code })}
              done={({ revokedSessions }) => acted(`The second factor of ${name} is removed. ${sessionsEnded(revokedSessions)}`)}
            />
          )}
          {passkeys.length > 0 && (
            <CodeConfirmed
              action="Remove passkeys"
              question={`Remove every passkey of ${name} (${passkeys.length})? ${ends}`}
              yes={`Yes, remove every passkey of ${name}`}
              run={(code) => api<RemovedPasskeys>('DELETE', `${path}/passkeys`, { code })}
              done={({ removedPasskeys, revokedSessions }) =>
                acted(`${removedPasskeys} passkey${removedPasskeys === 1 ? ' is' : 's are'} removed. ${sessionsEnded(revokedSessions)}`)
              }
            />
          )}
        </section>
      )}
    </>
  );
}

/** A ConfirmedAction whose question asks for the admin's own code, sent as `code`; each success clears it (a code works once). */
function CodeConfirmed<T>(props: {
  action: string;
  question: string;
  yes: string;
  run: (code: string) => Promise<T>;
  done: (result: T) => void;
}) {
  const [code, setCode] = useState('');
  return (
    <ConfirmedAction
      danger
      action={props.action}
      question={props.question}
      yes={props.yes}
      run={() => props.run(code.trim())}
      done={(result) => {
        setCode('');
        props.done(result);
      }}
      asks={(submission) => (
        <Field
          label="Your authenticator code"
          name="code"
          value={code}
          onInput={setCode}
          autoComplete="one-time-code"
          hint="The 6-digit code your own authenticator app shows now, or one of your recovery codes (it then works no more)."
          errors={codeErrors(submission)}
          required
        />
      )}
    />
  );
}

/** Under the code field: a wrong code, a missing one (step_up_required), and a 429's wait. */
function codeErrors({ error, errorsOf }: Submission): string[] | undefined {
  if (error?.status === 429)
    return [error.retryAfter === undefined ? 'cannot be tried now' : `can be tried again in ${error.retryAfter} seconds`];
  return errorsOf('code');
}

const sessionsEnded = (count: number) => `${count} session${count === 1 ? ' was' : 's were'} ended.`;

function Actions({ user, acted, deleted }: { user: AdminUser; acted: (message: string) => void; deleted: () => void }) {
  const path = `/api/admin/users/${user.id}`;
  const name = user.username;
  const admin = user.role === 'admin';
  return (
    <section aria-labelledby="actions-heading">
      <h2 id="actions-heading">Actions</h2>
      <Ban user={user} acted={acted} />
      {user.ban !== null && (
        <ConfirmedAction
          action="Lift the ban"
          question={`Lift the ban on ${name}? They can log in again at once.`}
          yes={`Yes, lift the ban on ${name}`}
          run={() => api('DELETE', `${path}/ban`)}
          done={() => acted(`The ban on ${name} is lifted.`)}
        />
      )}
      <ConfirmedAction
        action="End every session"
        question={`End every session of ${name}? Each of their browsers and apps is signed out at its next request.`}
        yes={`Yes, sign ${name} out everywhere`}
        run={() => api<RevokedSessions>('DELETE', `${path}/sessions`)}
        done={({ revokedSessions }) => acted(sessionsEnded(revokedSessions))}
      />
      <ConfirmedAction
        action="Send a password reset"
        question={`E-mail ${name} a password reset link? It goes to their address only, never to you.`}
        yes={`Yes, e-mail ${name} a reset link`}
        run={() => api<{ sent: boolean }>('POST', `${path}/password-reset`)}
        done={({ sent }) =>
          acted(sent ? `A reset link is on its way to ${user.email}.` : 'No mail provider is configured here: no e-mail went out.')
        }
      />
      <ConfirmedAction
        action={admin ? 'Revoke the admin role' : 'Make an admin'}
        question={
          admin
            ? `Revoke the admin role of ${name}? They lose every admin page at once.`
            : `Make ${name} an admin? They can then do all you can here.`
        }
        yes={admin ? `Yes, revoke the role of ${name}` : `Yes, make ${name} an admin`}
        run={() => api('PUT', `${path}/role`, { role: admin ? 'user' : 'admin' })}
        done={() => acted(admin ? `${name} is no admin any more.` : `${name} is an admin now.`)}
      />
      <ConfirmedAction
        danger
        action="Delete the user"
        question={`Delete ${name} with their profile, posts and comments? It cannot be undone.`}
        yes={`Yes, delete ${name}`}
        run={() => api('DELETE', path)}
        done={deleted}
      />
    </section>
  );
}

/** A ban's end, typed in local time, goes to the API in UTC; what does not parse is sent as typed, for the API to refuse. */
const utc = (local: string) => {
  const at = new Date(local);
  return Number.isNaN(at.getTime()) ? local : at.toISOString();
};

function Ban({ user, acted }: { user: AdminUser; acted: (message: string) => void }) {
  const [reason, setReason] = useState('');
  const [until, setUntil] = useState('');
  const name = user.username;
  return (
    <ConfirmedAction
      action={user.ban === null ? 'Ban the user' : 'Change the ban'}
      question={`Ban ${name}${until ? ' until the time given' : ' until lifted'}? Every session of theirs ends at once and they cannot log in.`}
      yes={`Yes, ban ${name}`}
      run={() => api<RevokedSessions>('POST', `/api/admin/users/${user.id}/ban`, { reason, ...(until ? { until: utc(until) } : {}) })}
      done={({ revokedSessions }) => {
        setReason('');
        setUntil('');
        acted(`${name} is banned. ${sessionsEnded(revokedSessions)}`);
      }}
      fields={(errorsOf) => (
        <>
          <Field
            label="Reason"
            name="reason"
            value={reason}
            onInput={setReason}
            multiline
            hint="For the audit trails; the user is not shown it."
            errors={errorsOf('reason')}
            required
          />
          <Field
            label="Ends at (optional)"
            name="until"
            type="datetime-local"
            value={until}
            onInput={setUntil}
            hint="Your local time. Empty: until lifted."
            errors={errorsOf('until')}
          />
        </>
      )}
    />
  );
}
