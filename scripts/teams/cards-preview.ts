/** `npm run cards:preview`: a PNG of every card type, rendered by the adaptivecards renderer in headless Chromium, into docs/cards/. */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cardGallery } from '../../scripts/teams/card-gallery.ts';
import { launch, renderCards } from './render-cards.ts';

const out = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../docs/cards');
fs.mkdirSync(out, { recursive: true });
const browser = await launch();
try {
  const results = await renderCards(browser, cardGallery(), true);
  let bad = 0;
  for (const r of results) {
    if (r.png) fs.writeFileSync(path.join(out, `${r.name}.png`), r.png);
    if (r.problems.length) {
      bad++;
      console.error(`${r.name}: ${r.problems.join('; ')}`);
    } else console.log(`docs/cards/${r.name}.png`);
  }
  if (bad) process.exitCode = 1;
} finally {
  await browser.close();
}
