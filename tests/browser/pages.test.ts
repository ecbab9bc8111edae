// The web pages (src/web) in a real headless Chromium against `netlify dev`
// and this file's database: every flow a person takes, the error case of
// each form, keyboard use, the Content-Security-Policy the pages are served
// with, and axe-core on every page. SCREENSHOTS=1 also saves the main pages
// into tests/browser/screenshots/ (committed, shown in the README).
import { describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import type { Locator, Page } from 'playwright-core';
import { hashSecret } from '../../src/auth/codes/tokens.ts';
import { PASSWORD_MESSAGES } from '../../src/auth/passwords/problems.ts';
import { getDb } from '../../src/db/connection.ts';
import { screenshot, seriousViolations } from '../support/browser.ts';
import { codeAt, enableMfa, previousStepCode } from '../support/mfa.ts';
import { FLOW_TIMEOUT } from '../support/netlify-dev.ts';
import { eventually, expectTitle, fieldErrors, logInToAccount, pagesSuite } from '../support/pages.ts';
import { createUser, STRONG_PASSWORD } from '../support/users.ts';

const web = pagesSuite();
const { newPage } = web;

/**
 * The code or token the page links to (development, no mail provider: the API
 * returned it; it is never logged), checked against the database, which keeps
 * only its hash: a live one of this purpose for this address (the new one, for
 * an e-mail change).
 */
async function secretShown(
  scope: Page | Locator,
  link: string,
  purpose: 'confirm_email' | 'reset_password' | 'change_email',
  email: string,
): Promise<string> {
  const href = await scope.getByRole('link', { name: link }).getAttribute('href');
  const secret = new URL(href!, web.site).searchParams.get(purpose === 'reset_password' ? 'token' : 'code')!;
  expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
  const address = purpose === 'change_email' ? sql.ref('t.new_email') : sql.ref('u.email');
  const { rows } = await sql`SELECT 1 FROM one_time_tokens t JOIN users u ON u.id = t.user_id
    WHERE ${address} = ${email} AND t.purpose = ${purpose} AND t.token_hash = ${hashSecret(secret)} AND t.used_at IS NULL`.execute(getDb());
  expect(rows).toHaveLength(1);
  return secret;
}

/** Alice's confirmation code, as the sign-up page showed it. */
let aliceCode: string;

const alice = { username: 'web_alice', email: 'web.alice@example.com', password: 'Violet-Harbor-73!' };

describe('the web pages', () => {
  it('ship at most 60 KB of JavaScript, gzipped, to every visitor (the admin pages are a chunk apart: tests/browser/admin.test.ts)', () => {
    const js = web.built.filter((file) => file.loadedBy === 'everyone' && file.name.endsWith('.js'));
    expect(js.map((file) => file.name)).toContain('app.js');
    expect(js.map((file) => file.name)).not.toContain('admin-pages.js');
    expect(js.reduce((sum, file) => sum + file.gzipBytes, 0)).toBeLessThanOrEqual(60 * 1024);
  });

  it("are served under Content-Security-Policy: default-src 'self' (and no base, forms only here, no plugins, no framing), which the browser enforces", async () => {
    for (const path of ['/app/', '/app/u/somebody', '/app/login', '/app/app.js']) {
      const res = await fetch(`${web.site}${path}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-security-policy')).toBe(
        "default-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'; object-src 'none'",
      );
    }
    // The JSON routes keep their contract: `/` is the classic welcome, not a page.
    expect(await (await fetch(`${web.site}/`)).json()).toEqual({ message: 'Bienvenue' });

    const page = await newPage();
    await page.goto('/app/');
    await expectTitle(page, 'Posts');
    const violation = page.waitForEvent('console', (message) => /Content Security Policy/.test(message.text()));
    const ran = await page.evaluate(() => {
      const script = document.createElement('script');
      script.textContent = 'window.inlineRan = true';
      document.body.append(script);
      return (window as unknown as { inlineRan?: boolean }).inlineRan === true;
    });
    expect(ran).toBe(false);
    await violation;
    web.problems.length = 0; // that refusal was the point; every other page must have none
  });

  it('sign up: rules shown as you type, every refusal under its field, then a confirmation e-mail', { timeout: FLOW_TIMEOUT }, async () => {
    const page = await newPage();
    await page.goto('/app/signup');
    await expectTitle(page, 'Sign up');
    const rules = page.locator('.rules li');
    await page.getByLabel('Password', { exact: true }).fill('short');
    expect(await rules.allTextContents()).toEqual([`Password ${PASSWORD_MESSAGES.tooShort}`, `Password ${PASSWORD_MESSAGES.classes}`]);
    await page.getByLabel('Username', { exact: true }).fill(alice.username);
    await page.getByLabel('Password', { exact: true }).fill('xx-web_alice-xx');
    expect(await rules.allTextContents()).toEqual([`Password ${PASSWORD_MESSAGES.username}`, `Password ${PASSWORD_MESSAGES.classes}`]);
    await page.getByLabel('Password', { exact: true }).fill(alice.password);
    await eventually(() => rules.count()).toBe(0);
    await eventually(() => page.locator('.rules .ok').textContent()).toContain('meets every rule');

    // Refused: every field's messages under it, the common-password rule from the API's answer.
    await page.getByLabel('Username', { exact: true }).fill('9x');
    await page.getByLabel('E-mail', { exact: true }).fill('not-an-address');
    await page.getByLabel('Password', { exact: true }).fill('password1234');
    await page.getByRole('button', { name: 'Create the account' }).click();
    await eventually(() => page.getByRole('alert').textContent()).toContain('Some fields need a change');
    expect(await fieldErrors(page, 'Username')).toContain('Username must start with a letter');
    expect((await fieldErrors(page, 'E-mail')).length).toBeGreaterThan(0);
    expect(await fieldErrors(page, 'Password')).toContain(`Password ${PASSWORD_MESSAGES.common}`);
    // Focus went to the first field to fix.
    expect(await page.evaluate(() => document.activeElement?.getAttribute('name'))).toBe('username');

    await page.getByLabel('Username', { exact: true }).fill(alice.username);
    await page.getByLabel('E-mail', { exact: true }).fill(alice.email);
    await page.getByLabel('Password', { exact: true }).fill(alice.password);
    await screenshot(page, 'signup');
    await page.getByRole('button', { name: 'Create the account' }).click();
    await expectTitle(page, 'Sign up');
    await eventually(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Check your e-mail');
    aliceCode = await secretShown(page, 'Open the confirmation link', 'confirm_email', alice.email);
    expect(await page.getByRole('link', { name: 'Open the confirmation link' }).getAttribute('href')).toBe(
      `/app/confirm?code=${aliceCode}`,
    );

    // The same username again: the conflict is tied to the username field.
    await page.goto('/app/signup');
    await page.getByLabel('Username', { exact: true }).fill(alice.username);
    await page.getByLabel('E-mail', { exact: true }).fill('someone.else@example.com');
    await page.getByLabel('Password', { exact: true }).fill(alice.password);
    await page.getByRole('button', { name: 'Create the account' }).click();
    expect(await fieldErrors(page, 'Username')).toEqual(['Username is already taken']);
  });

  it('confirm: opening the e-mailed link uses nothing; the button does, once', { timeout: FLOW_TIMEOUT }, async () => {
    const page = await newPage();
    // Not confirmed yet: the login form says so and offers a new link.
    await page.goto('/app/login');
    await page.getByLabel('Username or e-mail', { exact: true }).fill(alice.username);
    await page.getByLabel('Password', { exact: true }).fill(alice.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await eventually(() => page.getByRole('alert').textContent()).toContain('Confirm your e-mail address');
    expect(await page.getByRole('link', { name: 'Get a new confirmation link' }).count()).toBe(1);

    const link = `${web.site}/app/confirm?code=${aliceCode}`;
    await page.goto(link);
    await page.reload(); // a preview, a second look: still unused
    await expectTitle(page, 'Confirm your account');
    await screenshot(page, 'confirm');
    await page.getByRole('button', { name: 'Confirm my account' }).click();
    await eventually(() => page.getByRole('status').textContent()).toContain(`The account ${alice.username} is confirmed`);

    // Used up: the page says so and offers a new link.
    await page.goto(link);
    await page.getByRole('button', { name: 'Confirm my account' }).click();
    await eventually(() => page.getByRole('alert').textContent()).toMatch(/./);
    await page.getByLabel('E-mail', { exact: true }).fill('bad');
    await page.getByRole('button', { name: 'Send a new link' }).click();
    expect((await fieldErrors(page, 'E-mail')).length).toBeGreaterThan(0);
  });

  it('log in (keyboard only), edit the profile, write a post, comment, follow the author link to their statistics, log out', {
    timeout: FLOW_TIMEOUT,
  }, async () => {
    const page = await newPage();
    await page.goto('/app/login');
    await expectTitle(page, 'Log in');
    // Wrong password: one message for the form, nothing revealed about the account.
    await page.getByLabel('Username or e-mail', { exact: true }).fill(alice.email);
    await page.getByLabel('Password', { exact: true }).fill('Wrong-Password-1!');
    await page.getByRole('button', { name: 'Log in' }).click();
    await eventually(() => page.getByRole('alert').textContent()).toContain('do not match an account');
    expect(await page.getByRole('form', { name: 'Log in' }).getAttribute('aria-describedby')).toBe(
      await page.getByRole('alert').getAttribute('id'),
    );

    // Keyboard only: Tab to the first field, type, Tab, type, Enter.
    await page.goto('/app/login');
    await screenshot(page, 'login');
    for (let presses = 0; presses < 20; presses += 1) {
      await page.keyboard.press('Tab');
      if ((await page.evaluate(() => document.activeElement?.getAttribute('name'))) === 'identifier') break;
    }
    await page.keyboard.type(alice.email);
    await page.keyboard.press('Tab');
    await page.keyboard.type(alice.password);
    await page.keyboard.press('Enter');
    await expectTitle(page, 'My account');
    expect(new URL(page.url()).pathname).toBe('/app/account');

    // The profile: saved, then a refused birthday shows its message and changes nothing.
    await page.getByLabel('Location', { exact: true }).fill('Lyon');
    await page.getByLabel('Bio', { exact: true }).fill('Hiker and baker');
    await page.getByLabel('Gender', { exact: true }).selectOption('female');
    await page.getByRole('button', { name: 'Save the profile' }).click();
    await eventually(() => page.locator('#profile-heading ~ [role=status]').textContent()).toBe('Profile saved.');
    const young = new Date(Date.now() - 5 * 365 * 86_400_000).toISOString().slice(0, 10);
    await page.getByLabel('Location', { exact: true }).fill('Paris');
    await page.getByLabel('Birthday', { exact: true }).fill(young);
    await page.getByRole('button', { name: 'Save the profile' }).click();
    expect(await fieldErrors(page, 'Birthday')).toEqual(['Birthday must make the user at least 13 years old']);
    expect(await page.evaluate(() => document.activeElement?.getAttribute('name'))).toBe('birthday');
    await page.reload();
    await eventually(() => page.getByLabel('Location', { exact: true }).inputValue()).toBe('Lyon');
    expect(await page.getByLabel('Birthday', { exact: true }).inputValue()).toBe('');
    expect(await page.getByLabel('Gender', { exact: true }).inputValue()).toBe('female');

    // The password form refuses a wrong current password under that field.
    await page.getByLabel('Current password', { exact: true }).fill('Not-My-Password-9');
    await page.getByLabel('New password', { exact: true }).fill('Granite-Meadow-58?');
    await page.getByRole('button', { name: 'Change the password' }).click();
    expect((await fieldErrors(page, 'Current password')).length).toBe(1);
    await screenshot(page, 'account');

    // A post: an empty one is refused under its fields, then published.
    await page.getByRole('link', { name: 'Posts', exact: true }).click();
    await expectTitle(page, 'Posts');
    await page.getByRole('button', { name: 'Publish' }).click();
    expect(await fieldErrors(page, 'Title')).toEqual(['Title must not be empty']);
    await page.getByLabel('Title', { exact: true }).fill('Bread at altitude');
    await page.getByLabel('Text', { exact: true }).fill('Dough rises faster up here.');
    await page.getByRole('button', { name: 'Publish' }).click();
    await expectTitle(page, 'Bread at altitude');

    // Edit it.
    await page.getByRole('button', { name: 'Edit the post' }).click();
    await page.getByLabel('Title', { exact: true }).fill('Bread at high altitude');
    await page.getByRole('button', { name: 'Save the post' }).click();
    await eventually(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Bread at high altitude');

    // A comment: empty is refused, then written; two written, one deleted.
    await page.getByRole('button', { name: 'Comment', exact: true }).click();
    expect(await fieldErrors(page, 'Your comment')).toEqual(['Your comment must not be empty']);
    for (const text of ['Less yeast helps.', 'Typo, please ignore.']) {
      await page.getByLabel('Your comment', { exact: true }).fill(text);
      await page.getByRole('button', { name: 'Comment', exact: true }).click();
      await eventually(() => page.locator('.comments .body').allTextContents()).toContain(text);
    }
    await page.getByRole('button', { name: 'Delete the comment' }).last().click();
    await eventually(() => page.locator('.comments .body').allTextContents()).toEqual(['Less yeast helps.']);
    await screenshot(page, 'post');

    // The feed lists it with its author's link; the comment's author link leads to the statistics.
    await page.getByRole('link', { name: 'Posts', exact: true }).click();
    await eventually(() => page.locator('.posts li').first().textContent()).toContain('Bread at high altitude');
    expect(await page.locator('.posts li').first().getByRole('link', { name: alice.username }).getAttribute('href')).toBe(
      `/app/u/${alice.username}`,
    );
    await screenshot(page, 'feed');
    await page.locator('.posts li').first().getByRole('link', { name: 'Bread at high altitude' }).click();
    await page.locator('.comments').getByRole('link', { name: alice.username }).click();
    await expectTitle(page, alice.username);
    expect(new URL(page.url()).pathname).toBe(`/app/u/${alice.username}`);
    await eventually(() => page.locator('[data-stat=posts]').textContent()).toBe('1');
    expect(await page.locator('[data-stat=comments]').textContent()).toBe('1');
    expect(await page.locator('.profile').textContent()).toContain('Lyon');
    await screenshot(page, 'user');

    // The directory links the name too.
    await page.getByRole('link', { name: 'Users', exact: true }).click();
    await expectTitle(page, 'Users');
    expect(await page.locator('.users').getByRole('link', { name: alice.username }).getAttribute('href')).toBe(`/app/u/${alice.username}`);

    await page.getByRole('button', { name: 'Log out' }).click();
    await expectTitle(page, 'Log in');
    await page.goto('/app/account');
    await eventually(() => page.locator('main').textContent()).toContain('You are not logged in');
  });

  it('sessions: another one is listed, its user agent as the text a client reported, and revoked', { timeout: FLOW_TIMEOUT }, async () => {
    // Anyone with the password chooses what the owner's page shows here.
    const agent = `<img src=x onerror="document.title='owned'"> Security notice: call +1 555 0100 ${'x'.repeat(200)}`;
    const other = await fetch(`${web.site}/api/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': agent },
      body: JSON.stringify({ username: alice.username, password: alice.password }),
    });
    const otherToken = ((await other.json()) as { token: string }).token;
    const page = await newPage();
    await logInToAccount(page, alice.username, alice.password);
    await expectTitle(page, 'My account');
    const revoke = page.getByRole('button', { name: 'Revoke' });
    await eventually(() => revoke.count()).toBeGreaterThanOrEqual(1);
    const reported = await page.locator('.sessions .client-reported').allTextContents();
    // Quoted by the page's CSS (no characters in the text), and cut short.
    expect(reported).toContain(`a client that reported itself as ${agent.slice(0, 59)}…`);
    expect(await page.locator('.sessions img').count()).toBe(0);
    expect(await page.title()).not.toBe('owned');
    const before = await page.locator('.sessions li').count();
    await revoke.first().click();
    await eventually(() => page.locator('.sessions li').count()).toBe(before - 1);
    // Every other session is gone after revoking all the buttons offer.
    while ((await revoke.count()) > 0) {
      const left = await page.locator('.sessions li').count();
      await revoke.first().click();
      await eventually(() => page.locator('.sessions li').count()).toBe(left - 1);
    }
    const me = await fetch(`${web.site}/api/me`, { headers: { authorization: `Bearer ${otherToken}` } });
    expect(me.status).toBe(401);
  });

  it("log in with a second factor: the code step, a wrong code refused under the field, then the app's code", {
    timeout: FLOW_TIMEOUT,
  }, async () => {
    // Enrolled through the functions in this process, against the database netlify dev serves.
    const { user, token } = await createUser();
    const { secret } = await enableMfa(token);
    const page = await newPage();
    await logInToAccount(page, user.username);
    await expectTitle(page, 'Enter your code');
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByLabel('Code', { exact: true }).fill('12');
    await page.getByRole('button', { name: 'Verify' }).click();
    expect(await fieldErrors(page, 'Code')).toEqual(['Code must be the 6-digit code from the authenticator app or a recovery code']);
    await page.getByLabel('Code', { exact: true }).fill('000000');
    await page.getByRole('button', { name: 'Verify' }).click();
    await eventually(() => page.getByRole('alert').textContent()).toContain('The code is not valid');
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByLabel('Code', { exact: true }).fill(codeAt(secret));
    await page.getByRole('button', { name: 'Verify' }).click();
    await expectTitle(page, 'My account');
    await eventually(() => page.getByText(user.email).count()).toBeGreaterThan(0);
  });

  it('account with a second factor: each session shows how it was signed in; a password change asks for the code, then goes through', {
    timeout: FLOW_TIMEOUT,
  }, async () => {
    const { user, token } = await createUser();
    const { secret } = await enableMfa(token);
    const page = await newPage();
    await logInToAccount(page, user.username);
    await expectTitle(page, 'Enter your code');
    await page.getByLabel('Code', { exact: true }).fill(codeAt(secret));
    await page.getByRole('button', { name: 'Verify' }).click();
    await expectTitle(page, 'My account');
    // This browser's session gave a code; the one enableMfa used gave the password alone.
    const current = page.locator('.sessions li', { hasText: '(this browser)' });
    await eventually(() => current.locator('.level').textContent()).toBe('password + code');
    expect(await page.locator('.sessions li', { hasNotText: '(this browser)' }).locator('.level').allTextContents()).toEqual(['password']);
    // The assurance level beside the methods: aal2 after the code, aal1 for the password alone.
    expect(await current.locator('.aal').textContent()).toBe('(two factors)');
    expect(await page.locator('.sessions li', { hasNotText: '(this browser)' }).locator('.aal').allTextContents()).toEqual([
      '(one factor)',
    ]);

    const form = page.getByRole('form', { name: 'Change the password' });
    await form.getByLabel('Current password', { exact: true }).fill(STRONG_PASSWORD);
    await form.getByLabel('New password', { exact: true }).fill('Granite-Meadow-58?');
    await form.getByRole('button', { name: 'Change the password' }).click();
    await eventually(() => form.getByRole('alert').textContent()).toContain('second factor');
    expect(await fieldErrors(page, 'Code')).toEqual(['Code is needed for this change']);
    expect(await seriousViolations(page)).toEqual([]);
    // The login took this step's code: the next one.
    await form.getByLabel('Code', { exact: true }).fill(codeAt(secret, Date.now(), 1));
    await form.getByRole('button', { name: 'Change the password' }).click();
    await eventually(() => page.getByText('Password changed.').count()).toBe(1);
    expect(await form.getByLabel('Code', { exact: true }).count()).toBe(0);
  });

  it('second factor from the account page: enrolled with the key read from the page, its recovery codes shown once; log out and in with a code; new recovery codes with a code; turned off', {
    timeout: FLOW_TIMEOUT,
  }, async () => {
    const { user } = await createUser();
    const page = await newPage();
    await logInToAccount(page, user.username);
    await expectTitle(page, 'My account');
    const section = page.getByRole('region', { name: 'Second factor' });
    await eventually(() => section.textContent()).toContain('Off: logging in needs the password only');

    const start = section.getByRole('form', { name: 'Turn the second factor on' });
    await start.getByLabel('Password to turn it on', { exact: true }).fill(STRONG_PASSWORD);
    await start.getByRole('button', { name: 'Turn the second factor on' }).click();
    const key = section.locator('code.secret');
    await eventually(() => key.count()).toBe(1);
    const secret = (await key.textContent())!;
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    // The QR code is SVG drawn in the page: no image to fetch, nothing the CSP would have to allow.
    const qr = section.getByRole('img', { name: 'QR code of the key below, for an authenticator app' });
    expect(await qr.evaluate((element) => [element.tagName, element.querySelectorAll('path').length])).toEqual(['svg', 1]);
    expect(await page.locator('img').count()).toBe(0);
    expect(await seriousViolations(page)).toEqual([]);

    const confirm = section.getByRole('form', { name: 'Confirm the second factor' });
    await confirm.getByLabel('Code from the app', { exact: true }).fill('000000');
    await confirm.getByRole('button', { name: 'Confirm and turn it on' }).click();
    expect(await fieldErrors(page, 'Code from the app')).toEqual(['Code from the app is not correct']);
    // The step before this one: this step's code stays free for the login below.
    await confirm.getByLabel('Code from the app', { exact: true }).fill(await previousStepCode(secret, 10_000));
    await confirm.getByRole('button', { name: 'Confirm and turn it on' }).click();
    await eventually(() => section.getByRole('status').textContent()).toContain('The second factor is on.');
    const shown = () => section.locator('.recovery-codes li').allTextContents();
    await eventually(shown).toHaveLength(10);
    const firstCodes = await shown();
    for (const code of firstCodes) expect(code).toMatch(/^[a-z2-7]{4}(-[a-z2-7]{4}){3}$/);
    expect(await section.textContent()).toContain('On: logging in asks for a code');
    expect(await seriousViolations(page)).toEqual([]);
    await section.getByRole('button', { name: 'I have kept them' }).click();
    expect(await section.locator('.recovery-codes').count()).toBe(0);

    await page.getByRole('button', { name: 'Log out' }).click();
    await expectTitle(page, 'Log in');
    await logInToAccount(page, user.username);
    await expectTitle(page, 'Enter your code');
    await page.getByLabel('Code', { exact: true }).fill(codeAt(secret));
    await page.getByRole('button', { name: 'Verify' }).click();
    await expectTitle(page, 'My account');
    await eventually(() => section.textContent()).toContain('On: logging in asks for a code');

    const renew = section.getByRole('form', { name: 'New recovery codes' });
    await renew.getByLabel('Password for new codes', { exact: true }).fill(STRONG_PASSWORD);
    await renew.getByRole('button', { name: 'Make new recovery codes' }).click();
    await eventually(() => renew.getByRole('alert').textContent()).toContain('second factor');
    expect(await seriousViolations(page)).toEqual([]);
    // The login took this step's code: the next one.
    await renew.getByLabel('Code', { exact: true }).fill(codeAt(secret, Date.now(), 1));
    await renew.getByRole('button', { name: 'Make new recovery codes' }).click();
    await eventually(shown).toHaveLength(10);
    const newCodes = await shown();
    expect(newCodes.filter((code) => firstCodes.includes(code))).toEqual([]);

    // No later step is valid yet: one of the new recovery codes turns it off.
    const off = section.getByRole('form', { name: 'Turn the second factor off' });
    await off.getByLabel('Password to turn it off', { exact: true }).fill(STRONG_PASSWORD);
    await off.getByRole('button', { name: 'Turn the second factor off' }).click();
    await eventually(() => off.getByLabel('Code', { exact: true }).count()).toBe(1);
    await off.getByLabel('Code', { exact: true }).fill(newCodes[0]!);
    await off.getByRole('button', { name: 'Turn the second factor off' }).click();
    await eventually(() => section.getByRole('status').textContent()).toContain('The second factor is off');
    expect(await section.getByRole('form', { name: 'Turn the second factor on' }).count()).toBe(1);
    expect(await getDb().selectFrom('totp_factors').select('user_id').where('user_id', '=', user.id).execute()).toEqual([]);
  });

  it('second factor on an unproven address: the page says so, sends a confirmation link, and enrols once it is opened', {
    timeout: FLOW_TIMEOUT,
  }, async () => {
    const { user } = await createUser({ proven: false });
    const page = await newPage();
    await logInToAccount(page, user.username);
    await expectTitle(page, 'My account');
    const section = page.getByRole('region', { name: 'Second factor' });
    const start = section.getByRole('form', { name: 'Turn the second factor on' });
    await start.getByLabel('Password to turn it on', { exact: true }).fill(STRONG_PASSWORD);
    await start.getByRole('button', { name: 'Turn the second factor on' }).click();
    await eventually(() => start.getByRole('alert').textContent()).toContain('Your e-mail address is not proven yet');
    expect(await seriousViolations(page)).toEqual([]);
    await start.getByRole('button', { name: `Send a confirmation link to ${user.email}` }).click();
    await eventually(() => start.getByRole('link', { name: 'Open the confirmation link' }).count()).toBe(1);
    const code = await secretShown(start, 'Open the confirmation link', 'confirm_email', user.email);
    await page.goto(`/app/confirm?code=${code}`);
    await page.getByRole('button', { name: 'Confirm my account' }).click();
    await eventually(() => page.getByRole('status').textContent()).toContain('is confirmed');

    await page.goto('/app/account');
    await start.getByLabel('Password to turn it on', { exact: true }).fill(STRONG_PASSWORD);
    await start.getByRole('button', { name: 'Turn the second factor on' }).click();
    await eventually(() => section.locator('code.secret').count()).toBe(1);
  });

  it('forgot, then reset through the e-mailed link; a used link is refused', { timeout: FLOW_TIMEOUT }, async () => {
    const page = await newPage();
    await page.goto('/app/forgot');
    await expectTitle(page, 'Forgot your password');
    await page.getByLabel('E-mail', { exact: true }).fill('not an address');
    await page.getByRole('button', { name: 'Send the link' }).click();
    expect((await fieldErrors(page, 'E-mail')).length).toBeGreaterThan(0);
    await page.getByLabel('E-mail', { exact: true }).fill(alice.email);
    await page.getByRole('button', { name: 'Send the link' }).click();
    await eventually(() => page.getByRole('status').textContent()).toContain('is on its way');

    const link = `${web.site}/app/reset?token=${await secretShown(page, 'Open the reset link', 'reset_password', alice.email)}`;
    await page.goto(link);
    await expectTitle(page, 'Choose a new password');
    await page.getByLabel('New password', { exact: true }).fill('abc');
    expect(await page.locator('.rules li').allTextContents()).toEqual([
      `Password ${PASSWORD_MESSAGES.tooShort}`,
      `Password ${PASSWORD_MESSAGES.classes}`,
    ]);
    await page.getByRole('button', { name: 'Set the password' }).click();
    expect(await fieldErrors(page, 'New password')).toEqual([
      `New password ${PASSWORD_MESSAGES.tooShort}`,
      `New password ${PASSWORD_MESSAGES.classes}`,
    ]);
    await page.getByLabel('New password', { exact: true }).fill('Copper-Lantern-26#');
    await screenshot(page, 'reset');
    await page.getByRole('button', { name: 'Set the password' }).click();
    await eventually(() => page.getByRole('status').textContent()).toContain('every session of the account is signed out');

    await page.goto(link);
    await page.getByLabel('New password', { exact: true }).fill('Another-Lantern-27#');
    await page.getByRole('button', { name: 'Set the password' }).click();
    await eventually(() => page.getByRole('alert').textContent()).toMatch(/./);
    expect(await page.getByRole('link', { name: 'Ask for a new reset link' }).count()).toBe(1);

    await logInToAccount(page, alice.username, 'Copper-Lantern-26#');
    await expectTitle(page, 'My account');
  });

  it('account: sign out everywhere else, change the e-mail through the e-mailed link, delete the account', {
    timeout: FLOW_TIMEOUT,
  }, async () => {
    const bob = { username: 'web_bob', email: 'web.bob@example.com', password: 'Granite-Meadow-58?' };
    const post = (path: string, body: object, token?: string) =>
      fetch(`${web.site}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token && { authorization: `Bearer ${token}` }) },
        body: JSON.stringify(body),
      });
    const registered = (await (await post('/api/register', bob)).json()) as { confirmation: { code: string } };
    expect((await post(`/api/register/confirm/${registered.confirmation.code}`, {})).status).toBe(200);
    const elsewhere = ((await (await post('/api/login', { username: bob.username, password: bob.password })).json()) as { token: string })
      .token;

    const page = await newPage();
    await logInToAccount(page, bob.username, bob.password);
    await expectTitle(page, 'My account');

    await page.getByRole('button', { name: 'Sign out everywhere else' }).click();
    await eventually(() => page.locator('section[aria-labelledby=sessions-heading] [role=status]').textContent()).toBe(
      '1 other session was signed out.',
    );
    expect((await fetch(`${web.site}/api/me`, { headers: { authorization: `Bearer ${elsewhere}` } })).status).toBe(401);
    await eventually(() => page.getByRole('button', { name: 'Sign out everywhere else' }).count()).toBe(0);

    const emailForm = page.getByRole('form', { name: 'Change the e-mail address' });
    await emailForm.getByLabel('New e-mail', { exact: true }).fill('web.bob@example.org');
    await emailForm.getByLabel('Your password', { exact: true }).fill('Wrong-Password-1');
    await emailForm.getByRole('button', { name: 'Send a confirmation link' }).click();
    expect(await fieldErrors(page, 'Your password')).toEqual(['Your password is not correct']);
    await emailForm.getByLabel('Your password', { exact: true }).fill(bob.password);
    await emailForm.getByRole('button', { name: 'Send a confirmation link' }).click();
    await eventually(() => page.locator('section[aria-labelledby=email-heading] [role=status]').textContent()).toContain(
      'on its way to web.bob@example.org',
    );
    const code = await secretShown(
      page.locator('section[aria-labelledby=email-heading]'),
      'Open the confirmation link',
      'change_email',
      'web.bob@example.org',
    );

    // The e-mailed link: opening it changes nothing, the button does; this browser stays signed in.
    await page.goto(`/app/email?code=${code}`);
    await expectTitle(page, 'Confirm your new e-mail address');
    await page.getByRole('button', { name: 'Use this address' }).click();
    await eventually(() => page.getByRole('status').textContent()).toContain('now uses web.bob@example.org');
    await page.getByRole('link', { name: 'My account' }).last().click();
    await eventually(() => page.locator('main').textContent()).toContain('(web.bob@example.org)');
    await page.goto(`/app/email?code=${code}`);
    await page.getByRole('button', { name: 'Use this address' }).click();
    await eventually(() => page.getByRole('alert').textContent()).toContain('unknown or has already been used');

    await page.goto('/app/account');
    const deletion = page.getByRole('form', { name: 'Delete the account' });
    await deletion.getByLabel('Password to delete', { exact: true }).fill(bob.password);
    await deletion.getByRole('button', { name: 'Delete my account' }).click();
    await expectTitle(page, 'Account deleted');
    await eventually(() => page.getByRole('link', { name: 'Log in' }).count()).toBe(1);
    expect((await post('/api/login', { email: 'web.bob@example.org', password: bob.password })).status).toBe(401);
  });

  const checkPages = async (page: Page, pages: [path: string, title: string][]) => {
    const found: string[] = [];
    for (const [path, title] of pages) {
      await page.goto(path);
      await expectTitle(page, title);
      await eventually(() => page.locator('[role=status]:text("Loading…")').count()).toBe(0);
      for (const v of await seriousViolations(page)) found.push(`${path}: ${v.impact} ${v.id} (${v.help}) at ${v.targets.join(', ')}`);
    }
    return found;
  };
  const firstPost = async () =>
    ((await (await fetch(`${web.site}/api/posts?pageSize=1`)).json()) as { items: { id: number }[] }).items[0]!.id;

  it('every page passes axe-core with no serious or critical violation, under its own title', { timeout: 180_000 }, async () => {
    const page = await newPage();
    const found = await checkPages(page, [
      ['/app/', 'Posts'],
      [`/app/posts/${await firstPost()}`, 'Bread at high altitude'],
      ['/app/users', 'Users'],
      [`/app/u/${alice.username}`, alice.username],
      ['/app/signup', 'Sign up'],
      ['/app/confirm?code=AAAA', 'Confirm your account'],
      ['/app/confirm', 'Confirm your account'],
      ['/app/login', 'Log in'],
      ['/app/forgot', 'Forgot your password'],
      ['/app/reset?token=AAAA', 'Choose a new password'],
      ['/app/account', 'My account'],
      ['/app/email?code=AAAA', 'Confirm your new e-mail address'],
      ['/app/email', 'Confirm your new e-mail address'],
      ['/app/no/such/page', 'Page not found'],
      ['/app/u/nobody_here', 'User not found'],
    ]);
    // A form showing its errors is a page too.
    await page.goto('/app/signup');
    await page.getByRole('button', { name: 'Create the account' }).click();
    await eventually(() => page.getByRole('alert').count()).toBe(1);
    found.push(...(await seriousViolations(page)).map((v) => `signup with errors: ${v.id}`));
    expect(found).toEqual([]);
  });

  it('the pages that change for a logged-in author pass axe-core too', { timeout: 180_000 }, async () => {
    const page = await newPage();
    await logInToAccount(page, alice.username, 'Copper-Lantern-26#');
    await expectTitle(page, 'My account');
    const found = await checkPages(page, [
      ['/app/', 'Posts'],
      [`/app/posts/${await firstPost()}`, 'Bread at high altitude'],
      ['/app/account', 'My account'],
    ]);
    expect(found).toEqual([]);
  });

  it('raised no script error and no CSP violation on any page', () => {
    expect(web.problems).toEqual([]);
  });
});
