/**
 * The LA timeliness page counts a plan under the officer who held the case the day it was issued
 * (docs/web.md "Timeliness (SEN2)"), on both providers. Olu and Ola are EHCNA officers managed by Mo.
 *   H-AFTER  Olu's; request Mon 5 Jan 2026, plan issued Fri 20 Mar (day 74, within). On Mon 1 Jun Mo hands
 *            it to Ola in chat (`case reassign`): it stays counted under Olu.
 *   H-BEFORE Olu's; request Mon 2 Mar 2026. On Mon 1 Jun Mo hands it to Ola; Ola issues the plan on Fri
 *            10 Jul (day 130, within): counted under Ola.
 *   H-OLD    Ola's, assigned before the history was kept (its history is the migration's backfill row);
 *            request Mon 1 Dec 2025, issued Tue 21 Apr 2026 (day 141, late): counted under Ola, flagged.
 *   H-NONE   Olu's, no history row at all; request Mon 2 Feb 2026, issued Fri 15 May (day 102, within):
 *            counted under its officer now, Olu, flagged.
 * Mar to Jul 2026 by officer: Olu 2 plans, 2 within, 1 flagged; Ola 2 plans, 1 within (50%), 1 flagged.
 * Without the history Ola would have had H-AFTER too (3 plans) and Olu only H-NONE.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { DeadlineService } from '../../app/deadlines/service.ts';
import { providers } from '../support/db.ts';
import {
  openAssessment,
  replyText,
  rowCells,
  seedLocalAuthority,
  signIn,
  startWebHub,
  type WebHub,
} from '../support/web.ts';

describe.each(providers)('timeliness by the officer who held the case (%s)', (provider) => {
  let w: WebHub | undefined;
  afterEach(async () => {
    await w?.close();
    w = undefined;
  });

  it('a case handed over after its plan was issued stays under the officer who issued it', async () => {
    w = await startWebHub(provider, { now: '2026-06-01T09:00:00Z' });
    const la = await seedLocalAuthority(w.hub);
    const db = w.hub.dbh.db;
    const svc = w.hub.services.get('deadlines') as DeadlineService;
    const open = (reference: string, request: string, ownerId: string, issued?: string) =>
      openAssessment(w!.hub, la.orgId, { reference, request, ownerId, issued });
    await open('H-AFTER', '2026-01-05', la.staff.officer1, '2026-03-20');
    const before = await open('H-BEFORE', '2026-03-02', la.staff.officer1);
    const old = await open('H-OLD', '2025-12-01', la.staff.officer2, '2026-04-21');
    const none = await open('H-NONE', '2026-02-02', la.staff.officer1, '2026-05-15');
    // H-OLD as the migration left an existing case: one row, its officer then, from its start date.
    await db.caseAssignment.deleteMany({ where: { caseId: { in: [old, none] } } });
    await db.caseAssignment.create({
      data: { caseId: old, officerId: la.staff.officer2, fromOn: '2025-12-01', beforeHistory: true },
    });

    // Mon 1 Jun: Mo, the manager, hands both of Olu's open cases to Ola in chat. Olu cannot do it.
    const mo = (await w.hub.staff.actorForStaff(la.staff.manager))!;
    const olu = (await w.hub.staff.actorForStaff(la.staff.officer1))!;
    const refused = await w.hub.commands.run(`case reassign H-BEFORE ${la.emails.officer2}`, olu, 'CONSOLE');
    expect(replyText(refused)).toContain('does not allow you to hand this case to another officer');
    // Mo first gives H-BEFORE to himself, then thinks again: the day's officer is replaced, not added.
    const first = await w.hub.commands.run(`case reassign H-BEFORE ${la.emails.manager}`, mo, 'CONSOLE');
    expect(replyText(first)).toContain("Case H-BEFORE is now Mo Manager's, from today.");
    for (const ref of ['H-AFTER', 'H-BEFORE']) {
      const r = await w.hub.commands.run(`case reassign ${ref} ${la.emails.officer2}`, mo, 'CONSOLE');
      expect(replyText(r)).toContain(`Case ${ref} is now Ola Officer's, from today.`);
    }
    const again = await w.hub.commands.run(`case reassign H-AFTER ${la.emails.officer2}`, mo, 'CONSOLE');
    expect(replyText(again)).toContain("already Ola Officer's");
    const handed = await db.case.findMany({
      where: { reference: { in: ['H-AFTER', 'H-BEFORE'] } },
      select: { ownerId: true },
    });
    expect(handed.map((c) => c.ownerId)).toEqual([la.staff.officer2, la.staff.officer2]);
    expect(await db.auditEvent.count({ where: { action: 'case.reassigned' } })).toBe(3);
    expect(
      (
        await db.caseAssignment.findMany({
          where: { caseId: before },
          orderBy: { fromOn: 'asc' },
          select: { officerId: true, fromOn: true, beforeHistory: true },
        })
      ).map((a) => [a.officerId, a.fromOn, a.beforeHistory]),
    ).toEqual([
      [la.staff.officer1, '2026-03-02', false],
      [la.staff.officer2, '2026-06-01', false],
    ]);
    expect(
      await db.auditEvent.count({
        where: { action: 'access.denied', subjectId: 'case', actorId: olu.staffId },
      }),
    ).toBe(1);

    // Fri 10 Jul: Ola issues H-BEFORE's plan.
    w.clock.set('2026-07-10T15:00:00Z');
    await svc.recordEvent(before, 'final_plan_issued', '2026-07-10', {
      actorId: la.staff.officer2,
      actorKind: 'staff',
      channel: 'CONSOLE',
    });

    const manager = await signIn(w, la.emails.manager);
    const res = await manager.fetch('/app/timeliness?from=2026-03&to=2026-07');
    expect(res.status).toBe(200);
    const html = await res.text();
    // Plans, within, % including, without an exception, within (without), % excluding, before the history.
    expect(rowCells(html, 'by-officer', 'Olu Officer')).toEqual(['2', '2', '100%', '2', '2', '100%', '1']);
    expect(rowCells(html, 'by-officer', 'Ola Officer')).toEqual(['2', '1', '50%', '2', '1', '50%', '1']);
    expect(html).toContain('By officer (who held the case the day its plan was issued)');
    expect(html).toContain('<strong>2 plans</strong> of this period were issued in cases assigned before');

    const csv = await manager.fetch('/app/timeliness?from=2026-03&to=2026-07&format=csv');
    expect(csv.status).toBe(200);
    const lines = (await csv.text()).split('\r\n');
    expect(lines[0]).toContain('"Plans counted under the officer from before the assignment history"');
    expect(lines).toContain('"officer","Olu Officer","2","2","100","2","2","100","0","1"');
    expect(lines).toContain('"officer","Ola Officer","2","1","50","2","1","50","0","1"');
    expect(lines).toContain('"period","2026-03 to 2026-07","4","3","75","4","3","75","0","2"');
  });
});
