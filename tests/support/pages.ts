// What the browser suites of the web pages (tests/browser/) share: their
// set-up (the bundles, `netlify dev` and Chromium, pages whose script errors
// and CSP reports are kept), the wait for an API round trip, the title, a
// field's messages read as a screen reader finds them, and the password login
// that lands on the account page.
import { afterAll, beforeAll, expect } from 'vitest';
import type { Browser, Locator, Page } from 'playwright-core';
import { buildWeb, type BuiltFile } from '../../src/cli/web-bundle.ts';
import { freePort } from '../../src/db/embedded.ts';
import { launchChromium, recordProblems } from './browser.ts';
import { START_TIMEOUT, startNetlifyDev, type DevServer } from './netlify-dev.ts';
import { STRONG_PASSWORD } from './users.ts';

/** Pages answer after an API round trip; netlify dev bundles each function on its first call. */
export const eventually = <T>(read: () => T | Promise<T>) => expect.poll(read, { timeout: 20_000, interval: 100 });

/** What a suite starts before the server (an identity provider): settings for the server, and its own stop. */
export interface StartedFirst {
  env: Record<string, string>;
  close: () => Promise<void>;
}

export interface PagesSuiteOptions {
  /**
   * The pages opened on http://localhost, at a port chosen before anything
   * starts: WebAuthn refuses an IP address as the relying party, and a
   * provider registers its redirect URI before the server is up. Otherwise
   * netlify dev's own address (127.0.0.1).
   */
  localhost?: boolean;
  /** Started first, given the pages' address (so with `localhost`); closed last. */
  before?: (site: string) => Promise<StartedFirst>;
}

export interface PagesSuite {
  /** The origin the pages are opened on. */
  site: string;
  /** The web bundles, as built for this file. */
  built: BuiltFile[];
  /** Console errors and uncaught exceptions of every page, CSP reports among them; a suite expects it empty at its end. */
  problems: string[];
  /** A page in a fresh context (its own cookies) on `site`, its problems recorded. */
  newPage: () => Promise<Page>;
}

/**
 * Registers a browser file's hooks: beforeAll builds the web bundles, then
 * starts `netlify dev` on this file's database and Chromium side by side;
 * afterAll closes them. The fields are read in tests, once beforeAll has run.
 */
export function pagesSuite(options: PagesSuiteOptions = {}): PagesSuite {
  let browser: Browser;
  let server: DevServer;
  let first: StartedFirst | undefined;
  const suite: PagesSuite = {
    site: '',
    built: [],
    problems: [],
    newPage: async () => {
      const context = await browser.newContext({ baseURL: suite.site, viewport: { width: 1000, height: 760 } });
      const page = await context.newPage();
      recordProblems(page, suite.problems);
      return page;
    },
  };
  beforeAll(async () => {
    const port = options.localhost ? await freePort() : undefined;
    if (port !== undefined) suite.site = `http://localhost:${port}`;
    first = await options.before?.(suite.site);
    suite.built = await buildWeb();
    [server, browser] = await Promise.all([
      startNetlifyDev({ DATABASE_URL: process.env.DATABASE_URL!, ...first?.env }, port),
      launchChromium(),
    ]);
    if (port === undefined) suite.site = server.url;
  }, START_TIMEOUT);
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await first?.close();
  });
  return suite;
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
