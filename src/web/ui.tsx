// Shared pieces of every page: labelled fields whose errors are tied to them
// (aria-describedby), forms that report the API's answer, loading of data,
// author links, list paging and the page title.
import type { ComponentChildren } from 'preact';
import { useEffect, useId, useRef, useState } from 'preact/hooks';
import { api, ApiError, type Author, type PasskeyList, type PasskeyOptions, type Session } from './api.ts';
import type { ListPage } from './list.ts';
import { to } from './router.ts';
import { useSession } from './session.ts';
import { getPasskey, passkeysSupported } from './webauthn.ts';

export const SITE = 'Accounts';

/** "Log in · Accounts": the title says where you are. */
export function useTitle(title: string): void {
  useEffect(() => {
    document.title = `${title} · ${SITE}`;
  }, [title]);
}

interface FieldProps {
  label: string;
  name: string;
  value: string;
  onInput: (value: string) => void;
  errors?: string[] | undefined;
  type?: 'text' | 'email' | 'password' | 'date' | 'datetime-local';
  autoComplete?: string;
  hint?: ComponentChildren;
  /** Ids of more elements that describe the control (e.g. live password rules). */
  describedBy?: string;
  multiline?: boolean;
  options?: readonly (readonly [string, string])[];
  required?: boolean;
  maxLength?: number;
}

export function Field(props: FieldProps) {
  const id = useId();
  const errors = props.errors ?? [];
  const hintId = `${id}-hint`;
  const errorsId = `${id}-errors`;
  const describedBy = [props.hint === undefined ? '' : hintId, errors.length ? errorsId : '', props.describedBy ?? '']
    .filter(Boolean)
    .join(' ');
  const common = {
    id,
    name: props.name,
    value: props.value,
    required: props.required,
    'aria-invalid': errors.length ? ('true' as const) : undefined,
    'aria-describedby': describedBy || undefined,
    onInput: (event: Event) => props.onInput((event.currentTarget as HTMLInputElement).value),
  };
  const control = props.options ? (
    <select {...common}>
      {props.options.map(([value, label]) => (
        <option value={value}>{label}</option>
      ))}
    </select>
  ) : props.multiline ? (
    <textarea {...common} rows={5} />
  ) : (
    // Preact's types tie the allowed roles to a literal type; these four take the same attributes.
    <input {...common} type={(props.type ?? 'text') as 'text'} autoComplete={props.autoComplete} maxLength={props.maxLength} />
  );
  return (
    <div class="field">
      <label for={id}>{props.label}</label>
      {props.hint !== undefined && (
        <div id={hintId} class="hint">
          {props.hint}
        </div>
      )}
      {control}
      {errors.length > 0 && (
        <ul id={errorsId} class="errors">
          {errors.map((message) => (
            <li>
              {props.label} {message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** The account's current password, as a form sends it under `name`: never checked here, only by the API. */
export function CurrentPasswordField(props: {
  label: string;
  name: string;
  value: string;
  onInput: (value: string) => void;
  submission: Submission;
  hint?: string;
}) {
  const { submission, ...field } = props;
  return <Field {...field} type="password" autoComplete="current-password" errors={submission.errorsOf(props.name)} required />;
}

/** The `email` field of a form: an address the API checks (sign up, resend, reset, e-mail change). */
export function EmailField(props: { label: string; value: string; onInput: (value: string) => void; submission: Submission }) {
  const { submission, ...field } = props;
  return <Field {...field} name="email" type="email" autoComplete="email" errors={submission.errorsOf('email')} required />;
}

export interface Submission {
  busy: boolean;
  error: ApiError | undefined;
  /** The API's messages for one body field. */
  errorsOf: (field: string) => string[] | undefined;
  submit: (event: Event) => Promise<void>;
}

/** Conflicts the API reports without `details`, tied to the field they are about. */
const FIELD_OF_CODE: Record<string, [field: string, message: string]> = {
  username_taken: ['username', 'is already taken'],
  email_taken: ['email', 'already belongs to an account'],
  step_up_required: ['code', 'is needed for this change'],
};

function errorsOf(error: ApiError | undefined, field: string): string[] | undefined {
  if (error === undefined) return undefined;
  const conflict = FIELD_OF_CODE[error.code];
  return conflict?.[0] === field ? [conflict[1]] : error.details[field];
}

/** Runs `action` on submit, once at a time; an ApiError is kept for the form to show. */
export function useSubmit<T>(action: () => Promise<T>, done: (result: T) => void): Submission {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError>();
  const submit = async (event: Event) => {
    event.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(undefined);
    try {
      done(await action());
    } catch (caught) {
      if (!(caught instanceof ApiError)) throw caught;
      setError(caught);
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, errorsOf: (field) => errorsOf(error, field), submit };
}

/** What a failure means for the person, beyond the API's message. */
export function explain(error: ApiError): string {
  if (error.code === 'validation_failed') return 'Some fields need a change: see the messages below them.';
  if (error.code === 'step_up_required') return 'Your account has a second factor: enter a code from it below, then send again.';
  if (error.code === 'step_up_passkey') return 'Your account has passkeys: confirm this change with one of them below.';
  if (error.code === 'email_unverified')
    return 'Your e-mail address is not proven yet: send yourself a confirmation link, open it, then try again.';
  if (error.code === 'passkey_invalid')
    return 'That passkey was not accepted: it may have been removed from your account, or the attempt took too long. Try again, or log in with your password.';
  if (error.code in FIELD_OF_CODE) return `${error.message} See the message below the field.`;
  if (error.retryAfter !== undefined) return `${error.message} Try again in ${error.retryAfter} seconds.`;
  return error.message;
}

interface FormProps {
  label: string;
  submission: Submission;
  action: string;
  children: ComponentChildren;
  /** Shown after the error, e.g. a link to a page that helps. */
  help?: ComponentChildren;
}

/** A form whose failure is announced, tied to it, and sends focus to the first field to fix. */
export function Form({ label, submission, action, children, help }: FormProps) {
  const id = useId();
  const form = useRef<HTMLFormElement>(null);
  const { error, busy } = submission;
  useEffect(() => {
    if (error === undefined) return;
    const target =
      form.current?.querySelector<HTMLElement>('[aria-invalid="true"]') ?? form.current?.querySelector<HTMLElement>('.form-error');
    target?.focus();
  }, [error]);
  return (
    <form ref={form} noValidate aria-label={label} aria-describedby={error ? `${id}-error` : undefined} onSubmit={submission.submit}>
      {error !== undefined && (
        <div id={`${id}-error`} class="form-error" role="alert" tabIndex={-1}>
          <p>{explain(error)}</p>
          {help}
        </div>
      )}
      {children}
      <button type="submit" disabled={busy}>
        {busy ? 'Please wait…' : action}
      </button>
    </form>
  );
}

/**
 * A "Use a passkey" button inside a form: it sends the form, whose action then
 * takes `proof()`, a passkey's answer to the options `options` asks for (the
 * browser's ceremony), instead of the typed code. Its refusals are the form's,
 * as the API's are. One piece for the login's second step and every step-up.
 */
export interface PasskeyProof {
  proof: () => Promise<Record<string, unknown> | undefined>;
  choose: (event: Event) => void;
}

export function usePasskeyProof(options: () => Promise<Record<string, unknown>>): PasskeyProof {
  const chosen = useRef(false);
  return {
    async proof() {
      if (!chosen.current) return undefined;
      chosen.current = false;
      return getPasskey(await options());
    },
    choose(event) {
      chosen.current = true;
      (event.currentTarget as HTMLButtonElement).form?.requestSubmit();
    },
  };
}

/** The button of usePasskeyProof, with the API's messages about the passkey (`details.passkey`) tied to it. */
export function PasskeyButton({ passkey, submission }: { passkey: PasskeyProof; submission: Submission }) {
  const id = useId();
  const errors = submission.errorsOf('passkey') ?? [];
  return (
    <div class="passkey-proof">
      <button type="button" disabled={submission.busy} aria-describedby={errors.length ? id : undefined} onClick={passkey.choose}>
        Use a passkey
      </button>
      {errors.length > 0 && (
        <ul id={id} class="errors">
          {errors.map((message) => (
            <li>The passkey {message}</li>
          ))}
        </ul>
      )}
    </div>
  );
}

/**
 * A change the second factor or a passkey guards (password, e-mail, deletion,
 * the factor itself, a passkey's removal): the API answers 403
 * step_up_required until a proof comes with it. `send` wraps the form's
 * request and shows the step-up from then on; `body` is what to send along:
 * the typed `code`, or the `passkey` answer when "Use a passkey" sent the form.
 * An account with passkeys and no authenticator app has only the passkey.
 */
export interface StepUp {
  asked: boolean;
  /** The account has an authenticator app (GET /api/me), so a code is a proof. */
  totp: boolean;
  code: string;
  setCode: (code: string) => void;
  passkey: PasskeyProof;
  /** Read when the request is made, inside `send`. */
  readonly body: { code?: string; passkey?: Record<string, unknown> };
  send: <T>(request: () => Promise<T>) => Promise<T>;
  /** After the change went through: the next one asks again. */
  done: () => void;
}

const stepUpOptions = async () => (await api<PasskeyOptions>('POST', '/api/me/step-up/options')).options;

export function useStepUp(): StepUp {
  const totp = useSession().me?.user.mfa.totp === true;
  const [asked, setAsked] = useState(false);
  const [code, setCode] = useState('');
  const passkey = usePasskeyProof(stepUpOptions);
  const proof = useRef<StepUp['body']>({});
  return {
    asked,
    totp,
    code,
    setCode,
    passkey,
    get body() {
      return proof.current;
    },
    send: async (request) => {
      try {
        const answer = await passkey.proof();
        proof.current = answer !== undefined ? { passkey: answer } : asked && code.trim() !== '' ? { code: code.trim() } : {};
        return await request();
      } catch (error) {
        if (!(error instanceof ApiError) || error.code !== 'step_up_required') throw error;
        setAsked(true);
        // Without an authenticator app, the API asked because of the passkeys: a code would be refused.
        throw totp ? error : new ApiError(error.status, 'step_up_passkey', error.message, error.details);
      } finally {
        proof.current = {};
      }
    },
    done: () => {
      setAsked(false);
      setCode('');
    },
  };
}

/** The step-up of a guarded change, once the API asked for it: the code field and, when the account has passkeys, "Use a passkey". */
export function StepUpField({ stepUp, submission }: { stepUp: StepUp; submission: Submission }) {
  if (!stepUp.asked) return null;
  if (!stepUp.totp) {
    return passkeysSupported() ? (
      <PasskeyButton passkey={stepUp.passkey} submission={submission} />
    ) : (
      <p>This browser cannot use passkeys: make this change in one that can.</p>
    );
  }
  return (
    <>
      <Field
        label="Code"
        name="code"
        value={stepUp.code}
        onInput={stepUp.setCode}
        autoComplete="one-time-code"
        hint="The 6-digit code your authenticator app shows now, or one of your recovery codes (it then works no more)."
        errors={submission.errorsOf('code')}
        required
      />
      {passkeysSupported() && <PasskeyIfAny stepUp={stepUp} submission={submission} />}
    </>
  );
}

/** With an authenticator app, the passkeys are a second way: their button shows when the account has one (GET /api/me/passkeys). */
function PasskeyIfAny({ stepUp, submission }: { stepUp: StepUp; submission: Submission }) {
  const list = useLoad(() => api<PasskeyList>('GET', '/api/me/passkeys'), 'step-up');
  if (list.data === undefined || list.data.items.length === 0) return null;
  return <PasskeyButton passkey={stepUp.passkey} submission={submission} />;
}

export interface Loaded<T> {
  data: T | undefined;
  error: ApiError | undefined;
  reload: () => void;
}

/** Data for a page, loaded again when `key` changes or on reload(). */
export function useLoad<T>(load: () => Promise<T>, key: string): Loaded<T> {
  const [state, setState] = useState<{ key: string; data?: T; error?: ApiError }>({ key });
  const [round, setRound] = useState(0);
  useEffect(() => {
    let current = true;
    load().then(
      (data) => current && setState({ key, data }),
      (error: unknown) => {
        if (!(error instanceof ApiError)) throw error;
        if (current) setState({ key, error });
      },
    );
    return () => {
      current = false;
    };
  }, [key, round]);
  const fresh = state.key === key;
  return { data: fresh ? state.data : undefined, error: fresh ? state.error : undefined, reload: () => setRound((n) => n + 1) };
}

/** Loading and failure of a page's data, so pages render only the happy path. */
export function Pending({ error }: { error: ApiError | undefined }) {
  if (error === undefined) return <p role="status">Loading…</p>;
  return (
    <p class="form-error" role="alert">
      {error.message}
    </p>
  );
}

export function AuthorLink({ author }: { author: Author }) {
  return <a href={to.user(author.username)}>{author.username}</a>;
}

export function When({ at }: { at: string }) {
  return <time dateTime={at}>{new Date(at).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short' })}</time>;
}

/** Characters of client-reported text shown: enough to tell browsers apart, too few for a message. */
const REPORTED_LENGTH = 60;

/**
 * Text a client said about itself (its User-Agent), which anyone can set to
 * anything: rendered as text, never markup, quoted and marked as the client's
 * claim, and cut to REPORTED_LENGTH characters.
 */
export function ClientReported({ text }: { text: string }) {
  const shown = text.length > REPORTED_LENGTH ? `${text.slice(0, REPORTED_LENGTH - 1)}…` : text;
  return (
    <span class="client-reported">
      a client that reported itself as <q>{shown}</q>
    </span>
  );
}

export function Pager({ list, path, label }: { list: ListPage<unknown>; path: string; label: string }) {
  return (
    <nav class="pager" aria-label={label}>
      {list.previous !== undefined && <a href={path + list.previous}>First page</a>}
      <span>{list.position}</span>
      {list.next !== undefined && <a href={path + list.next}>Next page</a>}
    </nav>
  );
}

/** How a session was signed in, by its methods (RFC 8176 `amr`): a synced or a device-bound passkey is a passkey to its owner. */
const METHODS: Record<Session['amr'][number], string> = {
  pwd: 'password',
  otp: 'code',
  swk: 'passkey',
  hwk: 'passkey',
  fed: 'another provider',
};
export const signedInWith = (amr: Session['amr']) => amr.map((method) => METHODS[method]).join(' + ');
