/**
 * Every card the hub produces (the gallery is built with the production renderers) goes through
 * Microsoft's `adaptivecards` renderer in headless Chromium with no parse or validation events; a
 * broken card is reported (so the check can fail). Chromium is required under CI.
 */

import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cardGallery } from '../../scripts/teams/card-gallery.ts';
import { chromiumPath, launch, renderCards } from '../../scripts/teams/render-cards.ts';

const ci = ['true', '1'].includes(String(process.env.CI ?? '').toLowerCase());
const haveChromium = !!chromiumPath();

describe('Adaptive Cards render cleanly', () => {
  it('Chromium is available (required under CI)', () => {
    if (ci) expect(haveChromium).toBe(true);
    else expect(typeof haveChromium).toBe('boolean');
  });

  describe.runIf(haveChromium)('in headless Chromium', () => {
    let browser: Browser;
    beforeAll(async () => {
      browser = await launch();
    });
    afterAll(async () => {
      await browser?.close();
    });

    it('renders every card type with no errors or warnings, all schema 1.5', async () => {
      const gallery = cardGallery();
      expect(Object.keys(gallery).length).toBeGreaterThanOrEqual(10);
      for (const c of Object.values(gallery)) expect((c as { version: string }).version).toBe('1.5');
      const results = await renderCards(browser, gallery);
      expect(results.filter((r) => r.problems.length)).toEqual([]);
    });

    it('reports a broken card (the check can fail)', async () => {
      const [r] = await renderCards(browser, {
        broken: {
          type: 'AdaptiveCard',
          version: '1.5',
          body: [{ type: 'Input.Text' }, { type: 'NoSuchElement' }],
        },
      });
      expect(r?.problems.length).toBeGreaterThan(0);
    });
  });
});
