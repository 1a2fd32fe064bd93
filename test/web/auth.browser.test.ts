/**
 * Sign-in in real Chromium (issue 17): on /sign-in a person presses "Sign in with Microsoft", goes through a
 * real OpenID Connect provider on loopback (oidc-provider standing in for Entra ID) and comes back signed in on
 * the page they asked for; someone not on the staff list reads so. axe-core finds no WCAG 2.2 AA violation on
 * the sign-in page (with its buttons) or the refusal page; the Teams tab page loads teams-js and its script
 * with no Content-Security-Policy refusal, its check of Teams' hosts included (Teams itself cannot run here).
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  expectNoAxeViolations,
  launchBrowser,
  newPage,
  runBrowserTests,
  watchPage,
} from '../support/browser.ts';
import { providers } from '../support/db.ts';
import { type AuthHub, JO_OID, reserveServer, startAuthHub, TENANT } from './auth-hub.ts';
import { entraEnv, startEntraProvider, type TestProvider } from './oidc-support.ts';

describe.runIf(runBrowserTests).each(providers)('sign-in in Chromium (%s)', (db) => {
  let browser: Browser;
  let t: AuthHub;
  let entra: TestProvider;

  beforeAll(async () => {
    browser = await launchBrowser();
    const reserved = await reserveServer();
    entra = await startEntraProvider(reserved.base, {
      jo: { oid: JO_OID, tid: TENANT, preferred_username: 'jo.smith@test.sch.uk' },
      stranger: {
        oid: 'aaaaaaaa-0000-4000-8000-0000000000ff',
        tid: TENANT,
        preferred_username: 'x@test.sch.uk',
      },
    });
    t = await startAuthHub(db, reserved, entraEnv(entra));
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await entra?.close();
  });

  it('"Sign in with Microsoft" from /sign-in lands signed in on the page asked for; axe clean', async () => {
    entra.as = 'jo';
    const page = await newPage(browser);
    await page.goto(`${t.base}/sign-in?next=/app`);
    await expectNoAxeViolations(page);
    await page.getByRole('button', { name: 'Sign in with Microsoft' }).click();
    await page.waitForURL((u) => u.origin === t.base && u.pathname === '/app');
    expect(await page.locator('.app-user__name').innerText()).toContain('Jo Smith');
    await page.context().close();
  });

  it('someone not on the staff list reads so; axe clean', async () => {
    entra.as = 'stranger';
    const page = await newPage(browser);
    await page.goto(`${t.base}/sign-in`);
    await page.getByRole('button', { name: 'Sign in with Microsoft' }).click();
    await page.waitForURL((u) => u.origin === t.base && u.pathname === '/auth/entra/callback');
    expect(await page.locator('h1').innerText()).toBe('You are not on the staff list of Test Academy');
    await expectNoAxeViolations(page);
    await page.context().close();
  });

  it('the Teams tab page loads teams-js and its script under the CSP', async () => {
    const page = await newPage(browser);
    const watch = watchPage(page);
    // teams-js asks Microsoft's CDN for the list of Teams hosts: answered here, no outside network in tests.
    await page.route('https://res.cdn.office.net/**', (r) =>
      r.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify({ validOrigins: [] }) }),
    );
    await page.goto(`${t.base}/tab`);
    await page.waitForLoadState('networkidle');
    expect(
      await page.evaluate(() => typeof (globalThis as { microsoftTeams?: unknown }).microsoftTeams),
    ).toBe('object');
    expect(
      watch.problems.filter((p) => /Content Security Policy|Refused|request failed|^\d{3} /.test(p)),
    ).toEqual([]);
    await page.context().close();
  });
});
