// My account: the profile (PATCH /api/me/profile), the e-mail address
// (POST /api/me/email; the link it sends opens pages/email.tsx), the password
// (PUT /api/me/password), the sessions (GET /api/me/sessions, DELETE one or
// every other, each with how it was signed in), the second factor (enrolment,
// POST /api/me/mfa/totp and /confirm; new recovery codes, POST
// /api/me/mfa/recovery-codes; turning it off, DELETE /api/me/mfa/totp), the
// passkeys (GET and POST /api/me/passkeys with /options; PATCH and DELETE
// /api/me/passkeys/{id}) and the deletion (DELETE /api/me); the identities at
// other providers are pages/providers.tsx. On an account with a second factor the API asks
// the guarded changes for a code of it (step_up_required): the form then shows
// the code field and is sent again. A new feature of the account gets its own
// <section> in `Account` below.
import { useEffect, useRef, useState } from 'preact/hooks';
import {
  api,
  ApiError,
  type EmailChangeRequested,
  type Me,
  type MfaEnabled,
  type Passkey,
  type PasskeyList,
  type PasskeyOptions,
  type PasswordChanged,
  type Profile,
  type RecoveryCodeList,
  type ResendAccepted,
  type RevokedSessions,
  type Session,
  type SessionList,
  type TotpEnrolment,
  type WithPasskey,
  type WithProfile,
} from '../api.ts';
import { PASSKEY_NAME_MAX } from '../../auth/passkeys/name.ts';
import { GENDERS, MARITAL_STATUSES } from '../../users/profile-options.ts';
import { NewPasswordField } from '../password-rules.tsx';
import { QrCode } from '../qr.tsx';
import { Identities, Refusal, takeRefusal } from './providers.tsx';
import { to } from '../router.ts';
import { useSession } from '../session.ts';
import {
  ClientReported,
  CurrentPasswordField,
  EmailField,
  Field,
  Form,
  Pending,
  signedInWith,
  StepUpField,
  useLoad,
  useStepUp,
  useSubmit,
  useTitle,
  When,
} from '../ui.tsx';
import { createPasskey, passkeysSupported } from '../webauthn.ts';

export function Account() {
  const { me, setMe } = useSession();
  const [deleted, setDeleted] = useState(false);
  // A link from this page refused at the provider's callback comes back with ?error=<code>.
  const [refusal] = useState(() => takeRefusal(true));
  useTitle(deleted ? 'Account deleted' : 'My account');
  if (deleted) {
    return (
      <>
        <h1 tabIndex={-1}>Account deleted</h1>
        <p role="status">
          The account and everything that was its own are deleted. <a href={to.feed}>See the posts</a>
        </p>
      </>
    );
  }
  if (me === undefined) return <Pending error={undefined} />;
  if (me === null) {
    return (
      <>
        <h1 tabIndex={-1}>My account</h1>
        <Refusal sentence={refusal} />
        <p>
          You are not logged in. <a href={`${to.login}?next=${encodeURIComponent(to.account)}`}>Log in</a>
        </p>
      </>
    );
  }
  return (
    <>
      <h1 tabIndex={-1}>My account</h1>
      <Refusal sentence={refusal} />
      <p>
        Logged in as <a href={to.user(me.user.username)}>{me.user.username}</a> ({me.user.email}).
      </p>
      <ProfileForm me={me} saved={(profile) => setMe({ ...me, profile })} />
      <EmailForm me={me} />
      <PasswordForm me={me} />
      <Sessions />
      <Identities />
      <SecondFactor me={me} changed={(on) => setMe({ ...me, user: { ...me.user, mfa: { totp: on } } })} />
      <Passkeys me={me} />
      <DeleteAccount
        deleted={() => {
          setDeleted(true);
          setMe(null);
        }}
      />
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
      return api<WithProfile>('PATCH', '/api/me/profile', patch);
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

function EmailForm({ me }: { me: Me }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [pending, setPending] = useState<EmailChangeRequested>();
  const stepUp = useStepUp();
  const submission = useSubmit(
    () => stepUp.send(() => api<EmailChangeRequested>('POST', '/api/me/email', { email, password, ...stepUp.body })),
    (answer) => {
      setPassword('');
      stepUp.done();
      setPending(answer);
    },
  );
  return (
    <section aria-labelledby="email-heading">
      <h2 id="email-heading">E-mail address</h2>
      <p role="status">
        {pending && (
          <>
            A confirmation link is on its way to {pending.pendingEmail}; it works once, until <When at={pending.expiresAt} />. The account
            keeps {me.user.email} until then.
          </>
        )}
      </p>
      {pending?.code !== undefined && (
        <p class="dev">
          Development: no mail provider is set, so the service returned the code.{' '}
          <a href={`/app/email?code=${encodeURIComponent(pending.code)}`}>Open the confirmation link</a>
        </p>
      )}
      <Form label="Change the e-mail address" submission={submission} action="Send a confirmation link">
        <EmailField label="New e-mail" value={email} onInput={setEmail} submission={submission} />
        <CurrentPasswordField
          label="Your password"
          name="password"
          value={password}
          onInput={setPassword}
          hint="To prove it is you."
          submission={submission}
        />
        <StepUpField stepUp={stepUp} submission={submission} />
      </Form>
    </section>
  );
}

function PasswordForm({ me }: { me: Me }) {
  const [currentPassword, setCurrent] = useState('');
  const [newPassword, setNew] = useState('');
  const [status, setStatus] = useState('');
  const stepUp = useStepUp();
  const submission = useSubmit(
    () => stepUp.send(() => api<PasswordChanged>('PUT', '/api/me/password', { currentPassword, newPassword, ...stepUp.body })),
    ({ revokedSessions }) => {
      setCurrent('');
      setNew('');
      stepUp.done();
      setStatus(`Password changed. ${revokedSessions} other session${revokedSessions === 1 ? ' was' : 's were'} signed out.`);
    },
  );
  return (
    <section aria-labelledby="password-heading">
      <h2 id="password-heading">Password</h2>
      <p role="status">{status}</p>
      <Form label="Change the password" submission={submission} action="Change the password">
        <CurrentPasswordField
          label="Current password"
          name="currentPassword"
          value={currentPassword}
          onInput={setCurrent}
          submission={submission}
        />
        <NewPasswordField
          label="New password"
          name="newPassword"
          value={newPassword}
          onInput={setNew}
          errors={submission.errorsOf('newPassword')}
          context={{ username: me.user.username, email: me.user.email }}
        />
        <StepUpField stepUp={stepUp} submission={submission} />
      </Form>
    </section>
  );
}

function Sessions() {
  const sessions = useLoad(() => api<SessionList>('GET', '/api/me/sessions'), 'sessions');
  const [status, setStatus] = useState('');
  const revoke = async (session: Session) => {
    await api('DELETE', `/api/me/sessions/${session.id}`).then(
      () => setStatus('Session revoked.'),
      (error: Error) => setStatus(error.message),
    );
    sessions.reload();
  };
  const revokeOthers = async () => {
    await api<RevokedSessions>('DELETE', '/api/me/sessions').then(
      ({ revokedSessions }) => setStatus(`${revokedSessions} other session${revokedSessions === 1 ? ' was' : 's were'} signed out.`),
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
        <>
          <ul class="sessions">
            {sessions.data.items.map((session) => (
              <li>
                <span id={`session-${session.id}`}>
                  Started <When at={session.createdAt} />{' '}
                  {session.userAgent !== null && (
                    <>
                      in <ClientReported text={session.userAgent} />{' '}
                    </>
                  )}
                  {session.ip !== null && <>from {session.ip}</>}, last used <When at={session.lastSeenAt} />, expires{' '}
                  <When at={session.expiresAt} />, signed in with <span class="level">{signedInWith(session.amr)}</span>{' '}
                  <span class="aal">({session.aal === 'aal2' ? 'two factors' : 'one factor'})</span>
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
          {sessions.data.items.some((session) => !session.current) && (
            <button type="button" onClick={() => void revokeOthers()}>
              Sign out everywhere else
            </button>
          )}
        </>
      )}
    </section>
  );
}

/**
 * The second factor: whether it is on (GET /api/me's `user.mfa`); off, the
 * enrolment (password, then the secret as text and QR code, then a code of
 * it); on, new recovery codes and turning it off, both guarded by a code.
 * Recovery codes are shown once, as the API answers them.
 */
function SecondFactor({ me, changed }: { me: Me; changed: (on: boolean) => void }) {
  const [status, setStatus] = useState('');
  const [codes, setCodes] = useState<string[]>();
  const on = me.user.mfa.totp;
  return (
    <section aria-labelledby="factor-heading">
      <h2 id="factor-heading">Second factor</h2>
      <p role="status">{status}</p>
      <p>
        {on
          ? 'On: logging in asks for a code from your authenticator app after the password.'
          : 'Off: logging in needs the password only. An authenticator app (a TOTP app) makes the password alone not enough.'}
      </p>
      {codes !== undefined && <RecoveryCodes codes={codes} hide={() => setCodes(undefined)} />}
      {on ? (
        <>
          <RenewRecoveryCodes
            renewed={(recoveryCodes) => {
              setStatus('New recovery codes: the old ones work no more.');
              setCodes(recoveryCodes);
            }}
          />
          <TurnOff
            off={() => {
              setStatus('The second factor is off: logging in needs the password only.');
              setCodes(undefined);
              changed(false);
            }}
          />
        </>
      ) : (
        <Enrol
          me={me}
          enabled={({ recoveryCodes, revokedSessions }) => {
            setStatus(`The second factor is on. ${revokedSessions} other session${revokedSessions === 1 ? ' was' : 's were'} signed out.`);
            setCodes(recoveryCodes);
            changed(true);
          }}
        />
      )}
    </section>
  );
}

function Enrol({ me, enabled }: { me: Me; enabled: (answer: MfaEnabled) => void }) {
  const [password, setPassword] = useState('');
  const [enrolment, setEnrolment] = useState<TotpEnrolment>();
  const [code, setCode] = useState('');
  // With passkeys, a code of the new secret would be a step-up: enrolling asks for theirs (no app yet, so only a passkey).
  const stepUp = useStepUp();
  const start = useSubmit(
    () => stepUp.send(() => api<TotpEnrolment>('POST', '/api/me/mfa/totp', { password, ...stepUp.body })),
    (answer) => {
      stepUp.done();
      setPassword('');
      setEnrolment(answer);
    },
  );
  const confirm = useSubmit(() => api<MfaEnabled>('POST', '/api/me/mfa/totp/confirm', { code: code.trim() }), enabled);
  if (enrolment === undefined) {
    return (
      <Form
        label="Turn the second factor on"
        submission={start}
        action="Turn the second factor on"
        help={start.error?.code === 'email_unverified' && <ProveAddress email={me.user.email} then="turn the second factor on here" />}
      >
        <CurrentPasswordField label="Password to turn it on" name="password" value={password} onInput={setPassword} submission={start} />
        <StepUpField stepUp={stepUp} submission={start} />
      </Form>
    );
  }
  return (
    <>
      <h3>Add the account to your authenticator app</h3>
      <p>Scan this QR code with the app, or type the key below into it.</p>
      <QrCode text={enrolment.otpauthUri} label="QR code of the key below, for an authenticator app" />
      <p>
        Key: <code class="secret">{enrolment.secret}</code>
      </p>
      <Form label="Confirm the second factor" submission={confirm} action="Confirm and turn it on">
        <Field
          label="Code from the app"
          name="code"
          value={code}
          onInput={setCode}
          autoComplete="one-time-code"
          hint="The 6-digit code the app shows for this account. Turning the factor on signs out your other sessions."
          errors={confirm.errorsOf('code')}
          required
        />
      </Form>
    </>
  );
}

/** For 403 email_unverified: a confirmation link sent to the account's address, whose opening proves it; `then` what to do next. */
function ProveAddress({ email, then }: { email: string; then: string }) {
  const [sent, setSent] = useState<ResendAccepted>();
  const send = async () => setSent(await api<ResendAccepted>('POST', '/api/register/resend', { email }));
  if (sent === undefined) {
    return (
      <p>
        <button type="button" onClick={() => void send()}>
          Send a confirmation link to {email}
        </button>
      </p>
    );
  }
  return (
    <>
      <p>
        A confirmation link is on its way to {email}. Open it, then {then}.
      </p>
      {sent.confirmation !== undefined && (
        <p class="dev">
          Development: no mail provider is set, so the service returned the code.{' '}
          <a href={`/app/confirm?code=${encodeURIComponent(sent.confirmation.code)}`}>Open the confirmation link</a>
        </p>
      )}
    </>
  );
}

function RecoveryCodes({ codes, hide }: { codes: string[]; hide: () => void }) {
  return (
    <div class="recovery-codes">
      <h3 id="recovery-heading">Your recovery codes</h3>
      <p>
        Each one logs you in once in place of a code from the app, should you lose it. Keep them somewhere safe: they are shown only now.
      </p>
      <ul>
        {codes.map((code) => (
          <li>
            <code>{code}</code>
          </li>
        ))}
      </ul>
      <button type="button" onClick={hide}>
        I have kept them
      </button>
    </div>
  );
}

function RenewRecoveryCodes({ renewed }: { renewed: (codes: string[]) => void }) {
  const [password, setPassword] = useState('');
  const stepUp = useStepUp();
  const submission = useSubmit(
    () => stepUp.send(() => api<RecoveryCodeList>('POST', '/api/me/mfa/recovery-codes', { password, ...stepUp.body })),
    ({ recoveryCodes }) => {
      setPassword('');
      stepUp.done();
      renewed(recoveryCodes);
    },
  );
  return (
    <Form label="New recovery codes" submission={submission} action="Make new recovery codes">
      <p>Ten new codes replace the old ones, used or not.</p>
      <CurrentPasswordField label="Password for new codes" name="password" value={password} onInput={setPassword} submission={submission} />
      <StepUpField stepUp={stepUp} submission={submission} />
    </Form>
  );
}

function TurnOff({ off }: { off: () => void }) {
  const [password, setPassword] = useState('');
  const stepUp = useStepUp();
  const submission = useSubmit(
    () => stepUp.send(() => api('DELETE', '/api/me/mfa/totp', { password, ...stepUp.body })),
    () => {
      setPassword('');
      stepUp.done();
      off();
    },
  );
  return (
    <Form label="Turn the second factor off" submission={submission} action="Turn the second factor off">
      <CurrentPasswordField
        label="Password to turn it off"
        name="password"
        value={password}
        onInput={setPassword}
        submission={submission}
      />
      <StepUpField stepUp={stepUp} submission={submission} />
    </Form>
  );
}

/** What a passkey's transports mean to its owner (WebAuthn's AuthenticatorTransport values). */
const TRANSPORTS: Record<string, string> = {
  internal: 'this device',
  hybrid: 'a phone nearby',
  usb: 'USB',
  nfc: 'NFC',
  ble: 'Bluetooth',
  'smart-card': 'a smart card',
};

/**
 * The passkeys: each with its name, when it was added and last used, whether
 * its provider syncs it, and how the browser reaches it; renamed, or removed
 * with the password (and a code on an account with a second factor, as every
 * guarded change); added by name, then the browser's ceremony. Removing one
 * here does not remove it from the device, which may go on offering it.
 */
function Passkeys({ me }: { me: Me }) {
  const list = useLoad(() => api<PasskeyList>('GET', '/api/me/passkeys'), 'passkeys');
  const [status, setStatus] = useState('');
  const changed = (message: string) => {
    setStatus(message);
    list.reload();
  };
  return (
    <section aria-labelledby="passkeys-heading">
      <h2 id="passkeys-heading">Passkeys</h2>
      <p role="status">{status}</p>
      <p>
        A passkey signs you in with no password: your device checks it is you (fingerprint, face or screen lock). It stays on the device or
        in your password manager, which may sync it to your other devices.
      </p>
      {list.data === undefined ? (
        <Pending error={list.error} />
      ) : list.data.items.length === 0 ? (
        <p>No passkey yet.</p>
      ) : (
        <ul class="passkeys">
          {list.data.items.map((passkey) => (
            <PasskeyItem key={passkey.id} passkey={passkey} changed={changed} />
          ))}
        </ul>
      )}
      {passkeysSupported() ? (
        <AddPasskey me={me} added={(passkey) => changed(`Passkey ${passkey.name} added: you can sign in with it now.`)} />
      ) : (
        <p>This browser cannot make passkeys.</p>
      )}
    </section>
  );
}

function PasskeyItem({ passkey, changed }: { passkey: Passkey; changed: (message: string) => void }) {
  const [open, setOpen] = useState<'rename' | 'remove'>();
  const describedBy = `passkey-${passkey.id}`;
  const reached = passkey.transports.map((transport) => TRANSPORTS[transport] ?? transport);
  const toggle = (form: 'rename' | 'remove') => setOpen(open === form ? undefined : form);
  const done = (message: string) => {
    setOpen(undefined);
    changed(message);
  };
  return (
    <li>
      <span id={describedBy}>
        <strong class="passkey-name">{passkey.name}</strong>: added <When at={passkey.createdAt} />,{' '}
        {passkey.lastUsedAt === null ? (
          'never used to sign in'
        ) : (
          <>
            last used <When at={passkey.lastUsedAt} />
          </>
        )}
        , {passkey.kind === 'synced' ? 'synced by its provider' : 'kept on one device'}
        {reached.length > 0 && <>, reached through {reached.join(', ')}</>}
      </span>{' '}
      <span class="actions">
        <button type="button" aria-expanded={open === 'rename'} aria-describedby={describedBy} onClick={() => toggle('rename')}>
          Rename
        </button>
        <button type="button" aria-expanded={open === 'remove'} aria-describedby={describedBy} onClick={() => toggle('remove')}>
          Remove
        </button>
      </span>
      {open === 'rename' && <RenamePasskey passkey={passkey} renamed={(name) => done(`Passkey renamed ${name}.`)} />}
      {open === 'remove' && <RemovePasskey passkey={passkey} removed={() => done(`Passkey ${passkey.name} removed.`)} />}
    </li>
  );
}

/** A form opened by a button: its first field takes the focus, so keyboard and screen reader users land in it. */
function useFirstFieldFocus() {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => box.current?.querySelector<HTMLElement>('input')?.focus(), []);
  return box;
}

function RenamePasskey({ passkey, renamed }: { passkey: Passkey; renamed: (name: string) => void }) {
  const [name, setName] = useState(passkey.name);
  const box = useFirstFieldFocus();
  const submission = useSubmit(
    () => api<WithPasskey>('PATCH', `/api/me/passkeys/${passkey.id}`, { name }),
    (answer) => renamed(answer.passkey.name),
  );
  return (
    <div ref={box}>
      <Form label={`Rename ${passkey.name}`} submission={submission} action="Save the name">
        <Field
          label="New name"
          name="name"
          value={name}
          onInput={setName}
          maxLength={PASSKEY_NAME_MAX}
          errors={submission.errorsOf('name')}
          required
        />
      </Form>
    </div>
  );
}

function RemovePasskey({ passkey, removed }: { passkey: Passkey; removed: () => void }) {
  const [password, setPassword] = useState('');
  const stepUp = useStepUp();
  const box = useFirstFieldFocus();
  const submission = useSubmit(
    () => stepUp.send(() => api('DELETE', `/api/me/passkeys/${passkey.id}`, { password, ...stepUp.body })),
    () => {
      stepUp.done();
      removed();
    },
  );
  return (
    <div ref={box}>
      <Form label={`Remove ${passkey.name}`} submission={submission} action="Remove the passkey">
        <CurrentPasswordField
          label="Password to remove it"
          name="password"
          value={password}
          onInput={setPassword}
          submission={submission}
        />
        <StepUpField stepUp={stepUp} submission={submission} />
      </Form>
    </div>
  );
}

/**
 * A name and the proof of a guarded change (a new passkey signs in alone), then
 * the options, the browser's ceremony (which makes the key on the device) and
 * the API's check of its answer.
 */
function AddPasskey({ me, added }: { me: Me; added: (passkey: Passkey) => void }) {
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const stepUp = useStepUp();
  const submission = useSubmit(
    async () => {
      const { options } = await stepUp.send(() => api<PasskeyOptions>('POST', '/api/me/passkeys/options', { password, ...stepUp.body }));
      const response = await createPasskey(options);
      const named = name.trim();
      try {
        return await api<WithPasskey>('POST', '/api/me/passkeys', { response, ...(named !== '' && { name: named }) });
      } catch (error) {
        // `response` is no field of the form: the reason the API gives for refusing the answer is the form's message.
        const reasons = error instanceof ApiError ? error.details.response : undefined;
        if (reasons === undefined) throw error;
        throw new ApiError(400, 'passkey_refused', `The passkey was not added: its answer ${reasons.join('; ')}.`);
      }
    },
    ({ passkey }) => {
      stepUp.done();
      setName('');
      setPassword('');
      added(passkey);
    },
  );
  return (
    <Form
      label="Add a passkey"
      submission={submission}
      action="Add a passkey"
      help={submission.error?.code === 'email_unverified' && <ProveAddress email={me.user.email} then="add the passkey here" />}
    >
      <Field
        label="Name of the new passkey"
        name="name"
        value={name}
        onInput={setName}
        maxLength={PASSKEY_NAME_MAX}
        hint={`So you can tell it from the others, e.g. "Laptop" or "Phone". Up to ${PASSKEY_NAME_MAX} characters; "Passkey" if left empty.`}
        errors={submission.errorsOf('name')}
      />
      <CurrentPasswordField label="Password to add it" name="password" value={password} onInput={setPassword} submission={submission} />
      <StepUpField stepUp={stepUp} submission={submission} />
    </Form>
  );
}

function DeleteAccount({ deleted }: { deleted: () => void }) {
  const [password, setPassword] = useState('');
  const stepUp = useStepUp();
  const submission = useSubmit(() => stepUp.send(() => api('DELETE', '/api/me', { password, ...stepUp.body })), deleted);
  return (
    <section aria-labelledby="delete-heading">
      <h2 id="delete-heading">Delete the account</h2>
      <p>
        This deletes the account at once: the profile, every session, your posts with every comment on them and your comments on other
        posts. The username and the address become free. It cannot be undone.
      </p>
      <Form label="Delete the account" submission={submission} action="Delete my account">
        <CurrentPasswordField label="Password to delete" name="password" value={password} onInput={setPassword} submission={submission} />
        <StepUpField stepUp={stepUp} submission={submission} />
      </Form>
    </section>
  );
}
