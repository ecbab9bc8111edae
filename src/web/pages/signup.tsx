// Sign up: POST /api/register. The password rules are checked as the person
// types; the answer lists every rule the API found broken, under its field.
import { useState } from 'preact/hooks';
import { api, type Registered } from '../api.ts';
import { NewPasswordField } from '../password-rules.tsx';
import { to } from '../router.ts';
import { EmailField, Field, Form, useSubmit, useTitle, When } from '../ui.tsx';

export function SignUp() {
  useTitle('Sign up');
  const [username, setUsername] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [done, setDone] = useState<Registered>();
  const submission = useSubmit(() => api<Registered>('POST', '/api/register', { username, email, password }), setDone);

  if (done !== undefined) {
    return (
      <>
        <h1 tabIndex={-1}>Check your e-mail</h1>
        <p role="status">
          The account {done.user.username} is created. A confirmation link is on its way to {email}; it works once, until{' '}
          <When at={done.confirmation.expiresAt} />.
        </p>
        {done.confirmation.code !== undefined && (
          <p class="dev">
            Development: no mail provider is set, so the service returned the code.{' '}
            <a href={`/app/confirm?code=${encodeURIComponent(done.confirmation.code)}`}>Open the confirmation link</a>
          </p>
        )}
      </>
    );
  }
  return (
    <>
      <h1 tabIndex={-1}>Sign up</h1>
      <Form label="Sign up" submission={submission} action="Create the account">
        <Field
          label="Username"
          name="username"
          value={username}
          onInput={setUsername}
          autoComplete="username"
          hint="3 to 32 characters: letters a-z, digits and _, starting with a letter."
          errors={submission.errorsOf('username')}
          required
        />
        <EmailField label="E-mail" value={email} onInput={setEmail} submission={submission} />
        <NewPasswordField
          label="Password"
          name="password"
          value={password}
          onInput={setPassword}
          errors={submission.errorsOf('password')}
          context={{ username, email }}
        />
      </Form>
      <p>
        Already have an account? <a href={to.login}>Log in</a>
      </p>
    </>
  );
}
