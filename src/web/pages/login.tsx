// Log in: POST /api/login with the username or the e-mail; the answer sets
// the session_id cookie every other page relies on. The second-factor step
// goes here once the API has one (a second form after the first answer).
import { useState } from 'preact/hooks';
import { api } from '../api.ts';
import { navigate, to, usePlace } from '../router.ts';
import { fetchMe, useSession } from '../session.ts';
import { CurrentPasswordField, Field, Form, useSubmit, useTitle } from '../ui.tsx';

/** Only a page of this app may be the destination after logging in. */
const destination = (next: string | null) => (next !== null && /^\/app\/(?!\/)/.test(next) ? next : to.account);

export function LogIn() {
  useTitle('Log in');
  const { setMe } = useSession();
  const next = usePlace().query.get('next');
  const [identifier, setIdentifier] = useState('');
  const [password, setPassword] = useState('');
  const field = identifier.includes('@') ? 'email' : 'username';
  const submission = useSubmit(
    async () => {
      await api('POST', '/api/login', { [field]: identifier, password });
      return fetchMe();
    },
    (me) => {
      setMe(me);
      navigate(destination(next));
    },
  );
  const code = submission.error?.code;
  return (
    <>
      <h1 tabIndex={-1}>Log in</h1>
      <Form
        label="Log in"
        submission={submission}
        action="Log in"
        help={
          code === 'account_not_confirmed' ? (
            <p>
              <a href="/app/confirm">Get a new confirmation link</a>
            </p>
          ) : code === 'invalid_credentials' ? (
            <p>
              <a href={to.forgot}>Forgot your password?</a>
            </p>
          ) : undefined
        }
      >
        <Field
          label="Username or e-mail"
          name="identifier"
          value={identifier}
          onInput={setIdentifier}
          autoComplete="username"
          errors={submission.errorsOf(field)}
          required
        />
        <CurrentPasswordField label="Password" name="password" value={password} onInput={setPassword} submission={submission} />
      </Form>
      <p>
        <a href={to.forgot}>Forgot your password?</a> · No account yet? <a href={to.signup}>Sign up</a>
      </p>
    </>
  );
}
