// Passkeys in the web pages, in a real headless Chromium whose virtual
// authenticator (the DevTools protocol's WebAuthn domain: a CTAP2 platform
// authenticator with resident keys and user verification) makes and uses
// them, against `netlify dev` and this file's database. The pages are opened
// on http://localhost: WebAuthn refuses an IP address as the relying party,
// and in local development the RP ID is the request's host.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { CDPSession, Page } from 'playwright-core';
import { getDb } from '../../src/db/connection.ts';
import { seriousViolations } from '../support/browser.ts';
import { codeAt, previousStepCode } from '../support/mfa.ts';
import { FLOW_TIMEOUT } from '../support/netlify-dev.ts';
import { eventually, expectTitle, fieldErrors, logInToAccount, pagesSuite } from '../support/pages.ts';
import { createUser, STRONG_PASSWORD } from '../support/users.ts';

const web = pagesSuite({ localhost: true });

interface Authenticator {
  cdp: CDPSession;
  authenticatorId: string;
}

/** A WebAuthn request the page made, as the test's wrapper of navigator.credentials.get saw it. */
interface Request {
  mediation: string;
  aborted: boolean;
  /** `pending`, `resolved`, or the name of the DOMException it was rejected with. */
  outcome: string;
}

/**
 * A page with its own virtual authenticator (a passkey made in it stays in it
 * for the page's life) whose navigator.credentials.get requests are recorded.
 * The wrapper is installed over the DevTools protocol, as axe is: no script
 * the page's CSP would have to allow.
 */
async function pageWithAuthenticator(): Promise<[Page, Authenticator]> {
  const page = await web.newPage();
  await page.addInitScript(() => {
    const requests: Request[] = [];
    (window as unknown as { webauthnRequests: Request[] }).webauthnRequests = requests;
    const get = navigator.credentials.get.bind(navigator.credentials);
    navigator.credentials.get = (options?: CredentialRequestOptions) => {
      const request = { mediation: options?.mediation ?? 'optional', aborted: false, outcome: 'pending' };
      requests.push(request);
      options?.signal?.addEventListener('abort', () => {
        request.aborted = true;
      });
      return get(options).then(
        (credential) => {
          request.outcome = 'resolved';
          return credential;
        },
        (error: Error) => {
          request.outcome = error.name;
          throw error;
        },
      );
    };
  });
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

/** The page's WebAuthn requests since it was last loaded. */
const requestsOf = (page: Page) => page.evaluate(() => (window as unknown as { webauthnRequests: Request[] }).webauthnRequests);

const credentialsIn = async ({ cdp, authenticatorId }: Authenticator) =>
  (await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials;

/**
 * Whether the authenticator answers by itself, as a person who touches it
 * would. Off, a conditional request stays pending as it does until someone
 * picks a passkey in the autofill; on, the virtual authenticator also answers
 * a conditional request started from then on at once, as if one were picked.
 */
const presence = ({ cdp, authenticatorId }: Authenticator, enabled: boolean) =>
  cdp.send('WebAuthn.setAutomaticPresenceSimulation', { authenticatorId, enabled });

/** Adds the first passkey on the account page (no name: the API's default), proved by the password. */
async function addPasskey(page: Page) {
  const section = page.getByRole('region', { name: 'Passkeys' });
  const add = section.getByRole('form', { name: 'Add a passkey' });
  await add.getByLabel('Password to add it', { exact: true }).fill(STRONG_PASSWORD);
  await add.getByRole('button', { name: 'Add a passkey' }).click();
  await eventually(() => section.getByRole('status').textContent()).toContain('added');
}

/** The current session as the API describes it, asked by the page (its cookie). */
const currentSession = (page: Page) =>
  page.evaluate(async () => ((await (await fetch('/api/me/session')).json()) as { session: { aal: string; amr: string[] } }).session);

/**
 * Enrols the second factor on the account page with the key read from it; the
 * confirming code is the previous step's. The account has passkeys: the
 * enrolment asks for their step-up, and only that.
 */
async function enrolTotp(page: Page): Promise<string> {
  const section = page.getByRole('region', { name: 'Second factor' });
  const start = section.getByRole('form', { name: 'Turn the second factor on' });
  await start.getByLabel('Password to turn it on', { exact: true }).fill(STRONG_PASSWORD);
  await start.getByRole('button', { name: 'Turn the second factor on' }).click();
  await eventually(() => start.getByRole('alert').textContent()).toContain('Your account has passkeys');
  expect(await start.getByLabel('Code', { exact: true }).count()).toBe(0);
  expect(await seriousViolations(page)).toEqual([]);
  await start.getByRole('button', { name: 'Use a passkey' }).click();
  const key = section.locator('code.secret');
  await eventually(() => key.count()).toBe(1);
  const secret = (await key.textContent())!;
  const confirm = section.getByRole('form', { name: 'Confirm the second factor' });
  await confirm.getByLabel('Code from the app', { exact: true }).fill(await previousStepCode(secret, 10_000));
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

    // Adding is a guarded change: the password first (a wrong one refused under its field, nothing made on the device).
    const add = section.getByRole('form', { name: 'Add a passkey' });
    await add.getByLabel('Name of the new passkey', { exact: true }).fill('Work laptop');
    await add.getByLabel('Password to add it', { exact: true }).fill('Wrong-Password-1');
    await add.getByRole('button', { name: 'Add a passkey' }).click();
    expect(await fieldErrors(page, 'Password to add it', add)).toEqual(['Password to add it is not correct']);
    expect(await credentialsIn(authenticator)).toEqual([]);
    await add.getByLabel('Password to add it', { exact: true }).fill(STRONG_PASSWORD);
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

    // The same authenticator again, now with the step-up of the account's passkey (asked only for it, no code): the
    // account's passkeys are excluded, and the browser's refusal is the form's message.
    await add.getByLabel('Password to add it', { exact: true }).fill(STRONG_PASSWORD);
    await add.getByRole('button', { name: 'Add a passkey' }).click();
    await eventually(() => add.getByRole('alert').textContent()).toContain('Your account has passkeys');
    expect(await add.getByLabel('Code', { exact: true }).count()).toBe(0);
    expect(await seriousViolations(page)).toEqual([]);
    await add.getByRole('button', { name: 'Use a passkey' }).click();
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

    // The login page starts a conditional request at once (the autofill's), left pending as nobody picks the passkey there;
    // the button aborts it and asks for a passkey itself.
    await presence(authenticator, false);
    await page.getByRole('button', { name: 'Log out' }).click();
    await expectTitle(page, 'Log in');
    expect(await page.getByLabel('Username or e-mail', { exact: true }).getAttribute('autocomplete')).toBe('username webauthn');
    await eventually(async () => (await requestsOf(page)).at(-1)).toEqual({ mediation: 'conditional', aborted: false, outcome: 'pending' });
    expect(await seriousViolations(page)).toEqual([]);
    await presence(authenticator, true);
    const before = (await requestsOf(page)).length;
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await expectTitle(page, 'My account');
    await eventually(() => page.locator('main').textContent()).toContain(`Logged in as ${user.username}`);
    expect((await requestsOf(page)).slice(before - 1)).toEqual([
      { mediation: 'conditional', aborted: true, outcome: 'AbortError' },
      { mediation: 'optional', aborted: false, outcome: 'resolved' },
    ]);
    expect(await currentSession(page)).toEqual(expect.objectContaining({ aal: 'aal2', amr: ['hwk'] }));
    const current = page.locator('.sessions li', { hasText: '(this browser)' });
    await eventually(() => current.locator('.level').textContent()).toBe('passkey');
    expect(await current.locator('.aal').textContent()).toBe('(two factors)');
    await eventually(() => section.getByRole('listitem').filter({ hasText: 'Laptop' }).textContent()).toMatch(/last used /);

    // The removal asks for the password and, on this account with passkeys and no authenticator app, a passkey and
    // no code (the API's step_up_required comes before the password is checked); a wrong password is refused under
    // its field once the passkey is given; the toggle closes the form.
    const laptop = section.getByRole('listitem').filter({ hasText: 'Laptop' });
    await laptop.getByRole('button', { name: 'Remove', exact: true }).click();
    const remove = section.getByRole('form', { name: 'Remove Laptop' });
    const password = remove.getByLabel('Password to remove it', { exact: true });
    await eventually(() => password.evaluate((input) => input === document.activeElement)).toBe(true);
    await password.fill('Wrong-Password-1');
    await remove.getByRole('button', { name: 'Remove the passkey' }).click();
    await eventually(() => remove.getByRole('alert').textContent()).toContain('Your account has passkeys');
    expect(await remove.getByLabel('Code', { exact: true }).count()).toBe(0);
    expect(await seriousViolations(page)).toEqual([]);
    await remove.getByRole('button', { name: 'Use a passkey' }).click();
    expect(await fieldErrors(page, 'Password to remove it', remove)).toEqual(['Password to remove it is not correct']);
    await laptop.getByRole('button', { name: 'Remove', exact: true }).click();
    expect(await remove.count()).toBe(0);

    // On an account with a second factor, it asks for the factor's code after the password, a passkey being the other way.
    const secret = await enrolTotp(page);
    await laptop.getByRole('button', { name: 'Remove', exact: true }).click();
    await password.fill(STRONG_PASSWORD);
    await remove.getByRole('button', { name: 'Remove the passkey' }).click();
    await eventually(() => remove.getByRole('alert').textContent()).toContain('second factor');
    expect(await fieldErrors(page, 'Code', remove)).toEqual(['Code is needed for this change']);
    await eventually(() => remove.getByRole('button', { name: 'Use a passkey' }).count()).toBe(1);
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
  it('an account with TOTP and a passkey: the passkey as the second step after the password (pwd + hwk, aal2), then its removal with the passkey step-up', {
    timeout: FLOW_TIMEOUT * 2,
  }, async () => {
    const { user } = await createUser();
    const [page, authenticator] = await pageWithAuthenticator();
    await logInToAccount(page, user.username);
    await expectTitle(page, 'My account');
    await addPasskey(page);
    await enrolTotp(page);

    // No autofill answer on the log-in page: the password goes first, then the second step offers the passkey beside the code.
    await presence(authenticator, false);
    await page.getByRole('button', { name: 'Log out' }).click();
    await expectTitle(page, 'Log in');
    await logInToAccount(page, user.username);
    await expectTitle(page, 'Enter your code');
    const step = page.getByRole('form', { name: 'Second step' });
    await eventually(() => step.getByRole('button', { name: 'Use a passkey' }).count()).toBe(1);
    expect(await step.getByLabel('Code', { exact: true }).count()).toBe(1);
    expect(await seriousViolations(page)).toEqual([]);
    await presence(authenticator, true);
    await step.getByRole('button', { name: 'Use a passkey' }).click();
    await expectTitle(page, 'My account');
    expect(await currentSession(page)).toEqual(expect.objectContaining({ aal: 'aal2', amr: ['pwd', 'hwk'] }));
    await eventually(() => page.locator('.sessions li', { hasText: '(this browser)' }).locator('.level').textContent()).toBe(
      'password + passkey',
    );

    // Its removal: the password, then the passkey as the step-up (no code typed).
    const section = page.getByRole('region', { name: 'Passkeys' });
    await section.getByRole('listitem').filter({ hasText: 'Passkey' }).getByRole('button', { name: 'Remove', exact: true }).click();
    const remove = section.getByRole('form', { name: 'Remove Passkey' });
    await remove.getByLabel('Password to remove it', { exact: true }).fill(STRONG_PASSWORD);
    await remove.getByRole('button', { name: 'Remove the passkey' }).click();
    await eventually(() => remove.getByRole('alert').textContent()).toContain('second factor');
    await remove.getByRole('button', { name: 'Use a passkey' }).click();
    await eventually(() => section.getByRole('status').textContent()).toBe('Passkey Passkey removed.');
    expect(await getDb().selectFrom('passkeys').select('id').where('user_id', '=', user.id).execute()).toEqual([]);
  });

  it('an account with passkeys and no authenticator app changes its password with the passkey step-up, never asked for a code', {
    timeout: FLOW_TIMEOUT,
  }, async () => {
    const { user } = await createUser();
    const [page] = await pageWithAuthenticator();
    await logInToAccount(page, user.username);
    await expectTitle(page, 'My account');
    await addPasskey(page);
    const hashOf = async () =>
      (await getDb().selectFrom('users').select('password_hash').where('id', '=', user.id).executeTakeFirstOrThrow()).password_hash;
    const before = await hashOf();
    const form = page.getByRole('form', { name: 'Change the password' });
    await form.getByLabel('Current password', { exact: true }).fill(STRONG_PASSWORD);
    await form.getByLabel('New password', { exact: true }).fill('Granite-Meadow-58?');
    await form.getByRole('button', { name: 'Change the password' }).click();
    await eventually(() => form.getByRole('alert').textContent()).toContain('Your account has passkeys');
    expect(await form.getByLabel('Code', { exact: true }).count()).toBe(0);
    expect(await seriousViolations(page)).toEqual([]);
    await form.getByRole('button', { name: 'Use a passkey' }).click();
    await eventually(() => page.getByRole('region', { name: 'Password' }).getByRole('status').textContent()).toMatch(/^Password changed\./);
    expect(await hashOf()).not.toBe(before);
  });

  it("the username field's autofill: a passkey picked there signs in with nothing typed or clicked; leaving the page aborts its request", {
    timeout: FLOW_TIMEOUT,
  }, async () => {
    const { user } = await createUser();
    const [page, authenticator] = await pageWithAuthenticator();
    await logInToAccount(page, user.username);
    await expectTitle(page, 'My account');
    await addPasskey(page);
    const header = page.getByRole('navigation', { name: 'Main' });

    await presence(authenticator, false);
    await page.getByRole('button', { name: 'Log out' }).click();
    await expectTitle(page, 'Log in');
    await eventually(async () => (await requestsOf(page)).at(-1)).toEqual({ mediation: 'conditional', aborted: false, outcome: 'pending' });
    await header.getByRole('link', { name: 'Sign up' }).click();
    await expectTitle(page, 'Sign up');
    await eventually(async () => (await requestsOf(page)).at(-1)).toEqual({
      mediation: 'conditional',
      aborted: true,
      outcome: 'AbortError',
    });

    // Picked: the virtual authenticator answers the new page's request at once, as a person picking the passkey in the autofill.
    await presence(authenticator, true);
    await header.getByRole('link', { name: 'Log in' }).click();
    await expectTitle(page, 'My account');
    expect(await currentSession(page)).toEqual(expect.objectContaining({ aal: 'aal2', amr: ['hwk'] }));
    const requests = await requestsOf(page);
    expect(requests.at(-1)).toEqual(expect.objectContaining({ mediation: 'conditional', outcome: 'resolved' }));
    expect(requests.filter((request) => request.mediation !== 'conditional')).toEqual([]);
  });

  it('an older browser, without the autofill or the JSON helpers: only the button asks, the fallback converts; a passkey the service does not know is refused in an alert that takes the focus', {
    timeout: FLOW_TIMEOUT,
  }, async () => {
    const { user } = await createUser();
    const [page, authenticator] = await pageWithAuthenticator();
    await page.addInitScript(() => {
      Object.defineProperty(PublicKeyCredential, 'isConditionalMediationAvailable', { value: undefined });
      Object.defineProperty(PublicKeyCredential, 'parseCreationOptionsFromJSON', { value: undefined });
      Object.defineProperty(PublicKeyCredential, 'parseRequestOptionsFromJSON', { value: undefined });
      Object.defineProperty(PublicKeyCredential.prototype, 'toJSON', { value: undefined });
    });
    await logInToAccount(page, user.username);
    await expectTitle(page, 'My account');
    expect(
      await page.evaluate(() => [typeof PublicKeyCredential.parseRequestOptionsFromJSON, typeof PublicKeyCredential.prototype.toJSON]),
    ).toEqual(['undefined', 'undefined']);
    await addPasskey(page);
    await page.getByRole('button', { name: 'Log out' }).click();
    await expectTitle(page, 'Log in');
    const form = page.getByRole('form', { name: 'Sign in with a passkey' });
    await form.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await expectTitle(page, 'My account');
    expect(await currentSession(page)).toEqual(expect.objectContaining({ aal: 'aal2', amr: ['hwk'] }));
    expect(await requestsOf(page)).toEqual([{ mediation: 'optional', aborted: false, outcome: 'resolved' }]);

    // On the device, a passkey for localhost the service never registered (one removed from an account stays there so).
    await authenticator.cdp.send('WebAuthn.clearCredentials', { authenticatorId: authenticator.authenticatorId });
    const key = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'der', type: 'pkcs8' });
    await authenticator.cdp.send('WebAuthn.addCredential', {
      authenticatorId: authenticator.authenticatorId,
      credential: {
        credentialId: randomBytes(16).toString('base64'),
        isResidentCredential: true,
        rpId: 'localhost',
        privateKey: key.toString('base64'),
        userHandle: Buffer.alloc(8).toString('base64'),
        signCount: 0,
      },
    });
    await page.getByRole('button', { name: 'Log out' }).click();
    await expectTitle(page, 'Log in');
    await form.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await eventually(() => form.getByRole('alert').textContent()).toContain('That passkey was not accepted');
    await eventually(() => form.getByRole('alert').evaluate((alert) => alert === document.activeElement)).toBe(true);
    expect(await seriousViolations(page)).toEqual([]);
    await expectTitle(page, 'Log in');
  });

  it('an unproven address: the passkey is refused before any ceremony, with the message and link the second factor shows', {
    timeout: FLOW_TIMEOUT,
  }, async () => {
    const { user } = await createUser({ proven: false });
    const [page, authenticator] = await pageWithAuthenticator();
    await logInToAccount(page, user.username);
    await expectTitle(page, 'My account');
    const add = page.getByRole('region', { name: 'Passkeys' }).getByRole('form', { name: 'Add a passkey' });
    await add.getByLabel('Password to add it', { exact: true }).fill(STRONG_PASSWORD);
    await add.getByRole('button', { name: 'Add a passkey' }).click();
    await eventually(() => add.getByRole('alert').textContent()).toContain('Your e-mail address is not proven yet');
    expect(await add.getByRole('button', { name: `Send a confirmation link to ${user.email}` }).count()).toBe(1);
    expect(await credentialsIn(authenticator)).toEqual([]);
    expect(await seriousViolations(page)).toEqual([]);
    const totp = page.getByRole('region', { name: 'Second factor' }).getByRole('form', { name: 'Turn the second factor on' });
    await totp.getByLabel('Password to turn it on', { exact: true }).fill(STRONG_PASSWORD);
    await totp.getByRole('button', { name: 'Turn the second factor on' }).click();
    await eventually(() => totp.getByRole('alert').count()).toBe(1);
    expect(await add.getByRole('alert').locator('p').first().textContent()).toBe(
      await totp.getByRole('alert').locator('p').first().textContent(),
    );
  });

  it("need no change of the pages' CSP (served with the same policy) and raised no script error or CSP violation", async () => {
    for (const path of ['/app/login', '/app/account']) {
      const res = await fetch(`${web.site}${path}`);
      expect(res.headers.get('content-security-policy')).toBe(
        "default-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'; object-src 'none'",
      );
    }
    expect(web.problems).toEqual([]);
  });
});
