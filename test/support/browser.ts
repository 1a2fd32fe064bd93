/**
 * Real Chromium for the web pages' tests (issue 17): Debian's package driven by playwright-core, as the
 * card previews are (scripts/teams/render-cards.ts). `signInBrowser` signs in exactly as a person does in
 * development (a one-time link); `expectNoAxeViolations` runs axe-core (from node_modules) on the page
 * against WCAG 2.2 AA; `watchPage` collects what a person would never see but must not happen (console
 * errors, Content-Security-Policy refusals, failed requests); `screenshot` writes docs/pages/<name>.png
 * when SCREENSHOTS=1.
 *
 * Browser tests are skipped, saying so, only when Chromium is missing and CI is not set: under CI they run
 * (.ci/run installs chromium).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import axe from 'axe-core';
import type { Browser, Page } from 'playwright-core';
import { expect } from 'vitest';
import { chromiumPath, launch } from '../../scripts/teams/render-cards.ts';
import { issueSignInLink } from '../../web/sign-in-link.ts';
import type { WebHub } from './web.ts';

export const ci = ['true', '1'].includes(String(process.env.CI ?? '').toLowerCase());
export const haveChromium = !!chromiumPath();
/** Run the browser tests? (Chromium found, or CI, where a missing Chromium fails the launch.) */
export const runBrowserTests = haveChromium || ci;
if (!runBrowserTests)
  console.warn(
    'SKIPPED: the web pages browser tests need Chromium (apt-get install -y chromium, or CHROMIUM_PATH)',
  );

export async function launchBrowser(): Promise<Browser> {
  return launch();
}

/** A new page in its own context (its own cookies), 1280x900, British English. */
export async function newPage(browser: Browser): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-GB' });
  return context.newPage();
}

/** Sign in as this member of staff through a one-time link; the page ends on `next` (default /app). */
export async function signInBrowser(page: Page, w: WebHub, email: string, next?: string): Promise<void> {
  const link = await issueSignInLink(w.hub, email, next ? { next } : {});
  await page.goto(`${w.base}${link.path}`);
  await page.waitForURL((u) => u.pathname === (next ?? '/app').split('?')[0]);
}

export interface PageWatch {
  problems: string[];
}

/** Collect console errors, CSP violations and failed or 4xx/5xx sub-resource requests from now on. */
export function watchPage(page: Page): PageWatch {
  const w: PageWatch = { problems: [] };
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') w.problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => w.problems.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) =>
    w.problems.push(`request failed: ${r.url()} ${r.failure()?.errorText ?? ''}`),
  );
  page.on('response', (r) => {
    if (r.status() >= 400 && r.request().resourceType() !== 'document')
      w.problems.push(`${r.status()} ${r.url()}`);
  });
  return w;
}

export const WCAG_22_AA = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/**
 * axe-core's WCAG 2.2 AA rules on the page as it is now: no violation. Injected with `page.evaluate`
 * (DevTools protocol), which the page's CSP does not govern, so the CSP under test stays as served.
 */
export async function expectNoAxeViolations(page: Page): Promise<void> {
  await page.evaluate(axe.source);
  const violations = (await page.evaluate(
    (tags) =>
      (
        globalThis as unknown as {
          axe: { run(ctx: unknown, o: unknown): Promise<{ violations: unknown[] }> };
        }
      ).axe
        .run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] })
        .then((r) => r.violations),
    WCAG_22_AA,
  )) as AxeViolation[];
  const summary = violations.map(
    (v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
  );
  expect(summary, `axe-core WCAG 2.2 AA on ${page.url()}`).toEqual([]);
}

/** docs/pages/<name>.png (full page) when SCREENSHOTS=1; otherwise nothing. */
export async function screenshot(page: Page, name: string): Promise<void> {
  if (process.env.SCREENSHOTS !== '1') return;
  const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../docs/pages');
  fs.mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: path.join(dir, `${name}.png`), fullPage: true });
}
