// A real headless Chromium (Debian's `chromium` package) driven by
// playwright-core, which downloads no browser of its own, plus the axe-core
// accessibility check run inside a page.
import { execFileSync } from 'node:child_process';
import { mkdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';

function chromiumPath(): string {
  try {
    return execFileSync('which', ['chromium'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error('chromium is not on the PATH: apt-get install -y chromium (README, "Tests")');
  }
}

/** Playwright already gives every launch a fresh temporary profile (--user-data-dir) and --headless. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/**
 * Console errors and uncaught exceptions of `page`, CSP reports among them,
 * pushed to `problems`. A 4xx answer the page asked for and shows is logged
 * by Chromium as a failed resource; that is expected and left out.
 */
export function recordProblems(page: Page, problems: string[]): void {
  page.on('console', (message) => {
    if (message.type() === 'error' && !/Failed to load resource: the server responded with a status of 4\d\d/.test(message.text())) {
      problems.push(`${page.url()}: ${message.text()}`);
    }
  });
  page.on('pageerror', (error) => problems.push(`${page.url()}: ${error.message}`));
}

const shots = process.env.SCREENSHOTS === '1' ? fileURLToPath(new URL('../browser/screenshots/', import.meta.url)) : undefined;

/** With SCREENSHOTS=1, the whole page saved as tests/browser/screenshots/<name>.png (committed, shown in src/web/README.md). */
export async function screenshot(page: Page, name: string): Promise<void> {
  if (shots === undefined) return;
  await mkdir(shots, { recursive: true });
  await page.screenshot({ path: `${shots}${name}.png`, fullPage: true });
}

const axeSource = readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface Violation {
  id: string;
  impact: string;
  help: string;
  targets: string[];
}

/**
 * axe-core's serious and critical violations on the page as it is now. The
 * script is evaluated over the DevTools protocol, which the page's
 * Content-Security-Policy does not govern, so the page is checked under the
 * policy it is served with.
 */
export async function seriousViolations(page: Page): Promise<Violation[]> {
  await page.evaluate(await axeSource);
  return page.evaluate(async () => {
    const axe = (
      window as unknown as {
        axe: {
          run: (
            context: Document,
          ) => Promise<{ violations: { id: string; impact: string | null; help: string; nodes: { target: unknown[] }[] }[] }>;
        };
      }
    ).axe;
    const { violations } = await axe.run(document);
    return violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => ({ id: v.id, impact: v.impact!, help: v.help, targets: v.nodes.map((n) => String(n.target)) }));
  });
}
