// Passkeys in the web pages, in a real headless Chromium whose virtual
// authenticator (the DevTools protocol's WebAuthn domain: a CTAP2 platform
// authenticator with resident keys and user verification) makes and uses
// them, against `netlify dev` and this file's database. The pages are opened
// on http://localhost: WebAuthn refuses an IP address as the relying party,
// and in local development the RP ID is the request's host.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, CDPSession, Page } from 'playwright-core';
import { buildWeb } from '../../src/cli/web-bundle.ts';
import { getDb } from '../../src/db/connection.ts';
import { launchChromium, seriousViolations } from '../support/browser.ts';
import { codeAt } from '../support/mfa.ts';
import { FLOW_TIMEOUT, START_TIMEOUT, startNetlifyDev, type DevServer } from '../support/netlify-dev.ts';
import { eventually, expectTitle, fieldErrors, logInToAccount, newPage } from '../support/pages.ts';
import { createUser, STRONG_PASSWORD } from '../support/users.ts';

let server: DevServer;
let browser: Browser;
/** The pages' address: netlify dev's, on the host name localhost. */
let origin: string;
const pageProblems: string[] = [];

beforeAll(async () => {
  await buildWeb();
  [server, browser] = await Promise.all([startNetlifyDev({ DATABASE_URL: process.env.DATABASE_URL! }), launchChromium()]);
  const url = new URL(server.url);
  url.hostname = 'localhost';
  origin = url.origin;
}, START_TIMEOUT);
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

interface Authenticator {
  cdp: CDPSession;
  authenticatorId: string;
}

/** A page with its own virtual authenticator: a passkey made in it stays in it for the page's life. */
async function pageWithAuthenticator(): Promise<[Page, Authenticator]> {
  const page = await newPage(browser, origin, pageProblems);
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  return [page, { cdp, authenticatorId }];
}

const credentialsIn = async ({ cdp, authenticatorId }: Authenticator) =>
  (await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials;

/** The current session as the API describes it, asked by the page (its cookie). */
const currentSession = (page: Page) =>
  page.evaluate(async () => ((await (await fetch('/api/me/session')).json()) as { session: { aal: string; amr: string[] } }).session);

/** Enrols the second factor on the account page with the key read from it; the confirming code is the previous step's. */
async function enrolTotp(page: Page): Promise<string> {
  const section = page.getByRole('region', { name: 'Second factor' });
  const start = section.getByRole('form', { name: 'Turn the second factor on' });
  await start.getByLabel('Password to turn it on', { exact: true }).fill(STRONG_PASSWORD);
  await start.getByRole('button', { name: 'Turn the second factor on' }).click();
  const key = section.locator('code.secret');
  await eventually(() => key.count()).toBe(1);
  const secret = (await key.textContent())!;
  const confirm = section.getByRole('form', { name: 'Confirm the second factor' });
  await confirm.getByLabel('Code from the app', { exact: true }).fill(codeAt(secret, Date.now(), -1));
  await confirm.getByRole('button', { name: 'Confirm and turn it on' }).click();
  await eventually(() => section.getByRole('status').textContent()).toContain('The second factor is on.');
  return secret;
}

describe('passkeys in the web pages', () => {
  it('add a passkey on the account page, rename it, log out, sign in with it and no password (aal2), remove it with the step-up', {
    timeout: FLOW_TIMEOUT * 2,
  }, async () => {
    const { user } = await createUser();
    const [page, authenticator] = await pageWithAuthenticator();
    await logInToAccount(page, user.username);
    await expectTitle(page, 'My account');
    const section = page.getByRole('region', { name: 'Passkeys' });
    await eventually(() => section.textContent()).toContain('No passkey yet.');

    const add = section.getByRole('form', { name: 'Add a passkey' });
    await add.getByLabel('Name of the new passkey', { exact: true }).fill('Work laptop');
    await add.getByRole('button', { name: 'Add a passkey' }).click();
    await eventually(() => section.getByRole('status').textContent()).toBe('Passkey Work laptop added: you can sign in with it now.');
    const item = section.getByRole('listitem').filter({ hasText: 'Work laptop' });
    await eventually(() => item.count()).toBe(1);
    expect(await item.textContent()).toMatch(/added .*, never used to sign in, kept on one device, reached through this device/);
    // The authenticator holds a discoverable credential for localhost whose user handle is the account id, no name.
    const [credential, ...more] = await credentialsIn(authenticator);
    expect(more).toEqual([]);
    expect(credential).toMatchObject({ isResidentCredential: true, rpId: 'localhost', signCount: expect.any(Number) });
    expect(Buffer.from(credential!.userHandle!, 'base64').readBigUInt64BE()).toBe(BigInt(user.id));
    expect(await seriousViolations(page)).toEqual([]);

    // The same authenticator again: the account's passkeys are excluded, and the browser's refusal is the form's message.
    await add.getByRole('button', { name: 'Add a passkey' }).click();
    await eventually(() => add.getByRole('alert').textContent()).toContain('already holds a passkey for this account');
    expect(await credentialsIn(authenticator)).toHaveLength(1);

    // Renamed: an empty name is refused under its field, with the focus on it.
    await item.getByRole('button', { name: 'Rename', exact: true }).click();
    const rename = section.getByRole('form', { name: 'Rename Work laptop' });
    const newName = rename.getByLabel('New name', { exact: true });
    await eventually(() => newName.evaluate((input) => input === document.activeElement)).toBe(true);
    await newName.fill('   ');
    await rename.getByRole('button', { name: 'Save the name' }).click();
    expect(await fieldErrors(page, 'New name', rename)).toEqual(['New name must not be empty']);
    expect(await seriousViolations(page)).toEqual([]);
    await newName.fill('Laptop');
    await rename.getByRole('button', { name: 'Save the name' }).click();
    await eventually(() => section.getByRole('status').textContent()).toBe('Passkey renamed Laptop.');
    await eventually(() => section.locator('.passkey-name').allTextContents()).toEqual(['Laptop']);

    await page.getByRole('button', { name: 'Log out' }).click();
    await expectTitle(page, 'Log in');
    expect(await page.getByLabel('Username or e-mail', { exact: true }).getAttribute('autocomplete')).toBe('username webauthn');
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await expectTitle(page, 'My account');
    await eventually(() => page.locator('main').textContent()).toContain(`Logged in as ${user.username}`);
    expect(await currentSession(page)).toEqual(expect.objectContaining({ aal: 'aal2', amr: ['hwk'] }));
    const current = page.locator('.sessions li', { hasText: '(this browser)' });
    await eventually(() => current.locator('.level').textContent()).toBe('passkey');
    await eventually(() => section.getByRole('listitem').filter({ hasText: 'Laptop' }).textContent()).toMatch(/last used /);

    // The removal asks for the password, refused under its field when wrong; the toggle closes the form.
    const laptop = section.getByRole('listitem').filter({ hasText: 'Laptop' });
    await laptop.getByRole('button', { name: 'Remove', exact: true }).click();
    const remove = section.getByRole('form', { name: 'Remove Laptop' });
    const password = remove.getByLabel('Password to remove it', { exact: true });
    await eventually(() => password.evaluate((input) => input === document.activeElement)).toBe(true);
    await password.fill('Wrong-Password-1');
    await remove.getByRole('button', { name: 'Remove the passkey' }).click();
    expect(await fieldErrors(page, 'Password to remove it', remove)).toEqual(['Password to remove it is not correct']);
    await laptop.getByRole('button', { name: 'Remove', exact: true }).click();
    expect(await remove.count()).toBe(0);

    // On an account with a second factor, it asks for the factor's code after the password.
    const secret = await enrolTotp(page);
    await laptop.getByRole('button', { name: 'Remove', exact: true }).click();
    await password.fill(STRONG_PASSWORD);
    await remove.getByRole('button', { name: 'Remove the passkey' }).click();
    await eventually(() => remove.getByRole('alert').textContent()).toContain('second factor');
    expect(await fieldErrors(page, 'Code', remove)).toEqual(['Code is needed for this change']);
    expect(await seriousViolations(page)).toEqual([]);
    await remove.getByLabel('Code', { exact: true }).fill('000000');
    await remove.getByRole('button', { name: 'Remove the passkey' }).click();
    expect(await fieldErrors(page, 'Code', remove)).toEqual(['Code is not correct']);
    await remove.getByLabel('Code', { exact: true }).fill(codeAt(secret));
    await remove.getByRole('button', { name: 'Remove the passkey' }).click();
    await eventually(() => section.getByRole('status').textContent()).toBe('Passkey Laptop removed.');
    await eventually(() => section.textContent()).toContain('No passkey yet.');
    expect(await getDb().selectFrom('passkeys').select('id').where('user_id', '=', user.id).execute()).toEqual([]);
  });
});
