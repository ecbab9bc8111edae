// Service keys for other backends (/api/admin/service-keys): a new key with
// a name and scopes, its secret shown once (the API keeps only its hash);
// the list with each key's prefix, scopes and last use; revoking, confirmed.
import { useId, useState } from 'preact/hooks';
import { api, type NewServiceKey, type ServiceKey } from '../api.ts';
import { loadList } from '../list.ts';
import { usePlace } from '../router.ts';
import { Field, Form, Pager, Pending, useLoad, useSubmit, useTitle, When } from '../ui.tsx';
import { ConfirmedAction } from './confirm.tsx';
import { adminTo } from './paths.ts';

const SCOPES = [
  ['users:read', 'users:read: search users and read one user'],
  ['users:write', 'users:write: every change to a user (ban, sessions, reset, deletion)'],
] as const;

export function ServiceKeys() {
  useTitle('Service keys · Administration');
  const { query } = usePlace();
  const keys = useLoad(() => loadList<ServiceKey>('/api/admin/service-keys', query, 50), query.toString());
  const [made, setMade] = useState<NewServiceKey>();
  const [status, setStatus] = useState('');
  return (
    <>
      <h1 tabIndex={-1}>Service keys</h1>
      <p>
        Another backend sends a key as <code>Authorization: Bearer sk_…</code> to the admin routes its scopes allow. No key works on a
        person's routes, and none can make keys or change roles.
      </p>
      <p role="status">{status}</p>
      {made !== undefined && <Secret made={made} hide={() => setMade(undefined)} />}
      <NewKey
        made={(answer) => {
          setMade(answer);
          setStatus('');
          keys.reload();
        }}
      />
      <h2>Keys</h2>
      {keys.data === undefined ? (
        <Pending error={keys.error} />
      ) : keys.data.items.length === 0 ? (
        <p>No key yet.</p>
      ) : (
        <>
          <ul class="keys">
            {keys.data.items.map((key) => (
              <li>
                <strong>{key.name}</strong> <code>{key.prefix}…</code> {key.scopes.join(', ')}; made <When at={key.createdAt} />
                {', '}
                {key.lastUsedAt === null ? (
                  'never used'
                ) : (
                  <>
                    last used <When at={key.lastUsedAt} />
                  </>
                )}
                {key.revokedAt === null ? (
                  <ConfirmedAction
                    action={`Revoke ${key.name}`}
                    question={`Revoke the key ${key.name} (${key.prefix}…)? Its next request is refused; this cannot be undone.`}
                    yes={`Yes, revoke ${key.name}`}
                    run={() => api('DELETE', `/api/admin/service-keys/${key.id}`)}
                    done={() => {
                      setStatus(`The key ${key.name} is revoked.`);
                      keys.reload();
                    }}
                  />
                ) : (
                  <>
                    ; <strong>revoked</strong> <When at={key.revokedAt} />
                  </>
                )}
              </li>
            ))}
          </ul>
          <Pager list={keys.data} path={adminTo.keys} label="Pages of keys" />
        </>
      )}
    </>
  );
}

function NewKey({ made }: { made: (answer: NewServiceKey) => void }) {
  const id = useId();
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<string[]>(['users:read']);
  const submission = useSubmit(
    () => api<NewServiceKey>('POST', '/api/admin/service-keys', { name, scopes }),
    (answer) => {
      setName('');
      made(answer);
    },
  );
  const scopeErrors = submission.errorsOf('scopes') ?? [];
  return (
    <section aria-labelledby={`${id}-heading`}>
      <h2 id={`${id}-heading`}>New key</h2>
      <Form label="New service key" submission={submission} action="Make the key">
        <Field
          label="Name"
          name="name"
          value={name}
          onInput={setName}
          hint="Which backend holds it: it names the key's actions in the admin trail."
          errors={submission.errorsOf('name')}
          required
        />
        <fieldset aria-describedby={scopeErrors.length ? `${id}-scopes` : undefined}>
          <legend>Scopes</legend>
          {SCOPES.map(([scope, label]) => (
            <label class="check">
              <input
                type="checkbox"
                name="scopes"
                value={scope}
                checked={scopes.includes(scope)}
                onChange={(event) => {
                  const on = (event.currentTarget as HTMLInputElement).checked;
                  setScopes(SCOPES.map(([each]) => each).filter((each) => (each === scope ? on : scopes.includes(each))));
                }}
              />{' '}
              {label}
            </label>
          ))}
          {scopeErrors.length > 0 && (
            <ul id={`${id}-scopes`} class="errors">
              {scopeErrors.map((message) => (
                <li>Scopes {message}</li>
              ))}
            </ul>
          )}
        </fieldset>
      </Form>
    </section>
  );
}

/** The secret, in the page's state only: gone on reload or navigation, as the API shows it once. */
function Secret({ made, hide }: { made: NewServiceKey; hide: () => void }) {
  const id = useId();
  const [copied, setCopied] = useState('');
  const copy = () =>
    navigator.clipboard.writeText(made.secret).then(
      () => setCopied('Copied.'),
      () => setCopied('The browser refused to copy: select the key and copy it.'),
    );
  return (
    <section class="new-key" aria-labelledby={`${id}-heading`}>
      <h2 id={`${id}-heading`}>The key {made.key.name}: copy it now</h2>
      <p id={`${id}-hint`}>
        This is the only time it is shown: only its hash is kept, so nobody can show it again. Copy it into the other backend's
        configuration; lost, it can only be revoked and replaced.
      </p>
      <label for={`${id}-secret`}>Secret of {made.key.name}</label>
      <input id={`${id}-secret`} class="secret" readOnly value={made.secret} aria-describedby={`${id}-hint`} />
      <p>
        <button type="button" onClick={() => void copy()}>
          Copy the key
        </button>{' '}
        <button type="button" onClick={hide}>
          I have copied it: hide it
        </button>
      </p>
      <p role="status">{copied}</p>
    </section>
  );
}
