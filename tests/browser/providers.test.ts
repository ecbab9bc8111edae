// Sign-in with another identity provider in a real headless Chromium: the
// certified `oidc-provider` (tests/support/oidc-provider.ts) started on a
// local port, registered with the address `netlify dev` will have, and
// configured into that server's environment before it starts. Chromium clicks
// "Sign in with …" on /app/login, logs in and approves on the provider's own
// pages, lands signed in, and sees the identity on the account page; a link
// from the account page, the second factor's hand-over to the login page
// (#mfaToken), unlinking with its step-up and `last_way_in`, consent refused
// (the login page's `?error=` alert; a link's, the account page's); axe-core
// on the login page with its buttons and its alert, and the account page with
// its identities and its alert.
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { getDb } from '../../src/db/connection.ts';
import { screenshot, seriousViolations } from '../support/browser.ts';
import { codeAt, enableMfa } from '../support/mfa.ts';
import { FLOW_TIMEOUT } from '../support/netlify-dev.ts';
import { PROVIDER_ID, startLocalProvider, type LocalProvider } from '../support/oidc-provider.ts';
import { eventually, expectTitle, logInToAccount, pagesSuite } from '../support/pages.ts';
import { createUser, STRONG_PASSWORD, uniqueName } from '../support/users.ts';

let provider: LocalProvider;
/**
 * The pages on localhost, as `npm run dev` gives them, which netlify dev also
 * sets as URL, where the callback sends the second factor's hand-over. The
 * redirect URI is registered at the provider, so the address is chosen first.
 */
const web = pagesSuite({ localhost: true, before: async (site) => (provider = await startLocalProvider(site)) });
const { newPage } = web;

async function expectAccessible(page: Page) {
  expect(await seriousViolations(page)).toEqual([]);
}

/** The provider's own pages (its development login form, then consent), as a person goes through them. */
async function approveAtProvider(page: Page, account: string) {
  await page.waitForURL((url) => url.origin === provider.issuer);
  await page.locator('input[name="login"]').fill(account);
  await page.locator('input[name="password"]').fill('any');
  await page.getByRole('button', { name: 'Sign-in' }).click();
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.waitForURL((url) => url.origin === web.site);
}

const identities = (page: Page) => page.getByRole('region', { name: 'Signed in with' });

describe('sign-in with another identity provider, in the pages', () => {
  it('shows no provider button when the deploy configures none', { timeout: FLOW_TIMEOUT }, async () => {
    const page = await newPage();
    await page.route('**/api/auth/providers', (route) => route.fulfill({ json: { items: [] } }));
    await page.goto('/app/login');
    await expectTitle(page, 'Log in');
    await eventually(() => page.getByRole('button', { name: 'Log in' }).count()).toBe(1);
    expect(await page.getByRole('link', { name: /^Sign in with/ }).count()).toBe(0);
  });

  it('a first sign-in: "Sign in with" on the login page, the provider approves, a new account lands on the page it came for, the identity listed', {
    timeout: FLOW_TIMEOUT,
  }, async () => {
    const account = uniqueName('fed');
    provider.accounts.set(account, { email: `${account}@example.com`, email_verified: true });
    const page = await newPage();
    await page.goto('/app/login?next=/app/account');
    const button = page.getByRole('link', { name: 'Sign in with Local provider' });
    await eventually(() => button.getAttribute('href')).toBe(`/api/auth/${PROVIDER_ID}/start?returnTo=%2Fapp%2Faccount`);
    await expectAccessible(page);
    await screenshot(page, 'login-providers');
    await button.click();
    await approveAtProvider(page, account);

    await expectTitle(page, 'My account');
    expect(new URL(page.url()).pathname).toBe('/app/account');
    await eventually(() => page.getByText('Logged in as').textContent()).toContain(`${account}@example.com`);
    const section = identities(page);
    await eventually(() => section.locator('.identities li').count()).toBe(1);
    expect(await section.locator('.identities li p').textContent()).toMatch(
      new RegExp(`^Local provider as ${account}@example\\.com, linked .+, last used .+$`),
    );
    // Linked already: no link form for it.
    expect(await section.getByRole('button', { name: 'Link Local provider', exact: true }).count()).toBe(0);
    await expectAccessible(page);
    await screenshot(page, 'account-identities');

    // The provider made this account: it has no password, so unlinking its only way in is refused, and said why.
    await section.getByLabel('Password to unlink Local provider', { exact: true }).fill('not-a-password-it-has');
    await section.getByRole('button', { name: 'Unlink Local provider' }).click();
    const alert = section.getByRole('alert');
    await eventually(() => alert.textContent()).toContain('your only way in');
    expect(await alert.getByRole('link', { name: 'get a password reset link' }).getAttribute('href')).toBe('/app/forgot');
    await expectAccessible(page);
    expect(await getDb().selectFrom('federated_identities').select('subject').where('subject', '=', account).execute()).toHaveLength(1);
  });

  it('link from the account page, then a sign-in through it on an account with a second factor goes through the code step, then unlink with a code', {
    timeout: FLOW_TIMEOUT * 2,
  }, async () => {
    const owner = await createUser({ username: uniqueName('web_link') });
    const subject = uniqueName('linked');
    // The provider's address is another one, unverified: only the link from the account page can join them.
    provider.accounts.set(subject, { email: `${subject}@example.org`, email_verified: false });
    const page = await newPage();
    await logInToAccount(page, owner.user.username);
    await expectTitle(page, 'My account');
    const section = identities(page);
    await eventually(() => section.textContent()).toContain('No other provider');
    await section.getByLabel('Password to link Local provider', { exact: true }).fill(STRONG_PASSWORD);
    await section.getByRole('button', { name: 'Link Local provider', exact: true }).click();
    await approveAtProvider(page, subject);
    await expectTitle(page, 'My account');
    await eventually(() => section.locator('.identities li p').textContent()).toContain(`Local provider as ${subject}@example.org`);

    // With a second factor, the callback hands over to the login page's code step in the fragment.
    const { secret, recoveryCodes } = await enableMfa(owner.token);
    const fresh = await newPage();
    await fresh.goto('/app/login');
    await fresh.getByRole('link', { name: 'Sign in with Local provider' }).click();
    await approveAtProvider(fresh, subject);
    await expectTitle(fresh, 'Enter your code');
    // The token left the address at once: not in the history, not in a bookmark.
    expect(new URL(fresh.url()).hash).toBe('');
    expect(new URL(fresh.url()).pathname).toBe('/app/login');
    await expectAccessible(fresh);
    await fresh.getByLabel('Code', { exact: true }).fill(codeAt(secret));
    await fresh.getByRole('button', { name: 'Verify' }).click();
    await expectTitle(fresh, 'My account');
    await eventually(() => fresh.getByText('Logged in as').textContent()).toContain(owner.user.username);

    // Unlinking asks for a code (step_up_required), then the identity is gone.
    const list = identities(fresh);
    await list.getByLabel('Password to unlink Local provider', { exact: true }).fill(STRONG_PASSWORD);
    await list.getByRole('button', { name: 'Unlink Local provider' }).click();
    await eventually(() => list.getByRole('alert').textContent()).toContain('second factor');
    await list.getByLabel('Code', { exact: true }).fill(recoveryCodes[0]!);
    await list.getByRole('button', { name: 'Unlink Local provider' }).click();
    await eventually(() => list.getByRole('status').first().textContent()).toContain('Local provider is unlinked');
    await eventually(() => list.textContent()).toContain('No other provider');
    expect(await list.getByRole('button', { name: 'Link Local provider', exact: true }).count()).toBe(1);
    expect(await getDb().selectFrom('federated_identities').select('id').where('user_id', '=', owner.user.id).execute()).toEqual([]);
  });

  it('consent refused at the provider: back on the login page, a plain sentence in an alert, the code gone from the address', {
    timeout: FLOW_TIMEOUT,
  }, async () => {
    const page = await newPage();
    await page.goto('/app/login');
    await page.getByRole('link', { name: 'Sign in with Local provider' }).click();
    await page.waitForURL((url) => url.origin === provider.issuer);
    // The provider's development login page: "[ Cancel ]" answers the callback with error=access_denied.
    await page.getByRole('link', { name: 'Cancel' }).click();
    await page.waitForURL((url) => url.origin === web.site);
    await expectTitle(page, 'Log in');
    await eventually(() => page.getByRole('alert').textContent()).toContain('The sign-in with the provider did not complete');
    expect(await page.getByRole('alert').textContent()).not.toContain('federation_failed');
    expect([new URL(page.url()).pathname, new URL(page.url()).search]).toEqual(['/app/login', '']);
    await expectAccessible(page);
    await screenshot(page, 'login-provider-refused');
  });

  it('a link cancelled at the provider: back on the account page, not the login page, a plain sentence in an alert, the code gone from the address', {
    timeout: FLOW_TIMEOUT,
  }, async () => {
    const owner = await createUser({ username: uniqueName('web_cancel') });
    const page = await newPage();
    await logInToAccount(page, owner.user.username);
    await expectTitle(page, 'My account');
    const section = identities(page);
    await section.getByLabel('Password to link Local provider', { exact: true }).fill(STRONG_PASSWORD);
    await section.getByRole('button', { name: 'Link Local provider', exact: true }).click();
    await page.waitForURL((url) => url.origin === provider.issuer);
    await page.getByRole('link', { name: 'Cancel' }).click();
    await page.waitForURL((url) => url.origin === web.site);
    await expectTitle(page, 'My account');
    await eventually(() => page.getByRole('alert').first().textContent()).toContain('Linking the provider did not complete');
    expect([new URL(page.url()).pathname, new URL(page.url()).search]).toEqual(['/app/account', '']);
    await eventually(() => section.textContent()).toContain('No other provider');
    await expectAccessible(page);
    expect(await getDb().selectFrom('federated_identities').select('id').where('user_id', '=', owner.user.id).execute()).toEqual([]);
  });

  it("the start refused over the address's limit (its redirect, ?error=rate_limited): the login page says to wait", {
    timeout: FLOW_TIMEOUT,
  }, async () => {
    const page = await newPage();
    await page.goto('/app/login?error=rate_limited');
    await expectTitle(page, 'Log in');
    await eventually(() => page.getByRole('alert').textContent()).toContain('Wait a few minutes, then try again');
    expect(new URL(page.url()).search).toBe('');
    await expectAccessible(page);
  });

  it("no page of the service logged an error or broke the Content-Security-Policy (the provider's development pages ask for web fonts offline)", () => {
    expect(web.problems.filter((problem) => !problem.startsWith(provider.issuer))).toEqual([]);
  });
});
