// The page the e-mail change's message links to (/app/email?code=…). As on
// the confirmation page, opening it uses nothing up, so a mail scanner's
// preview cannot spend the code: only the button sends it
// (POST /api/me/email/confirm/{code}). Confirming ends every other session of
// the account; this browser's stays when it is signed in to that account.
import { useEffect, useState } from 'preact/hooks';
import { api, segment, type User, type WithUser } from '../api.ts';
import { to, usePlace } from '../router.ts';
import { useSession } from '../session.ts';
import { Form, useSubmit, useTitle } from '../ui.tsx';

export function EmailChange() {
  useTitle('Confirm your new e-mail address');
  const code = usePlace().query.get('code') ?? '';
  const { me, setMe } = useSession();
  const [changed, setChanged] = useState<User>();
  const submission = useSubmit(
    () => api<WithUser>('POST', `/api/me/email/confirm/${segment(code)}`),
    ({ user }) => setChanged(user),
  );
  // Signed in to that account, this browser's session was kept: show the new address everywhere. In an
  // effect, since who is signed in may be known only after the button was pressed.
  useEffect(() => {
    if (changed !== undefined && me?.user.id === changed.id && me.user.email !== changed.email)
      setMe({ ...me, user: { ...me.user, ...changed, email: changed.email ?? me.user.email, emailVerified: true } });
  }, [changed, me]);

  if (changed !== undefined) {
    return (
      <>
        <h1 tabIndex={-1}>E-mail address changed</h1>
        <p role="status">
          The account {changed.username} now uses {changed.email}. Its other sessions are signed out.{' '}
          {me?.user.id === changed.id ? <a href={to.account}>My account</a> : <a href={to.login}>Log in</a>}
        </p>
      </>
    );
  }
  return (
    <>
      <h1 tabIndex={-1}>Confirm your new e-mail address</h1>
      {code === '' ? (
        <p>
          This address has no code. Open the link from the e-mail, or ask for a new one on <a href={to.account}>My account</a>.
        </p>
      ) : (
        <Form
          label="Confirm the new e-mail address"
          submission={submission}
          action="Use this address"
          help={
            <p>
              Ask for a new link on <a href={to.account}>My account</a>.
            </p>
          }
        >
          <p>Press the button to move the account to the address this e-mail was sent to.</p>
        </Form>
      )}
    </>
  );
}
