/**
 * Renders Adaptive Cards with Microsoft's `adaptivecards` renderer in headless Chromium (playwright-core,
 * the system Chromium) and reports every parse or validation event. Shared by the renderer test and
 * `npm run cards:preview`.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { type Browser, chromium } from 'playwright-core';

const require = createRequire(import.meta.url);

export function chromiumPath(): string | undefined {
  for (const p of [
    process.env.CHROMIUM_PATH,
    '/usr/bin/chromium',
    '/usr/bin/chromium-browser',
    '/usr/bin/google-chrome',
  ])
    if (p && fs.existsSync(p)) return p;
  return undefined;
}

export async function launch(): Promise<Browser> {
  const executablePath = chromiumPath();
  if (!executablePath)
    throw new Error('Chromium not found: apt-get install -y chromium (or set CHROMIUM_PATH)');
  return chromium.launch({
    executablePath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

export interface RenderResult {
  name: string;
  problems: string[];
  png?: Buffer;
}

export async function renderCards(
  browser: Browser,
  cards: Record<string, unknown>,
  screenshot = false,
): Promise<RenderResult[]> {
  const page = await browser.newPage({ viewport: { width: 520, height: 900 }, deviceScaleFactor: 1 });
  const bundle = require.resolve('adaptivecards/dist/adaptivecards.js');
  const css = require.resolve('adaptivecards/dist/adaptivecards.css');
  await page.setContent(
    '<html><body style="font-family: Segoe UI, sans-serif; background:#f5f5f5; margin:0"><div id="host" style="width:480px; padding:16px; background:#fff"></div></body></html>',
  );
  await page.addStyleTag({ path: css });
  await page.addScriptTag({ path: bundle });
  const results: RenderResult[] = [];
  for (const [name, card] of Object.entries(cards)) {
    const problems = await page.evaluate(
      (json) => {
        // biome-ignore lint/suspicious/noExplicitAny: the UMD global of the renderer bundle
        const AC = (window as any).AdaptiveCards;
        const out: string[] = [];
        const c = new AC.AdaptiveCard();
        c.hostConfig = new AC.HostConfig({ fontFamily: 'Segoe UI, sans-serif', supportsInteractivity: true });
        const ctx = new AC.SerializationContext();
        c.parse(json, ctx);
        for (let i = 0; i < ctx.eventCount; i++) {
          const e = ctx.getEventAt(i);
          out.push(`parse ${e.phase}/${e.event}: ${e.message}`);
        }
        const v = c.validateProperties();
        for (let i = 0; i < v.validationEvents.length; i++) {
          const e = v.validationEvents[i];
          out.push(`validate ${e.phase}/${e.event}: ${e.message}`);
        }
        const el = c.render();
        const host = document.getElementById('host') as HTMLElement;
        host.innerHTML = '';
        if (!el) out.push('render returned nothing');
        else host.appendChild(el);
        return out;
      },
      card as Record<string, unknown>,
    );
    const r: RenderResult = { name, problems };
    if (screenshot) r.png = await page.locator('#host').screenshot();
    results.push(r);
  }
  await page.close();
  return results;
}
