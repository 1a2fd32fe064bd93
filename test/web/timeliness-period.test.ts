/**
 * The timeliness page's period (issue 17): a plan counts in the month its final plan was FIRST issued, and
 * only when that first issue falls in the period, ends included. A case with a second issue event (an
 * amended plan re-issued) counts once, by its first; one whose first issue is before the period does not
 * count although it was re-issued inside it. store/timeliness-repository.ts bounds the events by the end of
 * the period before taking the first (same result, cheaper plan): these cases pin that equivalence, on both
 * providers.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { TimelinessRepository } from '../../store/timeliness-repository.ts';
import { providers } from '../support/db.ts';
import { openAssessment, seedLocalAuthority, startWebHub, type WebHub } from '../support/web.ts';

describe.each(providers)('timeliness period bounds (%s)', (provider) => {
  let w: WebHub | undefined;
  afterEach(async () => {
    await w?.close();
    w = undefined;
  });

  it('counts each plan once, by its first issue, when that falls from `from` to `to` inclusive', async () => {
    w = await startWebHub(provider, { now: '2026-11-24T09:00:00Z' });
    const la = await seedLocalAuthority(w.hub);
    const db = w.hub.dbh.db;
    let n = 0;
    const plan = async (issues: string[]) => {
      const caseId = await openAssessment(w!.hub, la.orgId, {
        reference: `P-${++n}`,
        request: '2025-12-01',
        ownerId: la.staff.officer1,
      });
      for (const occurredOn of issues)
        await db.caseEvent.create({ data: { caseId, kind: 'final_plan_issued', occurredOn } });
    };
    await plan(['2026-03-31']); // the day before the period: out
    await plan(['2026-04-01']); // the first day: in (April)
    await plan(['2026-06-30']); // the last day: in (June)
    await plan(['2026-07-01']); // the day after: out
    await plan(['2026-03-15', '2026-05-10']); // first issue before, re-issued inside: out
    await plan(['2026-05-12', '2026-08-01']); // first issue inside, re-issued after: in once (May)
    await plan(['2026-06-20', '2026-05-02']); // two issues inside, recorded out of order: in once (May)

    const groups = await new TimelinessRepository(db, provider).planGroups(
      la.orgId,
      '2026-04-01',
      '2026-06-30',
    );
    const byMonth = new Map<string, number>();
    for (const g of groups) byMonth.set(g.month, (byMonth.get(g.month) ?? 0) + g.n);
    expect(Object.fromEntries([...byMonth].sort())).toEqual({ '2026-04': 1, '2026-05': 2, '2026-06': 1 });
    expect(groups.every((g) => g.officerId === la.staff.officer1)).toBe(true);
  });
});
