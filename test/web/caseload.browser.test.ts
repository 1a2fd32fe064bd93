/**
 * The caseload timeline and the timeliness page in real Chromium (issue 17), on each database: the LA's
 * EHC needs assessment coordinator signs in with a one-time link, opens her timeline (the chart and the
 * table of her cases, not her colleague's), filters it with the keyboard alone (Tab to the "Kind of case"
 * list, choose by typing, Tab to "Apply filters", Enter), downloads the CSV (a real download event, the
 * file's header and rows), and axe-core finds no WCAG 2.2 AA violation; the SEN team manager opens the
 * timeliness page (chart, tables, CSV), axe clean. Writes docs/pages/caseload.png and
 * docs/pages/timeliness.png when SCREENSHOTS=1.
 */
import fs from 'node:fs';
import type { Browser, Page } from 'playwright-core';
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
import { type LocalAuthority, seedLocalAuthority, startWebHub, type WebHub } from '../support/web.ts';
import { seedIssuedPlans, seedTeamCases } from './caseload-support.ts';

const tableRefs = (page: Page) =>
  page
    .locator('#caseload-table tbody th')
    .evaluateAll((ths) => ths.map((t) => t.firstChild?.textContent?.trim()));

/** Press Tab until the element with this id has focus (at most 60 times). */
async function tabTo(page: Page, id: string): Promise<void> {
  for (let i = 0; i < 60; i++) {
    if ((await page.evaluate(() => document.activeElement?.id)) === id) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`Tab never reached #${id}`);
}

describe.runIf(runBrowserTests).each(providers)('caseload and timeliness in Chromium on %s', (provider) => {
  let browser: Browser;
  let w: WebHub;
  let la: LocalAuthority;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });
  beforeEach(async () => {
    w = await startWebHub(provider, { now: '2026-11-24T09:00:00Z' });
    la = await seedLocalAuthority(w.hub);
    await seedTeamCases(w, la);
    await seedIssuedPlans(w, la);
  });
  afterEach(async () => {
    await w.close();
  });

  it('the coordinator opens her timeline, filters by keyboard, downloads the CSV; axe clean', async () => {
    const page = await newPage(browser);
    const watch = watchPage(page);
    await signInBrowser(page, w, la.emails.officer1, '/app/caseload');
    await expect.poll(() => page.title()).toBe('Caseload timeline - SEND Hub');
    expect(await page.locator('svg.app-chart__svg').count()).toBe(1);
    expect((await tableRefs(page)).sort()).toEqual(['AR-201', 'EHC-101', 'EHC-102', 'EHC-103', 'EHC-104']);
    expect(await page.locator('#caseload-table').innerText()).toContain('Late');
    await expectNoAxeViolations(page);
    await screenshot(page, 'caseload');

    // Keyboard only: Tab to the kind list, type to choose, Tab to the button, Enter.
    await page.locator('body').focus();
    await tabTo(page, 'kind');
    await page.keyboard.type('annual');
    await tabTo(page, 'apply-filters');
    await page.keyboard.press('Enter');
    await page.waitForURL((u) => u.searchParams.get('kind') === 'ANNUAL_REVIEW');
    expect(await tableRefs(page)).toEqual(['AR-201']);
    expect(await page.locator('#kind').inputValue()).toBe('ANNUAL_REVIEW');

    // The CSV of what is shown: a download, its header and row.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.locator('#export-csv').click(),
    ]);
    expect(download.suggestedFilename()).toBe('caseload-2026-11-24.csv');
    const file = await download.path();
    const csv = fs.readFileSync(file, 'utf8').split('\r\n');
    expect(csv[0]).toBe(
      '"Case","Kind","Child","Officer","Started","Week","State","Next deadline","At risk because"',
    );
    expect(csv[1]).toMatch(/^"AR-201","annual review","Pupil5 Example \(Y7\)","Olu Officer","2026-02-02",/);
    expect(csv).toHaveLength(3);
    await expectNoAxeViolations(page);
    expect(watch.problems).toEqual([]);
    await page.context().close();
  });

  it('the SEN team manager reads the timeliness figures; axe clean', async () => {
    const page = await newPage(browser);
    const watch = watchPage(page);
    await signInBrowser(page, w, la.emails.manager, '/app/timeliness?from=2026-01&to=2026-06');
    await expect.poll(() => page.title()).toBe('EHC plan timeliness - SEND Hub');
    expect(await page.locator('#headline').innerText()).toContain('7 EHC plans issued');
    expect(await page.locator('#breach-table').innerText()).toContain('EHC-104');
    expect(await page.locator('svg.app-chart__svg rect').count()).toBeGreaterThan(5);
    await expectNoAxeViolations(page);
    await screenshot(page, 'timeliness');
    expect(watch.problems).toEqual([]);
    await page.context().close();
  });
});
