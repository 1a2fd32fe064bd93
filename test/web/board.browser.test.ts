/**
 * The DSL's day in real Chromium (issue 17), on each database. 09:00: Tess, a teacher, raises a concern at
 * the console (the console's own command and form submission); the hub alerts the DSL. 09:14: Dana, the DSL,
 * signs in, opens the board from the navigation and sees the concern red and "unacknowledged for 14 min" at
 * the top; with the KEYBOARD only (Tab to its Acknowledge button, Enter) she acknowledges it; the page says
 * so (flash) and the red tag is gone; Tess's chat gets "acknowledged by Dana Lead", and no further ladder
 * step is queued. Dana opens the chronology (decrypted, audited) and filters the board by keyboard. axe-core
 * finds no WCAG 2.2 AA violation on either page; nothing is refused by the CSP. Writes docs/pages/board.png
 * and docs/pages/chronology.png when SCREENSHOTS=1. A board of 180 open concerns is in pages: the DSL goes
 * to the next page by keyboard, the filter kept, and axe finds nothing on the paged board either.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { safeguardingOf } from '../../app/safeguarding/module.ts';
import { concernRef } from '../../core/escalations/concern-messages.ts';
import { CONCERN_TEXT, PUPIL } from '../safeguarding/support.ts';
import {
  expectNoAxeViolations,
  launchBrowser,
  newPage,
  runBrowserTests,
  screenshot,
  signInBrowser,
  watchPage,
} from '../support/browser.ts';
import { raiseConcern } from '../support/concern.ts';
import { providers } from '../support/db.ts';
import { type School, seedWebSchool, startWebHub, type WebHub } from '../support/web.ts';
import { seedConcerns } from './board-seed.ts';

/** Press Tab until the focused element's text contains `text` (at most `max` presses); false if never. */
async function tabTo(page: Page, text: string, max = 60): Promise<boolean> {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() =>
      document.activeElement?.textContent?.replace(/\s+/g, ' ').trim(),
    );
    if (focused?.includes(text)) return true;
  }
  return false;
}

describe.runIf(runBrowserTests).each(providers)('the DSL board in Chromium on %s', (provider) => {
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
    w = await startWebHub(provider, { now: '2026-12-07T09:00:00Z' });
    s = await seedWebSchool(w.hub);
  });
  afterEach(async () => {
    await w.close();
  });

  it("a teacher raises a concern at the console; the DSL acknowledges it on the board by keyboard; the teacher's chat is told", async () => {
    // Earlier this morning: a concern a deputy has already taken (so the board shows both kinds).
    const earlier = await raiseConcern(
      w.hub,
      { orgId: s.orgId, studentId: s.pupil2, raisedById: s.staff.keyworker },
      { immediateRisk: false, category: 'Online safety', occurredAt: new Date('2026-12-07T08:10:00Z') },
    );
    const deputy = (await w.hub.staff.actorForStaff(s.staff.deputy))!;
    await safeguardingOf(w.hub).service.acknowledge(deputy, earlier.concern.id, 'SLACK', true);

    // 09:00 Tess raises a concern at the console: the `concern` command's form, submitted as the console does.
    const tess = (await w.hub.staff.actorForStaff(s.staff.teacher))!;
    const asked = await w.hub.commands.run('concern', tess, 'CONSOLE');
    if (asked.kind !== 'form') throw new Error('the concern command did not open its form');
    const sent = await w.hub.forms.submit(
      tess,
      {
        formId: asked.form.formId,
        context: asked.form.context,
        values: {
          student: PUPIL.upn,
          category: 'Neglect',
          what: CONCERN_TEXT,
          when: '',
          immediateRisk: 'no',
          actionsTaken: '',
        },
        intent: 'submit',
      },
      'CONSOLE',
    );
    if (!sent.ok) throw new Error(`the concern was refused: ${JSON.stringify(sent.errors)}`);
    const ref = /C-[A-Z0-9]{6}/.exec(sent.reply)?.[0] ?? '';
    expect(sent.reply).toContain('Dana Lead (DSL)');
    await w.tickAndDeliver();
    w.clock.advance(14 * 60_000);
    await w.tickAndDeliver();

    // 09:14 Dana signs in and opens the board from the navigation.
    const page = await newPage(browser);
    const watch = watchPage(page);
    await signInBrowser(page, w, 'dsl@quarrydene.example');
    await page.getByRole('link', { name: 'DSL board' }).first().click();
    await page.waitForURL((u) => u.pathname === '/app/board');
    await page.waitForLoadState('networkidle');
    const first = page.locator('tbody tr').first();
    expect(await first.getAttribute('data-ref')).toBe(ref);
    expect((await first.locator('.govuk-tag--red').innerText()).toLowerCase()).toBe('unacknowledged');
    expect((await first.innerText()).replace(/\s+/g, ' ')).toContain('unacknowledged for 14 min');
    expect(await first.innerText()).toContain(`${PUPIL.givenName} ${PUPIL.familyName}`);
    expect(await page.locator('.govuk-tag--red').count()).toBe(1);
    await expectNoAxeViolations(page);
    await screenshot(page, 'board');

    // Keyboard only: Tab to this concern's Acknowledge button and press Enter.
    expect(await tabTo(page, `Acknowledge ${ref}`)).toBe(true);
    await page.keyboard.press('Enter');
    await page.waitForURL((u) => u.pathname === '/app/board');
    await expect
      .poll(() => page.locator('.govuk-notification-banner').innerText())
      .toContain(`Concern ${ref} acknowledged. The ladder has stopped and the others have been told.`);
    expect(await page.locator('.govuk-tag--red').count()).toBe(0);
    const row = page.locator(`tr[data-ref="${ref}"]`);
    expect((await row.locator('.govuk-tag').innerText()).toLowerCase()).toBe('acknowledged');
    await expectNoAxeViolations(page);

    // The chat side: Tess is told who has it; no further ladder step is queued.
    await w.hub.deliverer.drainAll();
    const toTess = w.console.transcript().filter((m) => m.staffId === s.staff.teacher);
    expect(toTess.map((m) => m.message.title)).toContain(
      `Your concern ${ref} was acknowledged by Dana Lead at 7 Dec 2026, 09:14.`,
    );
    w.clock.advance(60 * 60_000);
    await w.tickAndDeliver();
    const id = (await safeguardingOf(w.hub).service.concerns.byRef(s.orgId, ref))!.id;
    const later = await w.hub.dbh.db.outboxMessage.count({
      where: { idempotencyKey: { startsWith: `concern:${id}:step:1:` } },
    });
    expect(later).toBe(0);

    // Filter by keyboard: the status select, choose "Owned", then the Filter button.
    await page.locator('#status').focus();
    await page.keyboard.press('End'); // the last choice: Closed
    await page.keyboard.press('ArrowUp'); // Owned
    expect(await tabTo(page, 'Filter', 5)).toBe(true);
    await page.keyboard.press('Enter');
    await page.waitForURL((u) => u.searchParams.get('status') === 'owned');
    expect(
      await page.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-ref'))),
    ).toEqual([concernRef(earlier.concern.id)]);

    // The chronology: decrypted for the DSL, the view audited.
    await page.goto(`${w.base}/app/board/concerns/${ref}`);
    await page.waitForLoadState('networkidle');
    expect(await page.locator('h1').innerText()).toBe(`${ref}: ${PUPIL.givenName} ${PUPIL.familyName} (Y8)`);
    const body = await page.locator('main').innerText();
    expect(body).toContain(CONCERN_TEXT);
    expect(body).toContain('Alert sent to the DSL (step 1)');
    expect(body).toContain('Acknowledged (14 min after it was raised)');
    await expectNoAxeViolations(page);
    await screenshot(page, 'chronology');
    const views = await w.hub.dbh.db.auditEvent.count({
      where: { action: 'concern.record_viewed', subjectId: id, actorId: s.staff.dsl, channel: 'WEB' },
    });
    expect(views).toBe(1);
    expect(watch.problems).toEqual([]);
    await page.context().close();
  });

  it('a board of more than one page: the DSL goes to the next page by keyboard, the filter kept; axe is clean', async () => {
    const all = await seedConcerns(w, s);
    const neglect = all.filter((c) => c.status !== 'CLOSED' && c.category === 'Neglect').length;
    const page = await newPage(browser);
    const watch = watchPage(page);
    await signInBrowser(page, w, 'dsl@quarrydene.example', '/app/board?category=Neglect');
    await page.waitForURL((u) => u.pathname === '/app/board');
    await page.waitForLoadState('networkidle');
    expect(await page.locator('tbody tr').count()).toBe(100);
    expect((await page.locator('#board-summary').innerText()).replace(/\s+/g, ' ')).toContain(
      `Showing 1 to 100 of ${neglect} concerns (filtered).`,
    );
    await expectNoAxeViolations(page);

    // Keyboard only from the last row's last button (as the filter test starts at #status): Tab to the
    // pagination's "Next" link and press Enter.
    await page.locator('tbody tr').last().locator('button').last().focus();
    expect(await tabTo(page, 'Next', 10)).toBe(true);
    await page.keyboard.press('Enter');
    await page.waitForURL((u) => u.searchParams.get('page') === '2');
    await page.waitForLoadState('networkidle');
    expect(new URL(page.url()).searchParams.get('category')).toBe('Neglect');
    expect(await page.locator('tbody tr').count()).toBe(neglect - 100);
    expect((await page.locator('#board-summary').innerText()).replace(/\s+/g, ' ')).toContain(
      `Showing 101 to ${neglect} of ${neglect} concerns (filtered).`,
    );
    expect(await page.locator('.govuk-pagination__item--current').innerText()).toContain('2');
    await expectNoAxeViolations(page);
    expect(watch.problems).toEqual([]);
    await page.context().close();
  });
});
