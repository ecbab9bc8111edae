// The page the confirmation e-mail links to (/app/confirm?code=…). Opening it
// uses nothing up, so a mail scanner's preview cannot spend the code: only the
// button sends it (POST /api/register/confirm/{code}). A used, unknown or
// expired code offers a new one (POST /api/register/resend).
import { useState } from 'preact/hooks';
import { api, segment, type User, type WithUser } from '../api.ts';
import { to, usePlace } from '../router.ts';
import { EmailField, Form, useSubmit, useTitle } from '../ui.tsx';

export function Confirm() {
  useTitle('Confirm your account');
  const code = usePlace().query.get('code') ?? '';
  const [confirmed, setConfirmed] = useState<User>();
  const submission = useSubmit(
    () => api<WithUser>('POST', `/api/register/confirm/${segment(code)}`),
    (answer) => setConfirmed(answer.user),
  );

  if (confirmed !== undefined) {
    return (
      <>
        <h1 tabIndex={-1}>Account confirmed</h1>
        <p role="status">
          The account {confirmed.username} is confirmed. <a href={to.login}>Log in</a>
        </p>
      </>
    );
  }
  const failed = submission.error !== undefined;
  return (
    <>
      <h1 tabIndex={-1}>Confirm your account</h1>
      {code === '' ? (
        <p>This address has no confirmation code. Open the link from the e-mail, or ask for a new one below.</p>
      ) : (
        <Form label="Confirm the account" submission={submission} action="Confirm my account">
          <p>Press the button to confirm the account the e-mail was sent for.</p>
        </Form>
      )}
      {(code === '' || failed) && <Resend />}
    </>
  );
}

function Resend() {
  const [email, setEmail] = useState('');
  const [sent, setSent] = useState(false);
  const submission = useSubmit(
    () => api('POST', '/api/register/resend', { email }),
    () => setSent(true),
  );
  return (
    <section aria-labelledby="resend-heading">
      <h2 id="resend-heading">Get a new confirmation link</h2>
      {sent ? (
        <p role="status">If {email} has an unconfirmed account, a new link is on its way; older links no longer work.</p>
      ) : (
        <Form label="Get a new confirmation link" submission={submission} action="Send a new link">
          <EmailField label="E-mail" value={email} onInput={setEmail} submission={submission} />
        </Form>
      )}
    </section>
  );
}
