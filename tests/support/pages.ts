// What the browser suites of the web pages (tests/browser/) share: a page
// whose script errors and CSP reports are kept, the wait for an API round
// trip, the title, a field's messages read as a screen reader finds them, and
// the password login that lands on the account page.
import { expect } from 'vitest';
import type { Browser, Locator, Page } from 'playwright-core';
import { recordProblems } from './browser.ts';
import { STRONG_PASSWORD } from './users.ts';

/** Pages answer after an API round trip; netlify dev bundles each function on its first call. */
export const eventually = <T>(read: () => T | Promise<T>) => expect.poll(read, { timeout: 20_000, interval: 100 });

/**
 * A page in a fresh context (its own cookies) on `baseURL`. Console errors and
 * uncaught exceptions, CSP reports among them, go to `problems`, which a suite
 * expects empty at its end.
 */
export async function newPage(browser: Browser, baseURL: string, problems: string[]): Promise<Page> {
  const context = await browser.newContext({ baseURL, viewport: { width: 1000, height: 760 } });
  const page = await context.newPage();
  recordProblems(page, problems);
  return page;
}

export async function expectTitle(page: Page, title: string) {
  await eventually(() => page.title()).toBe(`${title} · Accounts`);
}

/** The messages shown under a field of `scope` (the page, or one form of it), found through its aria-describedby as a screen reader would. */
export async function fieldErrors(page: Page, label: string, scope: Page | Locator = page): Promise<string[]> {
  const input = scope.getByLabel(label, { exact: true });
  await eventually(() => input.getAttribute('aria-invalid')).toBe('true');
  const ids = (await input.getAttribute('aria-describedby'))!.split(' ');
  const texts = await Promise.all(ids.map((id) => page.locator(`[id="${id}"].errors li`).allTextContents()));
  return texts.flat();
}

/** Logs in with the password on the login page, which then opens the account page (or the code step, on an account with a factor). */
export async function logInToAccount(page: Page, username: string, password = STRONG_PASSWORD) {
  await page.goto('/app/login?next=/app/account');
  await page.getByLabel('Username or e-mail', { exact: true }).fill(username);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
}
