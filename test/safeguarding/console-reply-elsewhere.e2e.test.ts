/**
 * A DSL at the console types a reply on a prompt that does not take it: `record-outcome` on the alert they
 * acknowledged (the README's `record-outcome r5 …` beside `acknowledge r5`). The console points to their
 * open outcome prompt about the same concern, as it is typed, and records nothing; a reply a prompt does
 * not take lists that prompt's own replies as typed (`take-ownership`, never `take_ownership`).
 */
import { describe, expect, it } from 'vitest';
import { providers } from '../support/db.ts';
import type { TestHub } from '../support/hub.ts';
import { raise, refFor, schoolHubEach } from './escalation-support.ts';
import type { School } from './support.ts';

describe.each(providers)('a console reply typed on the wrong prompt on %s', (provider) => {
  let t: TestHub;
  let s: School;
  schoolHubEach(provider, (h) => {
    ({ t, s } = h);
  });

  it('points from the acknowledged alert to the outcome prompt; records nothing', async () => {
    await raise(t, s);
    await t.tickAndDeliver();
    const alert = refFor(t, s.staff.dsl)!;
    expect(alert).toBeDefined();
    await t.console.handleLine(`acknowledge ${alert}`);
    await t.tickAndDeliver();
    const prompt = refFor(t, s.staff.dsl, 'text')!;
    expect(prompt).toBeDefined();
    expect(prompt).not.toBe(alert);

    const before = t.consoleOut.text().length;
    await t.console.handleLine(`record-outcome ${alert} referral`);
    const said = t.consoleOut.text().slice(before);
    expect(said).toContain(
      `[${alert}] has no record-outcome; [${prompt}] has: record-outcome ${prompt} advice-given | record-outcome ${prompt} early-help`,
    );
    expect((await t.hub.dbh.db.concern.findFirstOrThrow()).outcome).toBeNull();

    const next = t.consoleOut.text().length;
    await t.console.handleLine(`escalate ${prompt}`);
    const listed = t.consoleOut.text().slice(next);
    expect(listed).toContain(`[${prompt}] has no escalate. Reply: record-outcome ${prompt} advice-given`);
    expect(listed).not.toContain('_');

    await t.console.handleLine(`record-outcome ${prompt} referral`);
    expect((await t.hub.dbh.db.concern.findFirstOrThrow()).outcome).toBe('referral_csc');
  });
});
