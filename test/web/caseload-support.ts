/**
 * Seeds for the caseload and timeliness browser test (issue 17): the Fenmoor SEN team's open cases at
 * different stages, and EHC plans issued over the spring of 2026 (some late, one with an exception).
 */
import type { DeadlineService } from '../../app/deadlines/service.ts';
import type { LocalAuthority, WebHub } from '../support/web.ts';

export async function seedTeamCases(w: WebHub, la: LocalAuthority): Promise<void> {
  const db = w.hub.dbh.db;
  const svc = w.hub.services.get('deadlines') as DeadlineService;
  let n = 0;
  const open = async (
    ref: string,
    ownerId: string,
    kind: 'EHC_NEEDS_ASSESSMENT' | 'ANNUAL_REVIEW',
    startDate: string,
    events: { kind: string; occurredOn: string }[] = [],
  ) => {
    const s = await db.student.create({
      data: { orgId: la.orgId, givenName: `Pupil${++n}`, familyName: 'Example', yearGroup: String(2 + n) },
    });
    await svc.openCase({
      orgId: la.orgId,
      studentId: s.id,
      kind,
      startDate,
      ownerId,
      reference: ref,
      ...(events.length ? { events } : {}),
    });
  };
  await open('EHC-101', la.staff.officer1, 'EHC_NEEDS_ASSESSMENT', '2026-08-03');
  await open('EHC-102', la.staff.officer1, 'EHC_NEEDS_ASSESSMENT', '2026-09-08', [
    { kind: 'assessment_decision', occurredOn: '2026-10-06' },
  ]);
  await open('EHC-103', la.staff.officer1, 'EHC_NEEDS_ASSESSMENT', '2026-11-10');
  await open('EHC-104', la.staff.officer1, 'EHC_NEEDS_ASSESSMENT', '2026-07-14', [
    { kind: 'assessment_decision', occurredOn: '2026-08-18' },
    { kind: 'advice_requested', occurredOn: '2026-08-20' },
    { kind: 'issue_decision', occurredOn: '2026-10-26' },
    { kind: 'draft_served', occurredOn: '2026-11-09' },
  ]);
  await open('AR-201', la.staff.officer1, 'ANNUAL_REVIEW', '2026-02-02');
  await open('EHC-301', la.staff.officer2, 'EHC_NEEDS_ASSESSMENT', '2026-10-01');
}

/** Plans issued Feb-Jun 2026 by both officers; one late with an exception recorded against 20 weeks. */
export async function seedIssuedPlans(w: WebHub, la: LocalAuthority): Promise<void> {
  const db = w.hub.dbh.db;
  const svc = w.hub.services.get('deadlines') as DeadlineService;
  const plans: [string, string, string, string, boolean][] = [
    ['EHC-401', '2025-10-06', '2026-02-20', la.staff.officer1, false],
    ['EHC-402', '2025-10-13', '2026-03-02', la.staff.officer2, false],
    ['EHC-403', '2025-11-03', '2026-04-10', la.staff.officer1, true],
    ['EHC-404', '2025-11-24', '2026-04-06', la.staff.officer2, false],
    ['EHC-405', '2026-01-05', '2026-05-25', la.staff.officer1, false],
    ['EHC-406', '2026-01-05', '2026-05-26', la.staff.officer2, false],
    ['EHC-407', '2026-02-02', '2026-06-10', la.staff.officer1, false],
  ];
  let n = 0;
  for (const [ref, request, issued, ownerId, exception] of plans) {
    const s = await db.student.create({
      data: { orgId: la.orgId, givenName: `Plan${++n}`, familyName: 'Example' },
    });
    const { caseId } = await svc.openCase({
      orgId: la.orgId,
      studentId: s.id,
      kind: 'EHC_NEEDS_ASSESSMENT',
      startDate: request,
      ownerId,
      reference: ref,
      events: [{ kind: 'final_plan_issued', occurredOn: issued }],
    });
    // The assessment is over: the case is closed (it leaves the caseload; timeliness still counts it).
    await db.case.update({ where: { id: caseId }, data: { status: 'CLOSED' } });
    if (exception)
      await db.caseException.create({
        data: { caseId, ruleId: 'E7', reason: 'reg10-4-c', fromDate: request, recordedById: ownerId },
      });
  }
}
