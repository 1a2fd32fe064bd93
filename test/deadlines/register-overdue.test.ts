/**
 * `send-hub register` as a SENDCo's admin runs it (a real child process, each database) on the demo school:
 * a review whose date has passed (the looked-after child's first review, due 20 working days after coming
 * into care, 60 days ago: Care Planning, Placement and Case Review (England) Regulations 2010 reg 33(1)(a))
 * is said OVERDUE, not listed as the "next review"; a review still to come is the next review.
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

  it('says a passed review date is overdue, never the next review', { timeout: 300_000 }, async () => {
    const r = await s.cli('register');
    expect(r.code, r.err).toBe(0);
    const inCare = r.out.split('\n').find((l) => l.includes('in care'));
    expect(inCare).toMatch(/review OVERDUE since \w{3} \d{1,2} \w{3} \d{4} \(LAC review\)/);
    expect(inCare).not.toContain('next review');
    expect(r.out).toMatch(
      /A\.B\. \(Y7\) · EHCP · .* · next review \w{3} \d{1,2} \w{3} \d{4} \(annual review meeting\)/,
    );
  });
});
