/**
 * The caseload timeline page over real HTTP (issue 17), on both providers, signed in by the development
 * link as a person does: an EHC needs assessment officer sees only her own cases; the SEN team manager
 * sees her team's (the officers she line-manages) and not another officer's; filters by officer, kind and
 * state (late, at risk) and the sort are a GET form; a value that is not a choice is named; the officer
 * filter cannot reach outside the team; every view is audited without names; the CSV export is safe.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { DeadlineService } from '../../app/deadlines/service.ts';
import { providers } from '../support/db.ts';
import { type LocalAuthority, seedLocalAuthority, signIn, startWebHub, type WebHub } from '../support/web.ts';

/** Case references in the page's table (its row headers). */
const refsIn = (html: string) =>
  [...html.matchAll(/<th scope="row" class="govuk-table__header">([A-Z]+-[A-Z0-9]+)<br>/g)]
    .map((m) => m[1])
    .sort();

async function seedCases(w: WebHub, la: LocalAuthority) {
  const db = w.hub.dbh.db;
  const svc = w.hub.services.get('deadlines') as DeadlineService;
  const other = await db.staff.create({
    data: {
      orgId: la.orgId,
      displayName: 'Oz Outside',
      email: 'oz@fenmoor.example',
      roles: { create: [{ role: 'EHCNA_OFFICER' }] },
    },
  });
  let n = 0;
  const open = async (
    ref: string,
    ownerId: string,
    kind: 'EHC_NEEDS_ASSESSMENT' | 'ANNUAL_REVIEW',
    startDate: string,
    events: { kind: string; occurredOn: string }[] = [],
  ) => {
    const s = await db.student.create({
      data: { orgId: la.orgId, givenName: `Pupil${++n}`, familyName: 'Testcase', yearGroup: String(n + 3) },
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
  // Today is Tue 24 Nov 2026 (the hub's clock).
  await open('EHC-LATE', la.staff.officer1, 'EHC_NEEDS_ASSESSMENT', '2026-08-03'); // no decision at week 6: late
  await open('EHC-NEW', la.staff.officer1, 'EHC_NEEDS_ASSESSMENT', '2026-11-10'); // week 2: open
  // Week 11, decided on time, advice never asked for: 30 working days of advice, 5 of drafting, 15 days of
  // comments and a day to issue end after the 20-week date (26 Jan 2027): at risk, nothing late yet.
  await open('EHC-RISK', la.staff.officer2, 'EHC_NEEDS_ASSESSMENT', '2026-09-08', [
    { kind: 'assessment_decision', occurredOn: '2026-10-06' },
  ]);
  await open('AR-TWO', la.staff.officer2, 'ANNUAL_REVIEW', '2026-02-02');
  await open('EHC-OUT', other.id, 'EHC_NEEDS_ASSESSMENT', '2026-10-05');
  return { other: other.id };
}

describe.each(providers)('caseload timeline page (%s)', (provider) => {
  let w: WebHub | undefined;
  afterEach(async () => {
    await w?.close();
    w = undefined;
  });

  it('an officer sees her cases, the manager her team, with filters, sort and audit', async () => {
    w = await startWebHub(provider, { now: '2026-11-24T09:00:00Z' });
    const la = await seedLocalAuthority(w.hub);
    const { other } = await seedCases(w, la);

    const officer = await signIn(w, la.emails.officer1);
    const mine = await officer.fetch('/app/caseload');
    expect(mine.status).toBe(200);
    const mineHtml = await mine.text();
    expect(refsIn(mineHtml)).toEqual(['EHC-LATE', 'EHC-NEW']);
    expect(mineHtml).toContain('<svg class="app-chart__svg"');
    expect(mineHtml).toContain('Pupil1 Testcase (Y4)');
    expect(mineHtml).not.toContain('Pupil3');
    // The 20-week bar's key dates: the 6-week decision of EHC-LATE (3 Aug + 42 days) is late.
    expect(mineHtml).toMatch(/Decision whether to assess: Mon 14 Sept? 2026: Late \(71 days overdue\)/);
    // The officer filter cannot reach outside her own cases.
    const outside = await officer.fetch(`/app/caseload?officer=${other}`);
    expect(outside.status).toBe(400);
    const outsideHtml = await outside.text();
    expect(outsideHtml).toContain('Officer must be one of the officers listed');
    expect(refsIn(outsideHtml)).toEqual(['EHC-LATE', 'EHC-NEW']);

    const manager = await signIn(w, la.emails.manager);
    const team = await (await manager.fetch('/app/caseload')).text();
    expect(refsIn(team)).toEqual(['AR-TWO', 'EHC-LATE', 'EHC-NEW', 'EHC-RISK']);
    expect(team).not.toContain('EHC-OUT');
    // Sorted by next deadline by default: the late one first.
    expect(team.indexOf('EHC-LATE<br>')).toBeLessThan(team.indexOf('EHC-NEW<br>'));
    const byOfficer = refsIn(
      await (await manager.fetch(`/app/caseload?officer=${la.staff.officer2}`)).text(),
    );
    expect(byOfficer).toEqual(['AR-TWO', 'EHC-RISK']);
    expect(refsIn(await (await manager.fetch('/app/caseload?kind=ANNUAL_REVIEW')).text())).toEqual([
      'AR-TWO',
    ]);
    expect(
      refsIn(await (await manager.fetch('/app/caseload?state=late&kind=EHC_NEEDS_ASSESSMENT')).text()),
    ).toEqual(['EHC-LATE']);
    const risky = await (await manager.fetch('/app/caseload?state=at_risk')).text();
    expect(refsIn(risky)).toEqual(['EHC-LATE', 'EHC-RISK']);
    expect(risky).toContain('cannot fit');
    const byAge = await (await manager.fetch('/app/caseload?sort=age')).text();
    expect(byAge.indexOf('AR-TWO<br>')).toBeLessThan(byAge.indexOf('EHC-LATE<br>'));
    const bad = await manager.fetch('/app/caseload?sort=colour&state=purple');
    expect(bad.status).toBe(400);
    const badHtml = await bad.text();
    expect(badHtml).toContain('Sort by must be one of: Next deadline, Age (oldest first), Officer');
    expect(badHtml).toContain('State must be one of');

    // Every view audited, with counts and filters and no names.
    const views = await w.hub.dbh.db.auditEvent.findMany({
      where: { action: 'web.caseload.viewed', actorId: la.staff.manager },
      select: { details: true },
    });
    expect(views.length).toBeGreaterThanOrEqual(7);
    expect(JSON.stringify(views)).not.toContain('Pupil');

    // CSV of the filtered list: headers, the rows, and audited as an export.
    const csv = await manager.fetch(`/app/caseload?officer=${la.staff.officer2}&format=csv`);
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const text = await csv.text();
    expect(text.split('\r\n')[0]).toBe(
      '"Case","Kind","Child","Officer","Started","Week","State","Next deadline","At risk because"',
    );
    expect(text).toContain('"EHC-RISK","EHC needs assessment",');
    expect(text).not.toContain('EHC-LATE');
    expect(await w.hub.dbh.db.auditEvent.count({ where: { action: 'web.caseload.exported' } })).toBe(1);
  });

  it('a case changed since the last tick says its deadline is not computed yet, not "None open"', async () => {
    w = await startWebHub(provider, { now: '2026-11-24T09:00:00Z' });
    const la = await seedLocalAuthority(w.hub);
    const db = w.hub.dbh.db;
    const s = await db.student.create({
      data: { orgId: la.orgId, givenName: 'Pupil9', familyName: 'Testcase', yearGroup: '5' },
    });
    // As a case stands before the hub's next tick (planOn '', no deadline row yet).
    await db.case.create({
      data: {
        orgId: la.orgId,
        studentId: s.id,
        kind: 'EHC_NEEDS_ASSESSMENT',
        rulePack: 'england-send-2014@cop-2015',
        startDate: '2026-11-10',
        ownerId: la.staff.officer1,
        reference: 'EHC-FRESH',
        events: { create: [{ kind: 'request_received', occurredOn: '2026-11-10' }] },
      },
    });
    const officer = await signIn(w, la.emails.officer1);
    const before = await (await officer.fetch('/app/caseload')).text();
    expect(refsIn(before)).toEqual(['EHC-FRESH']);
    expect(before).toContain('Not computed yet: the hub computes it at its next tick');
    expect(before).not.toContain('None open');
    await w.tickAndDeliver();
    const after = await (await officer.fetch('/app/caseload')).text();
    expect(after).not.toContain('Not computed yet');
    expect(after).toMatch(/Decision whether to assess: Tue 22 Dec 2026/);
  });

  it('not signed in: redirected to sign in', async () => {
    w = await startWebHub(provider, { now: '2026-11-24T09:00:00Z' });
    const res = await fetch(`${w.base}/app/caseload?kind=PEP`, { redirect: 'manual' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/sign-in?next=%2Fapp%2Fcaseload%3Fkind%3DPEP');
  });
});
