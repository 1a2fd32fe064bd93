/**
 * The caseload reads past 999 rows (store/caseload-repository.ts): `case list` over a local authority's
 * caseload and the SEN register of more than 999 pupils. Loaded as nested relations, Prisma bound one
 * parameter per parent row and SQLite refused the query ("query parameter limit ... exceeded"); the flat
 * reads with relation filters list every row, each database.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { caseViews } from '../../app/deadlines/caseload.ts';
import { registerRows } from '../../app/deadlines/caseload-register.ts';
import type { DeadlineService } from '../../app/deadlines/service.ts';
import { providers } from '../support/db.ts';
import { startTestHub, type TestHub } from '../support/hub.ts';

const N = 1_050;

describe.each(providers)('caseload reads of more than 999 rows (%s)', (provider) => {
  let t: TestHub | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('lists 1,050 cases and a register of 1,050 pupils with their owners, key workers and reviews', async () => {
    t = await startTestHub(provider, { now: '2026-11-24T09:00:00Z' });
    const db = t.hub.dbh.db;
    const org = await db.organisation.create({ data: { name: 'Large School', kind: 'SCHOOL' } });
    const dt = await db.staff.create({
      data: { orgId: org.id, displayName: 'Hannah Cole', email: 'dt@large.example' },
    });
    const ids = Array.from({ length: N }, (_, i) => `stu${String(i).padStart(5, '0')}`);
    await db.student.createMany({
      data: ids.map((id, i) => ({
        id,
        orgId: org.id,
        givenName: 'Pupil',
        familyName: `Number${i}`,
        yearGroup: '5',
        senStatus: 'K' as const,
        childInCare: true,
        keyWorkerId: dt.id,
      })),
    });
    await db.case.createMany({
      data: ids.map((studentId, i) => ({
        id: `case${String(i).padStart(5, '0')}`,
        orgId: org.id,
        studentId,
        kind: 'PEP' as const,
        rulePack: 'england-children-in-care@2018',
        startDate: '2026-09-14',
        ownerId: dt.id,
        reference: `PEP-${i}`,
      })),
    });
    await db.caseEvent.createMany({
      data: ids.map((_, i) => ({
        caseId: `case${String(i).padStart(5, '0')}`,
        kind: 'became_looked_after',
        occurredOn: '2026-09-14',
      })),
    });
    const svc = t.hub.services.get('deadlines') as DeadlineService;

    const views = await caseViews(t.hub, svc, { orgId: org.id });
    expect(views).toHaveLength(N);
    expect(views.every((v) => v.owner?.displayName === 'Hannah Cole' && v.nextText)).toBe(true);

    const register = await registerRows(t.hub, svc, org.id);
    expect(register).toHaveLength(N);
    // In care from Mon 14 Sep: the first LAC review (20 working days) was due Mon 12 Oct. The review is the
    // LA's duty (Care Planning, Placement and Case Review (England) Regulations 2010 reg 33), so at a school
    // it is the LA's lateness, not the school's overdue work (docs/deadlines.md "Whose duty").
    expect(
      register.every(
        (r) =>
          r.keyWorker?.displayName === 'Hannah Cole' &&
          r.nextReview?.what === 'LAC review' &&
          r.laLate === true &&
          !r.overdue,
      ),
    ).toBe(true);
  }, 300_000);
});
