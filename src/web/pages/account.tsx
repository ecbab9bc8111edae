// My account: the profile (PATCH /api/me/profile), the password
// (PUT /api/me/password) and the sessions (GET /api/me/sessions, DELETE one).
// Sections for features other issues add (e-mail change, account deletion,
// "sign out everywhere" beside the sessions, the second factor) go in
// `Account` below, one <section> each, once the API has them.
import { useState } from 'preact/hooks';
import { api, segment, type Me, type Profile, type Session } from '../api.ts';
import { GENDERS, MARITAL_STATUSES } from '../../users/profile-options.ts';
import { NewPasswordField } from '../password-rules.tsx';
import { to } from '../router.ts';
import { useSession } from '../session.ts';
import { Field, Form, Pending, useLoad, useSubmit, useTitle, When } from '../ui.tsx';

export function Account() {
  useTitle('My account');
  const { me, setMe } = useSession();
  if (me === undefined) return <Pending error={undefined} />;
  if (me === null) {
    return (
      <>
        <h1 tabIndex={-1}>My account</h1>
        <p>
          You are not logged in. <a href={`${to.login}?next=${encodeURIComponent(to.account)}`}>Log in</a>
        </p>
      </>
    );
  }
  return (
    <>
      <h1 tabIndex={-1}>My account</h1>
      <p>
        Logged in as <a href={to.user(me.user.username)}>{me.user.username}</a> ({me.user.email}).
      </p>
      <ProfileForm me={me} saved={(profile) => setMe({ ...me, profile })} />
      <PasswordForm me={me} />
      <Sessions />
    </>
  );
}

const label = (value: string) => value.charAt(0).toUpperCase() + value.slice(1).replaceAll('_', ' ');
const choices = (values: readonly string[]) => [['', 'Not given'] as const, ...values.map((value) => [value, label(value)] as const)];

type ProfileDraft = Record<keyof Profile, string>;
const draftOf = (profile: Profile): ProfileDraft => ({
  bio: profile.bio ?? '',
  location: profile.location ?? '',
  birthday: profile.birthday ?? '',
  gender: profile.gender ?? '',
  maritalStatus: profile.maritalStatus ?? '',
});

function ProfileForm({ me, saved }: { me: Me; saved: (profile: Profile) => void }) {
  const [draft, setDraft] = useState(() => draftOf(me.profile));
  const [status, setStatus] = useState('');
  // An empty field clears the stored value: sent as null, as JSON clears (an empty gender or marital status is a 400).
  const submission = useSubmit(
    () => {
      setStatus('');
      const patch = Object.fromEntries(Object.entries(draft).map(([name, value]) => [name, value === '' ? null : value]));
      return api<{ profile: Profile }>('PATCH', '/api/me/profile', patch);
    },
    ({ profile }) => {
      saved(profile);
      setDraft(draftOf(profile));
      setStatus('Profile saved.');
    },
  );
  const field = (name: keyof ProfileDraft) => ({
    name,
    value: draft[name],
    onInput: (value: string) => setDraft({ ...draft, [name]: value }),
    errors: submission.errorsOf(name),
  });
  return (
    <section aria-labelledby="profile-heading">
      <h2 id="profile-heading">Profile</h2>
      <p role="status">{status}</p>
      <Form label="Profile" submission={submission} action="Save the profile">
        <Field label="Bio" multiline hint="Up to 500 characters." {...field('bio')} />
        <Field label="Location" hint="Up to 100 characters." {...field('location')} />
        <Field label="Birthday" type="date" hint="You must be at least 13." {...field('birthday')} />
        <Field label="Gender" options={choices(GENDERS)} {...field('gender')} />
        <Field label="Marital status" options={choices(MARITAL_STATUSES)} {...field('maritalStatus')} />
      </Form>
    </section>
  );
}

function PasswordForm({ me }: { me: Me }) {
  const [currentPassword, setCurrent] = useState('');
  const [newPassword, setNew] = useState('');
  const [status, setStatus] = useState('');
  const submission = useSubmit(
    () => api<{ revokedSessions: number }>('PUT', '/api/me/password', { currentPassword, newPassword }),
    ({ revokedSessions }) => {
      setCurrent('');
      setNew('');
      setStatus(`Password changed. ${revokedSessions} other session${revokedSessions === 1 ? ' was' : 's were'} signed out.`);
    },
  );
  return (
    <section aria-labelledby="password-heading">
      <h2 id="password-heading">Password</h2>
      <p role="status">{status}</p>
      <Form label="Change the password" submission={submission} action="Change the password">
        <Field
          label="Current password"
          name="currentPassword"
          type="password"
          value={currentPassword}
          onInput={setCurrent}
          autoComplete="current-password"
          errors={submission.errorsOf('currentPassword')}
          required
        />
        <NewPasswordField
          label="New password"
          name="newPassword"
          value={newPassword}
          onInput={setNew}
          errors={submission.errorsOf('newPassword')}
          context={{ username: me.user.username, email: me.user.email }}
        />
      </Form>
    </section>
  );
}

function Sessions() {
  const sessions = useLoad(() => api<{ items: Session[] }>('GET', '/api/me/sessions'), 'sessions');
  const [status, setStatus] = useState('');
  const revoke = async (session: Session) => {
    await api('DELETE', `/api/me/sessions/${segment(session.id)}`).then(
      () => setStatus('Session revoked.'),
      (error: Error) => setStatus(error.message),
    );
    sessions.reload();
  };
  return (
    <section aria-labelledby="sessions-heading">
      <h2 id="sessions-heading">Sessions</h2>
      <p role="status">{status}</p>
      {sessions.data === undefined ? (
        <Pending error={sessions.error} />
      ) : (
        <ul class="sessions">
          {sessions.data.items.map((session) => (
            <li>
              <span id={`session-${session.id}`}>
                Started <When at={session.createdAt} />, expires <When at={session.expiresAt} />
                {session.current && <strong> (this browser)</strong>}
              </span>{' '}
              {!session.current && (
                <button type="button" aria-describedby={`session-${session.id}`} onClick={() => void revoke(session)}>
                  Revoke
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
