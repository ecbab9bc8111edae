// The admin pages (src/web/admin) in a real headless Chromium against
// `netlify dev` and this file's database: an admin at aal2 finds a user, bans
// them after confirming, and the user's open page is signed out at its next
// request; the admin removes a user's second factor and passkeys with a code
// of their own; service keys; the chunk rule (the admin pages are a file of their
// own, which a user's or an aal1 admin's page never fetches); axe-core on
// every admin page. SCREENSHOTS=1 saves the search, a user's page asking to
// confirm a ban, and the keys with a new secret (tests/browser/screenshots/).
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { WEB_OUT, type BuiltFile } from '../../src/cli/web-bundle.ts';
import { getDb } from '../../src/db/connection.ts';
import { createAdmin } from '../support/admin.ts';
import { screenshot, seriousViolations } from '../support/browser.ts';
import { codeAt, enableMfa, type Enrolled } from '../support/mfa.ts';
import { FLOW_TIMEOUT } from '../support/netlify-dev.ts';
import { eventually, expectTitle, logInToAccount, pagesSuite } from '../support/pages.ts';
import { createUser, STRONG_PASSWORD, type TestUser, uniqueName } from '../support/users.ts';

const web = pagesSuite();

/** A page in a fresh context (its own cookies), optionally holding `token` as the session cookie; `requests` collects every URL it asks for. */
async function newPage(options: { token?: string } = {}): Promise<{ page: Page; requests: string[] }> {
  const page = await web.newPage();
  if (options.token !== undefined) await page.context().addCookies([{ name: 'session_id', value: options.token, url: web.site }]);
  const requests: string[] = [];
  page.on('request', (request) => requests.push(new URL(request.url()).pathname));
  return { page, requests };
}

async function axe(page: Page, name: string, found: string[]) {
  found.push(...(await seriousViolations(page)).map((v) => `${name}: ${v.id} (${v.help}) ${v.targets.join(', ')}`));
}

/** Logs in through the login page, with the factor's code when `secret` is given. */
async function logIn(page: Page, username: string, secret?: string) {
  await logInToAccount(page, username);
  if (secret !== undefined) {
    await expectTitle(page, 'Enter your code');
    await page.getByLabel('Code', { exact: true }).fill(codeAt(secret));
    await page.getByRole('button', { name: 'Verify' }).click();
  }
  await expectTitle(page, 'My account');
}

/** An admin with a second factor, logged in with it (aal2) in a browser of its own; the factor for the step-ups. */
async function adminPage(): Promise<{ page: Page; requests: string[]; admin: TestUser } & Enrolled> {
  const admin = await createUser({ username: uniqueName('web_admin') });
  await getDb().updateTable('users').set({ role: 'admin' }).where('id', '=', admin.user.id).execute();
  const factor = await enableMfa(admin.token);
  const opened = await newPage();
  await logIn(opened.page, admin.user.username, factor.secret);
  return { ...opened, ...factor, admin };
}

const isAdminChunk = (path: string) => path === '/app/admin-pages.js';
/** Strings only the admin pages hold: their headings, buttons and the key routes (the door in app.js asks /api/admin/users only). */
const ADMIN_ONLY = ['Service keys', 'Ban the user', '/api/admin/service-keys'];

describe('the admin pages', () => {
  it('are a chunk of their own: nothing of them is in what every page loads', async () => {
    const everyone = web.built.filter((file) => file.loadedBy === 'everyone' && file.name.endsWith('.js'));
    const admins = web.built.filter((file) => file.loadedBy === 'admins');
    expect(admins.map((file) => file.name)).toEqual(['admin-pages.js']);
    const main = (await Promise.all(everyone.map((file) => readFile(`${WEB_OUT}${file.name}`, 'utf8')))).join('\n');
    const chunk = await readFile(`${WEB_OUT}admin-pages.js`, 'utf8');
    for (const text of ADMIN_ONLY) {
      expect(main).not.toContain(text);
      expect(chunk).toContain(text);
    }
    // app.js loads it by a dynamic import() only, a same-origin file under `default-src 'self'`.
    expect(await readFile(`${WEB_OUT}app.js`, 'utf8')).toContain('import("./admin-pages.js")');
    const gzipped = (files: BuiltFile[]) => files.reduce((sum, file) => sum + file.gzipBytes, 0);
    console.log(`[web] JavaScript every page loads: ${gzipped(everyone)} B gzipped; the admin chunk: ${gzipped(admins)} B more`);
  });

  it('tell a user "not allowed", an aal1 admin the missing second factor, a visitor to log in, none fetching the admin chunk', {
    timeout: FLOW_TIMEOUT,
  }, async () => {
    const found: string[] = [];
    const user = await createUser();
    const { page, requests } = await newPage({ token: user.token });
    for (const path of ['/app/admin/', '/app/admin/keys', '/app/admin/users/1']) {
      await page.goto(path);
      await expectTitle(page, 'Not allowed');
      await eventually(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Not allowed');
    }
    await axe(page, 'not allowed', found);

    const aal1 = await createAdmin({ aal: 'aal1' });
    const halfway = await newPage({ token: aal1.token });
    await halfway.page.goto('/app/admin/');
    await expectTitle(halfway.page, 'Second factor needed');
    expect(await halfway.page.locator('main').textContent()).toContain(
      'log in again with your password and a code from your authenticator app',
    );
    await axe(halfway.page, 'second factor needed', found);

    const visitor = await newPage();
    await visitor.page.goto('/app/admin/keys');
    await eventually(() => visitor.page.locator('main').textContent()).toContain('You are not logged in');
    expect(await visitor.page.getByRole('link', { name: 'Log in' }).last().getAttribute('href')).toBe(
      '/app/login?next=%2Fapp%2Fadmin%2Fkeys',
    );

    // Each asked the admin API, whose 403 or 401 kept the chunk away.
    expect(requests).toContain('/api/admin/users');
    for (const seen of [requests, halfway.requests, visitor.requests]) expect(seen.filter(isAdminChunk)).toEqual([]);
    expect(found).toEqual([]);
  });

  it("an admin at aal2 finds a user, bans them after confirming, and the user's open page is signed out at its next request", {
    timeout: 180_000,
  }, async () => {
    const found: string[] = [];
    const victim = await createUser({ username: uniqueName('web_banned') });
    const held = await newPage();
    await logIn(held.page, victim.user.username);

    const { page, requests } = await adminPage();
    await page.goto('/app/admin/');
    await expectTitle(page, 'Users · Administration');
    expect(requests.filter(isAdminChunk)).toHaveLength(1);
    await axe(page, 'search', found);

    // The search: a prefix of the username, the filter kept in the address.
    await page.getByLabel('E-mail or username starts with', { exact: true }).fill(victim.user.username.slice(0, -2));
    await page.getByRole('button', { name: 'Search' }).click();
    await eventually(() => new URL(page.url()).searchParams.get('q')).toBe(victim.user.username.slice(0, -2));
    const result = page.getByRole('link', { name: victim.user.username, exact: true });
    await eventually(() => result.count()).toBe(1);
    await screenshot(page, 'admin-search');
    await result.click();
    await expectTitle(page, `${victim.user.username} · Administration`);
    await eventually(() => page.locator('[data-field="ban"]').textContent()).toBe('None');
    await axe(page, 'user', found);

    // Asked first, nothing happens until "Yes"; Cancel leaves everything as it was.
    await page.getByRole('button', { name: 'Delete the user…' }).click();
    await eventually(() => page.evaluate(() => document.activeElement?.textContent)).toContain(`Delete ${victim.user.username} with`);
    await page.getByRole('button', { name: 'Cancel' }).click();
    await eventually(() => page.evaluate(() => document.activeElement?.textContent)).toBe('Delete the user…');

    const ban = page.getByRole('form', { name: 'Ban the user' });
    await ban.getByLabel('Reason', { exact: true }).fill('Selling fake watches in comments');
    await ban.getByRole('button', { name: 'Ban the user…' }).click();
    const question = ban.getByRole('group', { name: `Ban ${victim.user.username} until lifted?` });
    await eventually(() => question.count()).toBe(1);
    await axe(page, 'user, asking to confirm a ban', found);
    await screenshot(page, 'admin-user');
    expect(await getDb().selectFrom('sessions').where('user_id', '=', victim.user.id).select('id').execute()).not.toHaveLength(0);
    await question.getByRole('button', { name: `Yes, ban ${victim.user.username}` }).click();
    await eventually(() => page.getByRole('status').first().textContent()).toMatch(
      new RegExp(`^${victim.user.username} is banned\\. 2 sessions were ended\\.$`),
    );
    await eventually(() => page.locator('[data-field="ban"]').textContent()).toContain('Selling fake watches in comments');
    expect(await getDb().selectFrom('sessions').where('user_id', '=', victim.user.id).select('id').execute()).toEqual([]);

    // The user's page still shows them signed in, until its next request: saving the profile.
    expect(await held.page.getByRole('link', { name: `My account (${victim.user.username})` }).count()).toBe(1);
    await held.page.getByLabel('Location', { exact: true }).fill('Nowhere');
    await held.page.getByRole('button', { name: 'Save the profile' }).click();
    await eventually(() => held.page.locator('main').textContent()).toContain('You are not logged in');
    await eventually(() => held.page.getByRole('link', { name: 'Log in', exact: true }).count()).toBeGreaterThan(0);
    expect(await held.page.getByRole('link', { name: `My account (${victim.user.username})` }).count()).toBe(0);
    // And the login says why.
    await held.page.goto('/app/login');
    await held.page.getByLabel('Username or e-mail', { exact: true }).fill(victim.user.username);
    await held.page.getByLabel('Password', { exact: true }).fill(STRONG_PASSWORD);
    await held.page.getByRole('button', { name: 'Log in' }).click();
    await eventually(() => held.page.getByRole('alert').textContent()).toContain('This account is suspended');

    // Lifted, also asked first.
    await page.getByRole('button', { name: 'Lift the ban…' }).click();
    await page.getByRole('button', { name: `Yes, lift the ban on ${victim.user.username}` }).click();
    await eventually(() => page.locator('[data-field="ban"]').textContent()).toBe('None');
    expect(found).toEqual([]);
  });

  it("removes a user's second factor and passkeys, the question asking for the admin's own code; the user's sessions end", {
    timeout: 180_000,
  }, async () => {
    const found: string[] = [];
    const db = getDb();
    const victim = await createUser({ username: uniqueName('web_lost') });
    await enableMfa(victim.token);
    const passkey = (name: string) => ({
      user_id: victim.user.id,
      credential_id: randomBytes(16),
      public_key: Buffer.from('not checked here'),
      aaguid: '00000000-0000-0000-0000-000000000000',
      backup_eligible: true,
      name,
    });
    await db
      .insertInto('passkeys')
      .values([passkey('Work laptop'), passkey('Old phone')])
      .execute();
    const factorOf = () => db.selectFrom('totp_factors').where('user_id', '=', victim.user.id).select('user_id').execute();
    const sessionsOf = () => db.selectFrom('sessions').where('user_id', '=', victim.user.id).select('id').execute();
    expect(await factorOf()).toHaveLength(1);
    const live = (await sessionsOf()).length;
    expect(live).toBeGreaterThan(0);

    const { page, secret, recoveryCodes, admin } = await adminPage();
    await page.goto(`/app/admin/users/${victim.user.id}`);
    await expectTitle(page, `${victim.user.username} · Administration`);
    const listed = page.getByRole('table', { name: `Passkeys of ${victim.user.username}, oldest first` });
    await eventually(() => listed.locator('tbody tr').allTextContents()).toEqual([
      expect.stringMatching(/^Work laptop \(synced\).*Never/),
      expect.stringMatching(/^Old phone \(synced\).*Never/),
    ]);

    const removal = page.getByRole('form', { name: 'Remove second factor' });
    await removal.getByRole('button', { name: 'Remove second factor…' }).click();
    const question = removal.getByRole('group', { name: new RegExp(`^Remove the second factor of ${victim.user.username}\\?`) });
    await eventually(() => question.count()).toBe(1);
    expect(await question.textContent()).toContain('Every session of');
    expect(await question.textContent()).toContain('they are e-mailed that it happened');
    const code = question.getByLabel('Your authenticator code', { exact: true });
    await axe(page, 'user, asking for the code to remove the second factor', found);

    // No code: the API's step_up_required, under the field; the question stays.
    const yes = question.getByRole('button', { name: `Yes, remove the second factor of ${victim.user.username}` });
    await yes.click();
    await eventually(() => code.getAttribute('aria-invalid')).toBe('true');
    expect(await removal.locator('.errors').textContent()).toBe('Your authenticator code is needed for this change');
    // A wrong code (none of the steps near now), refused under the field; nothing removed.
    const near = [-2, -1, 0, 1, 2].map((offset) => codeAt(secret, Date.now(), offset));
    await code.fill(['000000', '111111', '222222'].find((candidate) => !near.includes(candidate))!);
    await yes.click();
    await eventually(() => removal.locator('.errors').textContent()).toBe('Your authenticator code is not correct');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('name'))).toBe('code');
    await axe(page, 'user, a wrong code under the field', found);
    expect(await factorOf()).toHaveLength(1);
    // The admin's own code counter at its limit: the 429's wait, under the field.
    const counter = { bucket: `mfa:${admin.user.id}`, window_start: new Date(), hits: 10 };
    await db
      .insertInto('rate_limits')
      .values(counter)
      .onConflict((conflict) => conflict.column('bucket').doUpdateSet(counter))
      .execute();
    await yes.click();
    await eventually(() => removal.locator('.errors').textContent()).toMatch(/^Your authenticator code can be tried again in \d+ seconds$/);
    await db.deleteFrom('rate_limits').where('bucket', '=', counter.bucket).execute();

    // The login took this step's code: the next one.
    await code.fill(codeAt(secret, Date.now(), 1));
    await yes.click();
    await eventually(() => page.getByRole('status').first().textContent()).toBe(
      `The second factor of ${victim.user.username} is removed. ${live} session${live === 1 ? ' was' : 's were'} ended.`,
    );
    expect(await factorOf()).toEqual([]);
    expect(await sessionsOf()).toEqual([]);
    // The detail is loaded again: no factor, so no button for it.
    await eventually(() => removal.count()).toBe(0);

    // One passkey, with a recovery code of the admin's (no later step is valid yet).
    const row = listed.locator('tbody tr', { hasText: 'Old phone' });
    await row.getByRole('button', { name: 'Remove the passkey Old phone…' }).click();
    await row.getByLabel('Your authenticator code', { exact: true }).fill(recoveryCodes[0]!);
    await row.getByRole('button', { name: 'Yes, remove the passkey Old phone' }).click();
    await eventually(() => listed.locator('tbody tr').count()).toBe(1);
    expect(await db.selectFrom('passkeys').where('user_id', '=', victim.user.id).select('name').execute()).toEqual([
      { name: 'Work laptop' },
    ]);

    // Every passkey left.
    const all = page.getByRole('form', { name: 'Remove passkeys' });
    await all.getByRole('button', { name: 'Remove passkeys…' }).click();
    await all.getByLabel('Your authenticator code', { exact: true }).fill(recoveryCodes[1]!);
    await all.getByRole('button', { name: `Yes, remove every passkey of ${victim.user.username}` }).click();
    await eventually(() => page.getByRole('status').first().textContent()).toBe('1 passkey is removed. 0 sessions were ended.');
    await eventually(() => page.locator('main').textContent()).not.toContain('Lost phone or security key');
    expect(await db.selectFrom('passkeys').where('user_id', '=', victim.user.id).select('id').execute()).toEqual([]);
    expect(found).toEqual([]);
  });

  it('pages the search by cursor, the filters kept in each page address', { timeout: FLOW_TIMEOUT }, async () => {
    const prefix = uniqueName('pg');
    const { user } = await createUser({ username: `${prefix}0` });
    const hash = (await getDb().selectFrom('users').where('id', '=', user.id).select('password_hash').executeTakeFirstOrThrow())
      .password_hash;
    for (let n = 1; n <= 20; n += 1) await createUser({ username: `${prefix}${n}`, passwordHash: hash });
    const { page } = await adminPage();
    await page.goto(`/app/admin/?q=${prefix}`);
    await eventually(() => page.locator('.admin-table tbody tr').count()).toBe(20);
    await page.getByRole('link', { name: 'Next page' }).click();
    await eventually(() => page.locator('.admin-table tbody tr').count()).toBe(1);
    const address = new URL(page.url());
    expect(address.searchParams.get('q')).toBe(prefix);
    expect(address.searchParams.get('cursor')).toMatch(/./);
    expect(await page.getByLabel('E-mail or username starts with', { exact: true }).inputValue()).toBe(prefix);
    await page.getByRole('link', { name: 'First page' }).click();
    await eventually(() => page.locator('.admin-table tbody tr').count()).toBe(20);
  });

  it('service keys: made with a name and scopes, the secret shown once, listed by prefix and last use, revoked after confirming', {
    timeout: FLOW_TIMEOUT,
  }, async () => {
    const found: string[] = [];
    const { page } = await adminPage();
    await page.goto('/app/admin/');
    await page.getByRole('link', { name: 'Service keys' }).click();
    await expectTitle(page, 'Service keys · Administration');
    await axe(page, 'keys', found);

    // Refused under the field: no name.
    await page.getByRole('button', { name: 'Make the key' }).click();
    await eventually(() => page.getByLabel('Name', { exact: true }).getAttribute('aria-invalid')).toBe('true');

    const name = uniqueName('billing');
    await page.getByLabel('Name', { exact: true }).fill(name);
    await page.getByLabel('users:write', { exact: false }).check();
    await page.getByRole('button', { name: 'Make the key' }).click();
    const secret = page.getByLabel(`Secret of ${name}`, { exact: true });
    await eventually(() => secret.inputValue()).toMatch(/^sk_/);
    const key = await secret.inputValue();
    await eventually(() => page.locator('.keys li', { hasText: name }).textContent()).toContain('never used');
    await axe(page, 'keys, a new secret shown', found);
    await screenshot(page, 'admin-keys');

    // The key works as another backend uses it, and its use shows in the list.
    const used = await fetch(`${web.site}/api/admin/users?pageSize=1`, { headers: { authorization: `Bearer ${key}` } });
    expect(used.status).toBe(200);
    await page.getByRole('button', { name: 'I have copied it: hide it' }).click();
    expect(await page.getByLabel(`Secret of ${name}`, { exact: true }).count()).toBe(0);
    await page.reload();
    const row = page.locator('.keys li', { hasText: name });
    await eventually(() => row.textContent()).toContain('last used');
    expect(await row.textContent()).toContain(`${key.slice(0, 12)}…`);
    expect(await row.textContent()).toContain('users:read, users:write');

    await row.getByRole('button', { name: `Revoke ${name}…` }).click();
    await row.getByRole('button', { name: `Yes, revoke ${name}` }).click();
    await eventually(() => page.locator('.keys li', { hasText: name }).textContent()).toContain('revoked');
    expect((await fetch(`${web.site}/api/admin/users?pageSize=1`, { headers: { authorization: `Bearer ${key}` } })).status).toBe(401);
    expect(found).toEqual([]);
  });

  it('raised no script error and no CSP violation on any page', () => {
    expect(web.problems).toEqual([]);
  });
});
