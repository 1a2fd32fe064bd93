/**
 * The KCSIE case kinds on a real database (both providers: PostgreSQL has a CaseKind enum type, migration
 * 20261125005525_add_kcsie_case_kinds): a CP file transfer and a staff allegation open through the deadline
 * service with their K5 / K7 deadlines (KCSIE 2025; docs/deadlines.md).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { dueRead } from '../../app/deadlines/due-list.ts';
import { deadlinesModule } from '../../app/deadlines/module.ts';
import type { DeadlineService } from '../../app/deadlines/service.ts';
import { providers } from '../support/db.ts';
import { startTestHub, type TestHub } from '../support/hub.ts';

describe.each(providers)('KCSIE case kinds (%s)', (provider) => {
  let t: TestHub | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('opens CP_FILE_TRANSFER and STAFF_ALLEGATION cases under the KCSIE 2025 pack', async () => {
    t = await startTestHub(provider, {
      now: '2026-05-22T09:00:00Z',
      modules: [deadlinesModule()],
      env: { DEADLINE_PLAN_INTERVAL_SECONDS: '0' },
    });
    const db = t.hub.dbh.db;
    const org = await db.organisation.create({ data: { name: 'Northshire School', kind: 'SCHOOL' } });
    const student = await db.student.create({
      data: { orgId: org.id, givenName: 'Zebedee', familyName: 'Quillfeather', yearGroup: '4', ehcp: false },
    });
    const svc = t.hub.services.get('deadlines') as DeadlineService;
    const transfer = await svc.openCase({
      orgId: org.id,
      studentId: student.id,
      kind: 'CP_FILE_TRANSFER',
      startDate: '2026-04-30',
      ownerId: null,
      reference: 'CPT-1',
    });
    // No term dates for this school: school days fall back to working days (4 May is a bank holiday).
    expect(transfer.deadlines.map((d) => [d.ruleId, d.dueOn])).toEqual([['K5', '2026-05-08']]);
    const allegation = await svc.openCase({
      orgId: org.id,
      studentId: student.id,
      kind: 'STAFF_ALLEGATION',
      startDate: '2026-05-22',
      ownerId: null,
      reference: 'SA-1',
    });
    expect(allegation.deadlines.map((d) => [d.ruleId, d.dueOn])).toEqual([['K7', '2026-05-26']]);
    const rows = await db.case.findMany({ where: { orgId: org.id }, orderBy: { reference: 'asc' } });
    expect(rows.map((r) => [r.reference, r.kind, r.rulePack])).toEqual([
      ['CPT-1', 'CP_FILE_TRANSFER', 'england-kcsie@2025'],
      ['SA-1', 'STAFF_ALLEGATION', 'england-kcsie@2025'],
    ]);
  });

  it("a staff allegation's nudges name neither the child nor anyone else: only 'a staff allegation'", async () => {
    t = await startTestHub(provider, {
      now: '2026-05-22T09:00:00Z',
      modules: [deadlinesModule()],
      env: { DEADLINE_PLAN_INTERVAL_SECONDS: '0' },
    });
    const db = t.hub.dbh.db;
    const org = await db.organisation.create({ data: { name: 'Southshire School', kind: 'SCHOOL' } });
    const head = await db.staff.create({
      data: {
        orgId: org.id,
        displayName: 'Hana Head',
        email: 'hana@school.example',
        roles: { create: [{ role: 'HEAD' }] },
      },
    });
    const student = await db.student.create({
      data: { orgId: org.id, givenName: 'Zebedee', familyName: 'Quillfeather', yearGroup: '4', ehcp: false },
    });
    const svc = t.hub.services.get('deadlines') as DeadlineService;
    await svc.openCase({
      orgId: org.id,
      studentId: student.id,
      kind: 'STAFF_ALLEGATION',
      startDate: '2026-05-22',
      ownerId: head.id,
      reference: 'SA-2',
    });
    // Due Tue 26 May (Mon 25 May is a bank holiday): nudged on the day.
    t.clock.set('2026-05-26T09:00:00Z');
    await t.tickAndDeliver();
    const nudges = t.console.transcript().filter((m) => m.message.kind === 'deadline_nudge');
    expect(nudges.length).toBeGreaterThan(0);
    for (const n of nudges) {
      const shown = JSON.stringify(n.message);
      expect(shown).toContain('a staff allegation');
      expect(shown).not.toMatch(/Z\.Q\.|Zebedee|Quillfeather|\(Y4\)/);
    }
    const due = (await dueRead(svc, 7, { orgId: org.id })).rows;
    expect(due.map((d) => d.student)).toEqual(['a staff allegation']);
  });
});
