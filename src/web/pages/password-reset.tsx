// Forgot (POST /api/password/forgot) and reset (POST /api/password/reset):
// the reset e-mail links to /app/reset?token=…, where the new password is
// checked as it is typed.
import { useState } from 'preact/hooks';
import { api, type ResetRequested } from '../api.ts';
import { NewPasswordField } from '../password-rules.tsx';
import { to, usePlace } from '../router.ts';
import { EmailField, Form, useSubmit, useTitle } from '../ui.tsx';

export function Forgot() {
  useTitle('Forgot your password');
  const [email, setEmail] = useState('');
  /** `token` only without a mail provider, outside production. */
  const [sent, setSent] = useState<ResetRequested>();
  const submission = useSubmit(() => api<ResetRequested>('POST', '/api/password/forgot', { email }), setSent);
  return (
    <>
      <h1 tabIndex={-1}>Forgot your password</h1>
      {sent !== undefined ? (
        <>
          <p role="status">If {email} has an account, an e-mail with a link to choose a new password is on its way.</p>
          {sent.token !== undefined && (
            <p class="dev">
              Development: no mail provider is set, so the service returned the token.{' '}
              <a href={`/app/reset?token=${encodeURIComponent(sent.token)}`}>Open the reset link</a>
            </p>
          )}
        </>
      ) : (
        <Form label="Ask for a reset link" submission={submission} action="Send the link">
          <EmailField label="E-mail" value={email} onInput={setEmail} submission={submission} />
        </Form>
      )}
    </>
  );
}

export function Reset() {
  useTitle('Choose a new password');
  const token = usePlace().query.get('token') ?? '';
  const [password, setPassword] = useState('');
  const [done, setDone] = useState(false);
  const submission = useSubmit(
    () => api('POST', '/api/password/reset', { token, password }),
    () => setDone(true),
  );
  const tokenProblem =
    submission.error !== undefined &&
    (submission.error.status === 404 || submission.error.status === 410 || 'token' in submission.error.details);
  if (done) {
    return (
      <>
        <h1 tabIndex={-1}>Password changed</h1>
        <p role="status">
          The new password is set and every session of the account is signed out. <a href={to.login}>Log in</a>
        </p>
      </>
    );
  }
  return (
    <>
      <h1 tabIndex={-1}>Choose a new password</h1>
      {token === '' ? (
        <p>
          This address has no reset token. Open the link from the e-mail, or <a href={to.forgot}>ask for a new one</a>.
        </p>
      ) : (
        <Form
          label="Choose a new password"
          submission={submission}
          action="Set the password"
          help={
            tokenProblem && (
              <p>
                <a href={to.forgot}>Ask for a new reset link</a>
              </p>
            )
          }
        >
          <NewPasswordField
            label="New password"
            name="password"
            value={password}
            onInput={setPassword}
            errors={submission.errorsOf('password')}
          />
        </Form>
      )}
    </>
  );
}
