/**
 * Audit finding 1 (KCSIE 2025 Part 2 and Part 4, need-to-know), from the users' seats: a SENDCo who is on
 * no safeguarding rota and an office admin do not see the school's child-protection or staff-allegation
 * cases on the caseload page or in its CSV, nor read in chat who holds them (`case history`); the DSL sees
 * the child-protection case, the head the allegation; the SENDCo's own SEN case is still listed. A line
 * manager's `cases team` counts an officer's restricted cases without listing them. Both databases.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { DeadlineService } from '../../app/deadlines/service.ts';
import { providers } from '../support/db.ts';
import { seedWebSchool, signIn, startWebHub, type WebHub } from '../support/web.ts';

const text = (r: unknown) => JSON.stringify(r);

describe.each(providers)('restricted cases on the caseload (%s)', (provider) => {
  let w: WebHub | undefined;
  afterEach(async () => {
    await w?.close();
    w = undefined;
  });

  it('child protection and staff allegations: the officer and the safeguarding leads only', async () => {
    w = await startWebHub(provider, { now: '2026-12-07T09:00:00Z' });
    const school = await seedWebSchool(w.hub);
    const db = w.hub.dbh.db;
    const svc = w.hub.services.get('deadlines') as DeadlineService;
    const sam = await db.staff.create({
      data: {
        orgId: school.orgId,
        displayName: 'Sam Lee',
        email: 's.lee@quarrydene.example',
        roles: { create: [{ role: 'SENDCO' }] },
      },
    });
    // The DSL's line manager (say, a trust's safeguarding lead who is only staff here).
    await db.staff.update({ where: { id: school.staff.dsl }, data: { lineManagerId: school.staff.teacher } });
    type Kind = Parameters<DeadlineService['openCase']>[0]['kind'];
    const open = (reference: string, kind: Kind, ownerId: string, studentId = school.pupil) =>
      svc.openCase({ orgId: school.orgId, studentId, kind, startDate: '2026-12-07', ownerId, reference });
    await open('CP-ONE', 'CHILD_PROTECTION', school.staff.dsl);
    await open('AL-ONE', 'STAFF_ALLEGATION', school.staff.head);
    await open('AR-ONE', 'ANNUAL_REVIEW', sam.id, school.pupil2);

    const csvOf = async (email: string) => {
      const c = await signIn(w!, email);
      const res = await c.fetch('/app/caseload?format=csv');
      expect(res.status).toBe(200);
      const page = await (await c.fetch('/app/caseload')).text();
      return { csv: await res.text(), page };
    };
    const samView = await csvOf('s.lee@quarrydene.example');
    expect(samView.csv).toContain('"AR-ONE"');
    for (const out of [samView.csv, samView.page]) {
      expect(out).not.toContain('CP-ONE');
      expect(out).not.toContain('AL-ONE');
    }
    // (The page's kind filter still offers every kind; the CSV names none of these.)
    expect(samView.csv).not.toContain('child protection');
    expect(samView.csv).not.toContain('staff allegation');
    const adminView = await csvOf('admin@quarrydene.example');
    expect(adminView.csv).toContain('"AR-ONE"');
    expect(adminView.csv).not.toContain('CP-ONE');
    expect(adminView.csv).not.toContain('AL-ONE');
    expect((await csvOf('dsl@quarrydene.example')).csv).toContain('"CP-ONE"');
    expect((await csvOf('head@quarrydene.example')).csv).toContain('"AL-ONE"');

    // Chat, as each person: who holds the case.
    const as = async (id: string) => (await w!.hub.staff.actorForStaff(id))!;
    const history = async (id: string, ref: string) =>
      text(await w!.hub.commands.run(`case history ${ref}`, await as(id), 'CONSOLE'));
    expect(await history(sam.id, 'AL-ONE')).toContain('does not allow you');
    expect(await history(sam.id, 'CP-ONE')).toContain('does not allow you');
    expect(await history(school.staff.admin, 'CP-ONE')).toContain('does not allow you');
    expect(await history(school.staff.head, 'AL-ONE')).toContain('who held it');
    expect(await history(school.staff.deputy, 'CP-ONE')).toContain('who held it');
    expect(await history(sam.id, 'AR-ONE')).toContain('who held it');

    // The DSL's line manager: counted, not listed.
    const team = text(await w.hub.commands.run('cases team', await as(school.staff.teacher), 'CONSOLE'));
    expect(team).toContain('Dana Lead: 1 open');
    expect(team).not.toContain('CP-ONE');
    expect(team).toContain('1 more (child protection or staff allegation)');
  });
});
