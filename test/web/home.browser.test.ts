/**
 * The web pages in real Chromium (issue 17), on each database: a person signs in with a one-time link and
 * lands on their home page, which lists what their role may open; the page loads with no console error,
 * no Content-Security-Policy refusal and no failed request (so no font file is ever asked for); the skip
 * link is the first thing the keyboard reaches and moves focus to the main content; axe-core finds no
 * WCAG 2.2 AA violation on the home page or the sign-in page; signing out with the header's button ends the
 * session; a teacher's home page lists none of the leads' or admins' pages. Writes docs/pages/home.png when SCREENSHOTS=1.
 */
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  expectNoAxeViolations,
  launchBrowser,
  newPage,
  runBrowserTests,
  screenshot,
  signInBrowser,
  watchPage,
} from '../support/browser.ts';
import { providers } from '../support/db.ts';
import { seedWebSchool, startWebHub, type WebHub } from '../support/web.ts';

describe.runIf(runBrowserTests).each(providers)('web home page in Chromium on %s', (provider) => {
  let browser: Browser;
  let w: WebHub;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });
  beforeEach(async () => {
    w = await startWebHub(provider);
    await seedWebSchool(w.hub);
  });
  afterEach(async () => {
    await w.close();
  });

  it('signs in by link, shows the home page, keyboard skip link, axe clean, sign-out', async () => {
    const page = await newPage(browser);
    const watch = watchPage(page);
    await signInBrowser(page, w, 'head@quarrydene.example');
    await expect.poll(() => page.title()).toBe('Home - SEND Hub');
    await page.waitForLoadState('networkidle');
    expect(await page.locator('h1').innerText()).toBe('Hello, Hal Head');
    expect(await page.locator('.govuk-generic-header').innerText()).toContain('Quarrydene Academy');
    expect(await page.locator('.app-user__name').innerText()).toContain('Hal Head');
    // govuk-frontend's script ran under the CSP (js-enabled set by our file, components started).
    expect(await page.evaluate(() => document.body.classList.contains('govuk-frontend-supported'))).toBe(
      true,
    );
    // System fonts only: the GOV.UK typeface is neither named nor fetched.
    const font = await page.locator('h1').evaluate((e) => getComputedStyle(e).fontFamily);
    expect(font).not.toContain('GDS Transport');
    expect(font).toContain('system-ui');

    // Keyboard: the first Tab reaches the skip link; Enter moves focus to the main content.
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => document.activeElement?.textContent?.trim());
    expect(focused).toBe('Skip to main content');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('main-content');

    await expectNoAxeViolations(page);
    await screenshot(page, 'home');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL((u) => u.pathname === '/sign-in');
    expect(await page.locator('body').innerText()).toContain('You have signed out');
    await expectNoAxeViolations(page);
    await page.goto(`${w.base}/app`);
    expect(new URL(page.url()).pathname).toBe('/sign-in');
    expect(watch.problems).toEqual([]);
    await page.context().close();
  });

  it("a teacher's home page lists only what a teacher may open; axe clean", async () => {
    const page = await newPage(browser);
    const watch = watchPage(page);
    await signInBrowser(page, w, 'teacher@quarrydene.example');
    await page.waitForLoadState('networkidle');
    const main = await page.locator('main').innerText();
    expect(main).toContain('Hello, Tess Teacher');
    for (const adminOnly of ['DSL board', 'Imports', 'Rota', 'Health', 'Timeliness'])
      expect(main).not.toContain(adminOnly);
    await expectNoAxeViolations(page);
    expect(watch.problems).toEqual([]);
    await page.context().close();
  });
});
