/**
 * The edges of "the officer who held the case the day its plan was issued" (docs/web.md "Timeliness
 * (SEN2)"), on both providers, as the SEN team manager reads them on the page. Olu and Ola are EHCNA
 * officers managed by Mo; on Fri 20 Mar 2026 Mo hands two of Olu's cases to Ola in chat.
 *   E-DAY    request Mon 5 Jan; handed to Ola on Fri 20 Mar, and its plan issued that same day (day 74,
 *            within): on the day of a handover the new officer holds the case, so it counts under Ola.
 *   E-EVE    request Mon 5 Jan; plan issued Thu 19 Mar (day 73, within), handed to Ola the next day:
 *            counted under Olu, who held it the day before the handover.
 *   E-GONE   request Mon 12 Jan; plan issued Wed 18 Mar (day 65, within); its officer has since been
 *            removed from the staff list (the case's officer and its history row's officer are empty):
 *            counted under "No officer", from the history (not flagged).
 *   E-NONE   request Mon 12 Jan; plan issued Tue 17 Mar (day 64, within); no officer and no history row
 *            at all: counted under "No officer" and flagged as from before the history.
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

describe.each(providers)('timeliness officer edges (%s)', (provider) => {
  let w: WebHub | undefined;
  afterEach(async () => {
    await w?.close();
    w = undefined;
  });

  it('a handover on the issue day counts under the new officer; a plan with no officer under "No officer"', async () => {
    w = await startWebHub(provider, { now: '2026-03-20T09:00:00Z' });
    const la = await seedLocalAuthority(w.hub);
    const db = w.hub.dbh.db;
    const svc = w.hub.services.get('deadlines') as DeadlineService;
    const open = (reference: string, request: string, issued?: string) =>
      openAssessment(w!.hub, la.orgId, { reference, request, ownerId: la.staff.officer1, issued });
    const day = await open('E-DAY', '2026-01-05');
    await open('E-EVE', '2026-01-05', '2026-03-19');
    const gone = await open('E-GONE', '2026-01-12', '2026-03-18');
    const none = await open('E-NONE', '2026-01-12', '2026-03-17');

    // Fri 20 Mar: Mo hands E-DAY and E-EVE to Ola in chat; Ola issues E-DAY's plan that afternoon.
    const mo = (await w.hub.staff.actorForStaff(la.staff.manager))!;
    for (const ref of ['E-DAY', 'E-EVE']) {
      const r = await w.hub.commands.run(`case reassign ${ref} ${la.emails.officer2}`, mo, 'CONSOLE');
      expect(replyText(r)).toContain(`Case ${ref} is now Ola Officer's, from today.`);
    }
    w.clock.set('2026-03-20T15:00:00Z');
    await svc.recordEvent(day, 'final_plan_issued', '2026-03-20', {
      actorId: la.staff.officer2,
      actorKind: 'staff',
      channel: 'CONSOLE',
    });
    // E-GONE as removing its officer from the staff list leaves it (onDelete: SetNull on both); E-NONE with
    // no officer and no history at all.
    await db.case.updateMany({ where: { id: { in: [gone, none] } }, data: { ownerId: null } });
    await db.caseAssignment.updateMany({ where: { caseId: gone }, data: { officerId: null } });
    await db.caseAssignment.deleteMany({ where: { caseId: none } });

    const manager = await signIn(w, la.emails.manager);
    const res = await manager.fetch('/app/timeliness?from=2026-03&to=2026-03');
    expect(res.status).toBe(200);
    const html = await res.text();
    // Plans, within, % including, without an exception, within (without), % excluding, before the history.
    expect(rowCells(html, 'by-officer', 'Ola Officer')).toEqual(['1', '1', '100%', '1', '1', '100%', '0']);
    expect(rowCells(html, 'by-officer', 'Olu Officer')).toEqual(['1', '1', '100%', '1', '1', '100%', '0']);
    expect(rowCells(html, 'by-officer', 'No officer')).toEqual(['2', '2', '100%', '2', '2', '100%', '1']);

    const csv = await manager.fetch('/app/timeliness?from=2026-03&to=2026-03&format=csv');
    const lines = (await csv.text()).split('\r\n');
    expect(lines).toContain('"officer","Ola Officer","1","1","100","1","1","100","0","0"');
    expect(lines).toContain('"officer","Olu Officer","1","1","100","1","1","100","0","0"');
    expect(lines).toContain('"officer","No officer","2","2","100","2","2","100","0","1"');
    expect(lines).toContain('"period","2026-03 to 2026-03","4","4","100","4","4","100","0","1"');
  });
});
