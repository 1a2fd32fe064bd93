/**
 * `send-hub register` as a SENDCo's admin runs it (a real child process, each database) on the demo school.
 * The looked-after child's first LAC review (20 working days after coming into care: Care Planning,
 * Placement and Case Review (England) Regulations 2010 reg 33(1)(a)) is the LA's review, due this week on a
 * fresh demo: the next review. Once its date has passed (the child recorded as in care 60 days back) it
 * is not listed as the "next review", nor as the school's OVERDUE review: it is the LA's lateness, said so.
 * A review still to come is the next review.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliSession, cliSession } from '../support/cli.ts';
import { providers } from '../support/db.ts';

describe.each(providers)('send-hub register on %s', (provider) => {
  let s: CliSession;
  beforeAll(async () => {
    s = await cliSession(provider);
    expect((await s.cli('demo')).code).toBe(0);
    // The demo cases' deadlines are computed by a tick (the running hub's first, or this one).
    expect((await s.cli('tick')).code).toBe(0);
  });
  afterAll(async () => {
    await s?.close();
  });

  it('says a passed review date has passed, never the next review', { timeout: 300_000 }, async () => {
    const fresh = await s.cli('register');
    expect(fresh.code, fresh.err).toBe(0);
    const soon = fresh.out.split('\n').find((l) => l.includes('in care'));
    expect(soon).toMatch(/next review \w{3} \d{1,2} \w{3} \d{4} \(LAC review\)/);
    // In care since 60 days ago: the LA's first review date has passed with nothing recorded.
    const since = new Date(Date.now() - 60 * 86_400_000).toISOString().slice(0, 10);
    const ev = await s.cli('case', 'event', 'DEMO-PEP-1', 'became_looked_after', since);
    expect(ev.code, ev.err).toBe(0);
    const r = await s.cli('register');
    expect(r.code, r.err).toBe(0);
    const inCare = r.out.split('\n').find((l) => l.includes('in care'));
    expect(inCare).toMatch(
      /the LA's LAC review passed \w{3} \d{1,2} \w{3} \d{4}, not recorded \(chase the LA\)/,
    );
    expect(inCare).not.toContain('next review');
    expect(inCare).not.toContain('OVERDUE');
    expect(r.out).toMatch(
      /A\.B\. \(Y7\) · EHCP · .* · next review \w{3} \d{1,2} \w{3} \d{4} \(annual review meeting\)/,
    );
  });
});
