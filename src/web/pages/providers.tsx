// Sign-in with other identity providers (src/auth/providers/README.md): the
// login page's "Sign in with …" links (GET /api/auth/providers), the hand-over
// of a provider's sign-in to the login's code step (`#mfaToken=…`), and the
// account page's "Signed in with" section (GET, POST /api/me/identities,
// DELETE /api/me/identities/{id}).
import { useState } from 'preact/hooks';
import { api, type Identity, type IdentityList, type LinkStarted, type ProviderList } from '../api.ts';
import { to } from '../router.ts';
import { CurrentPasswordField, Form, Pending, StepUpField, useLoad, useStepUp, useSubmit, When } from '../ui.tsx';

const useProviders = () => useLoad(() => api<ProviderList>('GET', '/api/auth/providers'), 'providers');

/**
 * Plain links, not fetches: the start route is a browser navigation (it sets
 * its state cookie and redirects to the provider). None configured, or the
 * list unavailable: nothing drawn, the password form is the way in.
 */
export function ProviderButtons({ returnTo }: { returnTo: string }) {
  const items = useProviders().data?.items ?? [];
  if (items.length === 0) return null;
  return (
    <section aria-labelledby="providers-heading">
      <h2 id="providers-heading">Or use another account</h2>
      <ul class="providers">
        {items.map((provider) => (
          <li>
            <a href={`${provider.startUrl}?returnTo=${encodeURIComponent(returnTo)}`}>Sign in with {provider.name}</a>
          </li>
        ))}
      </ul>
    </section>
  );
}

/**
 * The callback's redirect for an account with a second factor:
 * `/app/login#mfaToken=…&returnTo=…`. Taken once, and the fragment removed from
 * the address at once, so neither the history nor a bookmark keeps the token.
 */
export function takeSecondStep(): { mfaToken: string; returnTo: string | null } | undefined {
  const fragment = new URLSearchParams(location.hash.slice(1));
  const mfaToken = fragment.get('mfaToken');
  if (mfaToken === null) return undefined;
  history.replaceState(history.state, '', location.pathname + location.search);
  return { mfaToken, returnTo: fragment.get('returnTo') };
}

/**
 * What the callback's `?error=<code>` says to a person: the API's codes are
 * stable, its messages are written for API clients; a code not listed (a
 * newer API, a hand-typed address) gets the generic sentence.
 */
const REFUSED: Record<string, string> = {
  federation_failed: 'The sign-in with the provider did not complete: it was cancelled, took too long or was already used. Try again.',
  provider_unavailable: 'The provider did not answer. Try again in a few minutes, or log in with your password.',
  identity_email_taken:
    'An account here already has that e-mail address. Log in with its password, then link the provider from your account page.',
  identity_taken: 'That account at the provider is already linked to another account here.',
  identity_email_missing: 'The provider did not share an e-mail address, and an account needs one. Sign up with a password instead.',
  account_banned: 'This account is suspended.',
  account_not_confirmed: 'Confirm your e-mail address with the code you were sent, then sign in.',
  rate_limited: 'Too many sign-ins with a provider were started from your network. Wait a few minutes, then try again.',
};
const REFUSED_OTHERWISE = 'Signing in with the provider did not work. Try again, or log in with your password.';
/** A link refused at the callback lands on the account page, where the person is signed in already. */
const LINK_REFUSED: Record<string, string> = {
  federation_failed: 'Linking the provider did not complete: it was cancelled, took too long or was already used. Try again.',
  provider_unavailable: 'The provider did not answer. Try again in a few minutes.',
  identity_taken: REFUSED.identity_taken!,
};
const LINK_REFUSED_OTHERWISE = 'Linking the provider did not work. Try again.';

/**
 * A refused callback lands on `/app/login?error=<code>`, or a refused link on
 * `/app/account?error=<code>`: the sentence for it, once, the query removed
 * from the address (a reload or a bookmark does not show it again). Call
 * before reading the page's query.
 */
export function takeRefusal(linking = false): string | undefined {
  const query = new URLSearchParams(location.search);
  const code = query.get('error');
  if (code === null) return undefined;
  query.delete('error');
  const rest = query.toString();
  history.replaceState(history.state, '', location.pathname + (rest === '' ? '' : `?${rest}`) + location.hash);
  const [sentences, otherwise] = linking ? [LINK_REFUSED, LINK_REFUSED_OTHERWISE] : [REFUSED, REFUSED_OTHERWISE];
  return Object.hasOwn(sentences, code) ? sentences[code] : otherwise;
}

/** takeRefusal's sentence, above the page's forms. */
export function Refusal({ sentence }: { sentence: string | undefined }) {
  if (sentence === undefined) return null;
  return (
    <p class="form-error" role="alert">
      {sentence}
    </p>
  );
}

/** The account's identities at other providers, each unlinkable, and a link for every configured provider not linked yet. */
export function Identities() {
  const identities = useLoad(() => api<IdentityList>('GET', '/api/me/identities'), 'identities');
  const providers = useProviders();
  const [status, setStatus] = useState('');
  const linked = new Set(identities.data?.items.map((identity) => identity.provider));
  const unlinked = providers.data?.items.filter((provider) => !linked.has(provider.id)) ?? [];
  return (
    <section aria-labelledby="identities-heading">
      <h2 id="identities-heading">Signed in with</h2>
      <p role="status">{status}</p>
      {identities.data === undefined ? (
        <Pending error={identities.error} />
      ) : identities.data.items.length === 0 ? (
        <p>No other provider: you log in with your password.</p>
      ) : (
        <ul class="identities">
          {identities.data.items.map((identity) => (
            <li>
              <p id={`identity-${identity.id}`}>
                <strong>{identity.providerName}</strong> as {identity.email ?? 'an account without an e-mail address'}, linked{' '}
                <When at={identity.createdAt} />, last used <When at={identity.lastUsedAt} />
              </p>
              <Unlink
                identity={identity}
                unlinked={() => {
                  setStatus(`${identity.providerName} is unlinked: it signs in to this account no more.`);
                  identities.reload();
                }}
              />
            </li>
          ))}
        </ul>
      )}
      {identities.data !== undefined && unlinked.map((provider) => <LinkProvider key={provider.id} provider={provider} />)}
    </section>
  );
}

function Unlink({ identity, unlinked }: { identity: Identity; unlinked: () => void }) {
  const [password, setPassword] = useState('');
  const stepUp = useStepUp();
  const submission = useSubmit(
    () => stepUp.send(() => api('DELETE', `/api/me/identities/${identity.id}`, { password, ...stepUp.body })),
    unlinked,
  );
  return (
    <Form
      label={`Unlink ${identity.providerName}`}
      submission={submission}
      action={`Unlink ${identity.providerName}`}
      help={
        submission.error?.code === 'last_way_in' && (
          <p>
            The account was made by signing in with {identity.providerName}, so it is your only way in. Set a password first:{' '}
            <a href={to.forgot}>get a password reset link</a> at your e-mail address, then unlink here.
          </p>
        )
      }
    >
      <CurrentPasswordField
        label={`Password to unlink ${identity.providerName}`}
        name="password"
        value={password}
        onInput={setPassword}
        submission={submission}
      />
      <StepUpField stepUp={stepUp} submission={submission} />
    </Form>
  );
}

/** The API answers the provider's address and sets the state cookie; the browser goes there and comes back to this page. */
function LinkProvider({ provider }: { provider: ProviderList['items'][number] }) {
  const [password, setPassword] = useState('');
  const stepUp = useStepUp();
  const submission = useSubmit(
    () =>
      stepUp.send(() =>
        api<LinkStarted>('POST', '/api/me/identities', { provider: provider.id, password, ...stepUp.body, returnTo: to.account }),
      ),
    (started) => window.location.assign(started.location),
  );
  return (
    <Form label={`Link ${provider.name}`} submission={submission} action={`Link ${provider.name}`}>
      <CurrentPasswordField
        label={`Password to link ${provider.name}`}
        name="password"
        value={password}
        onInput={setPassword}
        hint={`You then sign in at ${provider.name}; from then on it signs you in here too.`}
        submission={submission}
      />
      <StepUpField stepUp={stepUp} submission={submission} />
    </Form>
  );
}
