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
