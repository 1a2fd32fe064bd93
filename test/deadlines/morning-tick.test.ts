/**
 * The next morning's first tick (issue 18, docs/deadlines.md "How the tick works"): the nudges handed to
 * the outbox the day before (or answered since) are found by the tick's reads (PostgreSQL: the picked cases'
 * reminders of every status; SQLite: one bulk lookup by key) and are not written again; the
 * day's new ones are written in bulk in the tick's transaction with the cases' next moments; nudges that
 * change (a reassigned deadline) are re-armed in one statement and read back as Prisma wrote them before.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { deadlinesModule } from '../../app/deadlines/module.ts';
import type { DeadlineService, TickReport } from '../../app/deadlines/service.ts';
import { addDays } from '../../core/calendar/iso-date.ts';
import type { Who } from '../../store/case-repository.ts';
import { providers } from '../support/db.ts';
import { startTestHub, type TestHub } from '../support/hub.ts';

const WHO: Who = { actorId: null, actorKind: 'system', channel: 'SYSTEM' };
const writes = (r: TickReport) =>
  r.created + r.updated + r.remindersCreated + r.remindersUpdated + r.remindersCancelled;

describe.each(providers)('the next morning tick (%s)', (provider) => {
  let t: TestHub | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('does not write again a nudge handed over yesterday, and writes the day’s new ones', async () => {
    t = await startTestHub(provider, {
      now: '2027-03-01T08:30:00Z',
      modules: [deadlinesModule()],
      env: { DEADLINE_PLAN_INTERVAL_SECONDS: '0', DEADLINE_FULL_SWEEP_SECONDS: '2592000' },
    });
    const svc = t.hub.services.get('deadlines') as DeadlineService;
    const db = t.hub.dbh.db;
    const org = await db.organisation.create({ data: { name: 'Northshire LA', kind: 'LOCAL_AUTHORITY' } });
    const manager = await db.staff.create({
      data: { orgId: org.id, displayName: 'Maya Manager', email: 'maya@la.example' },
    });
    const officer = (n: string) =>
      db.staff.create({
        data: { orgId: org.id, displayName: n, email: `${n}@la.example`, lineManagerId: manager.id },
      });
    const owen = await officer('Owen');
    const olga = await officer('Olga');
    // Requests received over the last weeks: some nudges and escalations due now, others entering the
    // 3-day horizon on the days that follow.
    for (let i = 0; i < 12; i++) {
      const student = await db.student.create({
        data: { orgId: org.id, givenName: `G${i}`, familyName: 'F', yearGroup: '6' },
      });
      await svc.openCase({
        orgId: org.id,
        studentId: student.id,
        kind: 'EHC_NEEDS_ASSESSMENT',
        startDate: addDays('2027-01-08', i * 2),
        ownerId: owen.id,
      });
    }
    const first = (await svc.tick(t.clock.now(), true)) as TickReport;
    expect(first.remindersCreated).toBeGreaterThan(0);
    // The due-reminders planner hands today's nudges to the outbox (PENDING -> PLANNED).
    expect(await t.hub.reminders.planDue()).toBeGreaterThan(0);
    // One of them already answered (DONE): found by the tick whatever its status (on PostgreSQL in the read
    // of the picked cases' reminders of every status, on SQLite by key), and not written again either.
    const answered = await db.reminder.findFirstOrThrow({ where: { status: 'PLANNED' } });
    await db.reminder.update({ where: { id: answered.id }, data: { status: 'DONE' } });
    const handed = await db.reminder.findMany({
      where: { status: { in: ['PLANNED', 'DONE'] } },
      select: { dedupeKey: true, status: true, updatedAt: true },
    });
    expect(handed.length).toBeGreaterThan(1);

    // The next morning's first tick is steady: the cases whose moment has come.
    let report: TickReport | undefined;
    for (let day = 2; day <= 6; day++) {
      t.clock.set(`2027-03-0${day}T07:00:00Z`);
      report = (await svc.tick(t.clock.now())) as TickReport;
      expect(report.full).toBe(0);
      if (report.remindersCreated > 0) break;
    }
    expect(report!.remindersCreated).toBeGreaterThan(0);
    // Among the slots it compared were yesterday's handed-over nudges: as they were, untouched, once each.
    const after = await db.reminder.findMany({
      where: { dedupeKey: { in: handed.map((h) => h.dedupeKey) } },
      select: { dedupeKey: true, status: true, updatedAt: true },
    });
    expect(after.map((r) => [r.dedupeKey, r.status, r.updatedAt.getTime()]).sort()).toEqual(
      handed.map((h) => [h.dedupeKey, h.status, h.updatedAt.getTime()]).sort(),
    );
    expect(after.filter((r) => r.status === 'DONE')).toHaveLength(1);
    // The new nudges were written with the cases' next moments: nothing left for the full sweep.
    expect(writes(await svc.sweepDryRun(t.clock.now()))).toBe(0);
    expect(await db.case.count({ where: { planOn: '' } })).toBe(0);

    // A deadline reassigned: its pending nudges are re-armed for Olga, as Prisma read them before.
    const pending = await db.reminder.findFirstOrThrow({
      where: { status: 'PENDING', kind: 'deadline_nudge', recipientId: owen.id },
      select: { subjectId: true, dedupeKey: true, dueAt: true },
    });
    const d = (await svc.deadlines.byId(pending.subjectId))!;
    expect(await svc.deadlines.reassign(d, olga.id, WHO)).toBe(true);
    const re = (await svc.tick(t.clock.now())) as TickReport;
    expect(re.full).toBe(0);
    expect(re.remindersUpdated).toBeGreaterThan(0);
    const row = await db.reminder.findUniqueOrThrow({ where: { dedupeKey: pending.dedupeKey } });
    expect(row.status).toBe('PENDING');
    expect(row.recipientId).toBe(olga.id);
    expect(row.dueAt.getTime()).toBe(pending.dueAt.getTime());
    expect(row.updatedAt.getTime()).toBeGreaterThan(row.createdAt.getTime() - 1);
    const payload = row.payload as { message: { kind: string; text: string }; priority: number };
    expect(payload.message.kind).toBe('deadline_nudge');
    expect(typeof payload.priority).toBe('number');
    expect(writes(await svc.sweepDryRun(t.clock.now()))).toBe(0);
  }, 120_000);

  it('treats a new slot whose key is stored outside its read as a lookup by key would', async () => {
    // PostgreSQL writes the slots missing from its read of every status without a lookup by key (an
    // upsert); SQLite looks them up. A reminder with the slot's key but another subject (so neither read
    // of the case's reminders sees it): CANCELLED is re-armed, PLANNED left alone, nothing inserted twice.
    t = await startTestHub(provider, {
      now: '2027-03-01T08:30:00Z',
      modules: [deadlinesModule()],
      env: { DEADLINE_PLAN_INTERVAL_SECONDS: '0', DEADLINE_FULL_SWEEP_SECONDS: '2592000' },
    });
    const svc = t.hub.services.get('deadlines') as DeadlineService;
    const db = t.hub.dbh.db;
    const org = await db.organisation.create({ data: { name: 'Northshire LA', kind: 'LOCAL_AUTHORITY' } });
    const manager = await db.staff.create({
      data: { orgId: org.id, displayName: 'Maya Manager', email: 'maya@la.example' },
    });
    const owen = await db.staff.create({
      data: { orgId: org.id, displayName: 'Owen', email: 'owen@la.example', lineManagerId: manager.id },
    });
    for (let i = 0; i < 6; i++) {
      const student = await db.student.create({
        data: { orgId: org.id, givenName: `G${i}`, familyName: 'F', yearGroup: '6' },
      });
      await svc.openCase({
        orgId: org.id,
        studentId: student.id,
        kind: 'EHC_NEEDS_ASSESSMENT',
        startDate: addDays('2027-01-08', i * 3),
        ownerId: owen.id,
      });
    }
    await svc.tick(t.clock.now(), true);
    const [cancelled, planned] = await db.reminder.findMany({
      where: { status: 'PENDING', kind: 'deadline_nudge' },
      orderBy: { dedupeKey: 'asc' },
      take: 2,
    });
    expect(planned).toBeDefined();
    await db.reminder.update({
      where: { id: cancelled!.id },
      data: { status: 'CANCELLED', subjectId: 'elsewhere-1', contentHash: 'old' },
    });
    const handed = await db.reminder.update({
      where: { id: planned!.id },
      data: { status: 'PLANNED', subjectId: 'elsewhere-2' },
    });
    // Their cases changed (the next steady tick plans them).
    const caseIds = await db.deadline.findMany({
      where: { id: { in: [cancelled!.subjectId, planned!.subjectId] } },
      select: { caseId: true },
    });
    await db.case.updateMany({
      where: { id: { in: caseIds.map((c) => c.caseId) } },
      data: { planOn: '', planVersion: { increment: 1 } },
    });
    svc.changed();
    const report = (await svc.tick(t.clock.now())) as TickReport;
    expect(report.full).toBe(0);
    expect(report.remindersCreated).toBe(0);
    expect(report.remindersUpdated).toBe(1);
    const rearmed = await db.reminder.findUniqueOrThrow({ where: { id: cancelled!.id } });
    expect(rearmed.status).toBe('PENDING');
    expect(rearmed.contentHash).toBe(cancelled!.contentHash);
    expect(rearmed.payload).toEqual(cancelled!.payload);
    const left = await db.reminder.findUniqueOrThrow({ where: { id: planned!.id } });
    expect([left.status, left.updatedAt.getTime()]).toEqual(['PLANNED', handed.updatedAt.getTime()]);
    expect(
      await db.reminder.count({ where: { dedupeKey: { in: [cancelled!.dedupeKey, planned!.dedupeKey] } } }),
    ).toBe(2);
  }, 120_000);
});
