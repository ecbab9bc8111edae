// Log in: POST /api/login with the username or the e-mail; the answer sets
// the session_id cookie every other page relies on. For an account with a
// second factor the answer is 403 mfa_required with an mfaToken: a second
// form then sends it with a code to POST /api/login/mfa, which sets the cookie.
// Other identity providers: pages/providers.tsx (their links, and their
// callback's hand-over to the code step).
import { useState } from 'preact/hooks';
import { api, ApiError, type Me } from '../api.ts';
import { navigate, to, usePlace } from '../router.ts';
import { fetchMe, useSession } from '../session.ts';
import { CurrentPasswordField, Field, Form, useSubmit, useTitle } from '../ui.tsx';
import { ProviderButtons, takeSecondStep } from './providers.tsx';

/** Only a page of this app may be the destination after logging in. */
const destination = (next: string | null) => (next !== null && /^\/app\/(?!\/)/.test(next) ? next : to.account);

export function LogIn() {
  const { setMe } = useSession();
  const [handedOver] = useState(takeSecondStep);
  const query = usePlace().query;
  const next = handedOver?.returnTo ?? query.get('next');
  const [identifier, setIdentifier] = useState('');
  const [password, setPassword] = useState('');
  const [mfaToken, setMfaToken] = useState(handedOver?.mfaToken);
  // Here, not in SecondStep: Preact runs a child's effects before its parent's, so a step shown at once would get this page's title.
  useTitle(mfaToken === undefined ? 'Log in' : 'Enter your code');
  const field = identifier.includes('@') ? 'email' : 'username';
  const loggedIn = (me: Me | null) => {
    setMe(me);
    navigate(destination(next));
  };
  const submission = useSubmit(
    async (): Promise<Me | null | { mfaToken: string }> => {
      try {
        await api('POST', '/api/login', { [field]: identifier, password });
      } catch (error) {
        if (error instanceof ApiError && error.code === 'mfa_required' && error.mfaToken !== undefined) return { mfaToken: error.mfaToken };
        throw error;
      }
      return fetchMe();
    },
    (result) => (result !== null && 'mfaToken' in result ? setMfaToken(result.mfaToken) : loggedIn(result)),
  );
  if (mfaToken !== undefined) return <SecondStep mfaToken={mfaToken} done={loggedIn} restart={() => setMfaToken(undefined)} />;
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
      <ProviderButtons returnTo={destination(next)} />
      <p>
        <a href={to.forgot}>Forgot your password?</a> · No account yet? <a href={to.signup}>Sign up</a>
      </p>
    </>
  );
}

/** The second step: a code from the authenticator app, or a recovery code, within the token's 5 minutes and 5 tries. */
function SecondStep({ mfaToken, done, restart }: { mfaToken: string; done: (me: Me | null) => void; restart: () => void }) {
  const [code, setCode] = useState('');
  const submission = useSubmit(async () => {
    await api('POST', '/api/login/mfa', { mfaToken, code: code.trim() });
    return fetchMe();
  }, done);
  return (
    <>
      <h1 tabIndex={-1}>Enter your code</h1>
      <Form
        label="Second step"
        submission={submission}
        action="Verify"
        help={
          submission.error?.code === 'mfa_token_invalid' ? (
            <p>
              <button type="button" onClick={restart}>
                Log in again
              </button>
            </p>
          ) : undefined
        }
      >
        <Field
          label="Code"
          name="code"
          value={code}
          onInput={setCode}
          autoComplete="one-time-code"
          hint="The 6-digit code your authenticator app shows now, or one of your recovery codes."
          errors={submission.errorsOf('code')}
          required
        />
      </Form>
    </>
  );
}
