/**
 * The admin pages in real Chromium (issue 17), on each database: the admin signs in, opens the imports,
 * opens one run (its rejected row by line, field and reason, and none of the file's values), changes the
 * rota with the keyboard only (adds a DSL and a deputy, moves a deputy up) and sees the ladder follow, and
 * opens the health page; axe-core finds no WCAG 2.2 AA violation on any of them; no console error, CSP
 * refusal or failed request. Writes docs/pages/imports.png, rota.png and health.png when SCREENSHOTS=1.
 */
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runImport } from '../../app/imports/run-import.ts';
import { safeguardingOf } from '../../app/safeguarding/module.ts';
import { buildCsv } from '../integrations/support/export-builders.ts';
import { CONCERN_TEXT } from '../safeguarding/support.ts';
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
import { type School, seedWebSchool, startWebHub, type WebHub } from '../support/web.ts';

const HEADER = [
  'Incident ID',
  'Student',
  'UPN',
  'Year Group',
  'Date/Time',
  'Categories',
  'Incident',
  'Actions',
  'Reported By',
  'Status',
];
const UNMATCHED = 'Ottoline Brackenbury';
const TEXT = 'Threw a cobalt pencil sharpener at the aquarium';

describe.runIf(runBrowserTests).each(providers)('admin pages in Chromium on %s', (provider) => {
  let browser: Browser;
  let w: WebHub;
  let s: School;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });
  beforeEach(async () => {
    w = await startWebHub(provider, { now: '2026-11-24T09:00:00Z' });
    s = await seedWebSchool(w.hub);
  });
  afterEach(async () => {
    await w.close();
  });

  it('imports, a run, the rota changed by keyboard, health: axe clean', async () => {
    await runImport(w.hub, {
      orgId: s.orgId,
      kind: 'cpoms',
      source: {
        name: 'cpoms-week.csv',
        bytes: buildCsv(HEADER, [
          [
            '4001',
            'Zephyrine Quillborough',
            'A123456789012',
            '8',
            '05/11/2026 14:30',
            'Behaviour',
            TEXT,
            '',
            'Ms Reed',
            'Active',
          ],
          ['4002', UNMATCHED, '', '8', '06/11/2026 10:00', 'Behaviour', TEXT, '', 'Ms Reed', 'Active'],
        ]),
      },
      via: 'drop-folder',
    });
    const page = await newPage(browser);
    const watch = watchPage(page);
    await signInBrowser(page, w, 'admin@quarrydene.example', '/app/admin/imports');
    await expect.poll(() => page.title()).toBe('Imports - SEND Hub');
    expect(await page.locator('table').innerText()).toContain('cpoms-week.csv');
    await expectNoAxeViolations(page);
    await screenshot(page, 'imports');

    await page.getByRole('link', { name: /cpoms-week\.csv/ }).click();
    await page.waitForURL((u) => u.pathname.startsWith('/app/admin/imports/'));
    const report = await page.locator('main').innerText();
    expect(report).toContain('matches no single student');
    for (const secret of ['Ottoline', 'Brackenbury', 'Zephyrine', 'cobalt pencil'])
      expect(report).not.toContain(secret);
    await expectNoAxeViolations(page);

    // The rota, with the keyboard only: no rota yet (roles decide), add Dot Second as DSL.
    await page.goto(`${w.base}/app/admin/rota`);
    expect(await page.locator('main').innerText()).toContain('No rota is set');
    await page.locator('#rota-email').focus();
    await page.keyboard.type('deputy2@quarrydene.example');
    await page.keyboard.press('Enter'); // the form's first field: Enter submits with the default role (DSL)
    await page.waitForURL((u) => u.pathname === '/app/admin/rota');
    await expect
      .poll(() => page.locator('.govuk-notification-banner').innerText())
      .toContain('Added Dot Second as DSL');
    // Two deputies: the role chosen by typing in the select, then Enter in the order field.
    for (const [email, rank, name] of [
      ['dsl@quarrydene.example', '1', 'Dana Lead'],
      ['deputy@quarrydene.example', '2', 'Dev Deputy'],
    ] as const) {
      await page.locator('#rota-email').focus();
      await page.keyboard.type(email);
      await page.keyboard.press('Tab');
      await page.keyboard.type('Deputy');
      await page.keyboard.press('Tab');
      await page.keyboard.type(rank);
      await page.keyboard.press('Enter');
      await expect
        .poll(() => page.locator('.govuk-notification-banner').innerText())
        .toContain(`Added ${name} as deputy DSL`);
    }
    expect(await page.locator('#rota-on-duty').innerText()).toMatch(
      /Dana Lead \(deputy DSL\), Dev Deputy \(deputy DSL\)/,
    );
    await page.getByRole('button', { name: 'Move up Dev Deputy' }).focus();
    await page.keyboard.press('Enter');
    await expect
      .poll(() => page.locator('#rota-on-duty').innerText())
      .toMatch(/Dev Deputy \(deputy DSL\), Dana Lead \(deputy DSL\)/);
    expect(await page.locator('#rota-on-duty li').first().innerText()).toBe('Dot Second (DSL)');
    await expectNoAxeViolations(page);
    await screenshot(page, 'rota');

    // A refused change: the error summary names the field (the page comes with status 400, which Chromium logs).
    expect(watch.problems).toEqual([]);
    await page.locator('#rota-email').focus();
    await page.keyboard.type('nobody@quarrydene.example');
    await page.keyboard.press('Enter');
    await expect
      .poll(() => page.locator('.govuk-error-summary').innerText())
      .toContain('No active member of staff');
    await expectNoAxeViolations(page);
    expect(watch.problems).toEqual([
      'console error: Failed to load resource: the server responded with a status of 400 (Bad Request)',
    ]);
    watch.problems.length = 0;

    // A concern raised now waits in the queue (nothing delivers in this test): the health page shows it.
    await safeguardingOf(w.hub).service.raise({
      orgId: s.orgId,
      studentId: s.pupil,
      raisedById: s.staff.teacher,
      source: 'chat',
      externalId: null,
      category: 'Neglect',
      immediateRisk: true,
      text: CONCERN_TEXT,
      actionsTaken: '',
      occurredAt: w.clock.now(),
      via: 'TEAMS',
    });
    await page.goto(`${w.base}/app/admin/health`);
    expect(await page.locator('main').innerText()).toContain('Message queue');
    expect(await page.locator('#health-outbox').innerText()).toMatch(
      /Messages waiting to be delivered\s+[1-9]/,
    );
    await expectNoAxeViolations(page);
    await screenshot(page, 'health');
    expect(watch.problems).toEqual([]);
    await page.context().close();
  });
});
