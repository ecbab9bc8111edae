// Log in: POST /api/login with the username or the e-mail; the answer sets
// the session_id cookie every other page relies on. For an account with a
// second factor the answer is 403 mfa_required with an mfaToken: a second
// form then sends it with a code, or a passkey's answer to the options of POST
// /api/login/mfa/passkey/options, to POST /api/login/mfa, which sets the cookie.
// Or a passkey, no password (POST /api/login/passkey/options, then
// /api/login/passkey): by its button, or picked in the username field's autofill.
// Other identity providers: pages/providers.tsx (their links, and their
// callback's hand-over to the code step).
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError, type Me, type PasskeyOptions } from '../api.ts';
import { navigate, to, usePlace } from '../router.ts';
import { fetchMe, useSession } from '../session.ts';
import { CurrentPasswordField, Field, Form, PasskeyButton, usePasskeyProof, useSubmit, useTitle } from '../ui.tsx';
import { conditionalUiAvailable, getPasskey, passkeysSupported } from '../webauthn.ts';
import { ProviderButtons, Refusal, takeRefusal, takeSecondStep } from './providers.tsx';

/** Only a page of this app may be the destination after logging in. */
const destination = (next: string | null) => (next !== null && /^\/app\/(?!\/)/.test(next) ? next : to.account);

export function LogIn() {
  const { setMe } = useSession();
  const [handedOver] = useState(takeSecondStep);
  const [refusal] = useState(takeRefusal);
  const query = usePlace().query;
  const next = handedOver?.returnTo ?? query.get('next');
  const [identifier, setIdentifier] = useState('');
  const [password, setPassword] = useState('');
  // A provider's callback hands over only the ticket (methods unknown): the code step, as `totp` says.
  const [step, setStep] = useState<{ mfaToken: string; methods: string[] } | undefined>(
    handedOver === undefined ? undefined : { mfaToken: handedOver.mfaToken, methods: ['totp'] },
  );
  // Here, not in SecondStep: Preact runs a child's effects before its parent's, so a step shown at once would get this page's title.
  useTitle(step === undefined ? 'Log in' : 'Enter your code');
  const field = identifier.includes('@') ? 'email' : 'username';
  const loggedIn = (me: Me | null) => {
    setMe(me);
    navigate(destination(next));
  };
  const submission = useSubmit(
    async (): Promise<Me | null | { mfaToken: string; methods: string[] }> => {
      try {
        await api('POST', '/api/login', { [field]: identifier, password });
      } catch (error) {
        if (error instanceof ApiError && error.code === 'mfa_required' && error.mfaToken !== undefined) {
          return { mfaToken: error.mfaToken, methods: error.methods };
        }
        throw error;
      }
      return fetchMe();
    },
    (result) => (result !== null && 'mfaToken' in result ? setStep(result) : loggedIn(result)),
  );
  if (step !== undefined) return <SecondStep {...step} done={loggedIn} restart={() => setStep(undefined)} />;
  const code = submission.error?.code;
  return (
    <>
      <h1 tabIndex={-1}>Log in</h1>
      <Refusal sentence={refusal} />
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
          // `webauthn`: the browser's autofill offers this site's passkeys here too (PasskeySignIn's conditional request).
          autoComplete="username webauthn"
          errors={submission.errorsOf(field)}
          required
        />
        <CurrentPasswordField label="Password" name="password" value={password} onInput={setPassword} submission={submission} />
      </Form>
      {passkeysSupported() && <PasskeySignIn done={loggedIn} />}
      <ProviderButtons returnTo={destination(next)} />
      <p>
        <a href={to.forgot}>Forgot your password?</a> · No account yet? <a href={to.signup}>Sign up</a>
      </p>
    </>
  );
}

/** The API's check of the browser's answer, which sets the cookie as the password login does. */
async function signedIn(response: Record<string, unknown>): Promise<Me | null> {
  await api('POST', '/api/login/passkey', { response });
  return fetchMe();
}

const passkeyOptions = async () => (await api<PasskeyOptions>('POST', '/api/login/passkey/options')).options;

/**
 * A passkey, no password and nothing typed (discoverable credentials): the
 * button asks the browser for one of this site's; and, where the browser has
 * the conditional UI, a request started with the page waits for one picked in
 * the username field's autofill, aborted when the page leaves or the button is
 * used. Each start costs a hit on the address's counter of options (not its
 * password attempts), so it starts again only after the button was used or
 * the API refused a passkey picked in it: never by itself after a refusal of
 * the options or the browser's, which would loop.
 */
function PasskeySignIn({ done }: { done: (me: Me | null) => void }) {
  const [round, setRound] = useState(0);
  const [autofillError, setAutofillError] = useState<ApiError>();
  const autofill = useRef<AbortController>(undefined);
  useEffect(() => {
    const controller = new AbortController();
    autofill.current = controller;
    const wait = async () => {
      if (!(await conditionalUiAvailable()) || controller.signal.aborted) return;
      let response: Record<string, unknown>;
      try {
        const options = await passkeyOptions();
        if (controller.signal.aborted) return;
        response = await getPasskey(options, controller);
      } catch (error) {
        // Aborted, or refused before anyone picked a passkey: nothing the person asked for (the button says why when used).
        if (error instanceof ApiError) return;
        throw error;
      }
      try {
        done(await signedIn(response));
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
        setAutofillError(error);
        setRound((n) => n + 1);
      }
    };
    void wait();
    return () => controller.abort();
  }, [round]);
  const button = useSubmit(async () => {
    autofill.current?.abort();
    setAutofillError(undefined);
    try {
      return await signedIn(await getPasskey(await passkeyOptions()));
    } catch (error) {
      setRound((n) => n + 1);
      throw error;
    }
  }, done);
  return (
    <Form label="Sign in with a passkey" submission={{ ...button, error: button.error ?? autofillError }} action="Sign in with a passkey">
      <p>No password: your device checks it is you (fingerprint, face or screen lock) and signs you in.</p>
    </Form>
  );
}

/**
 * The second step: a code from the authenticator app, a recovery code, or (when
 * `methods` has `passkey`) one of the account's passkeys, within the token's 5
 * minutes and 5 tries (a passkey's answer spends one as a code does).
 */
function SecondStep({
  mfaToken,
  methods,
  done,
  restart,
}: {
  mfaToken: string;
  methods: string[];
  done: (me: Me | null) => void;
  restart: () => void;
}) {
  const [code, setCode] = useState('');
  const passkey = usePasskeyProof(async () => (await api<PasskeyOptions>('POST', '/api/login/mfa/passkey/options', { mfaToken })).options);
  const submission = useSubmit(async () => {
    const answer = await passkey.proof();
    try {
      await api('POST', '/api/login/mfa', answer === undefined ? { mfaToken, code: code.trim() } : { mfaToken, passkey: answer });
    } catch (error) {
      // The API refuses a passkey with the code's answer, whose message speaks of a code.
      if (answer === undefined || !(error instanceof ApiError) || error.code !== 'invalid_mfa_code') throw error;
      throw new ApiError(error.status, error.code, 'That passkey was not accepted: try again, or enter a code.');
    }
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
        {methods.includes('passkey') && passkeysSupported() && <PasskeyButton passkey={passkey} submission={submission} />}
      </Form>
    </>
  );
}
