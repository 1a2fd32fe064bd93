/**
 * The planner tick at steady state (issue 3 benchmark, docs/deadlines.md "Performance"): a tick over
 * unchanged cases writes nothing (no deadline, no reminder row touched), and a key date changed behind
 * the engine's back (an import, a correction in the database) is picked up by the next tick: the deadline
 * moves, its nudges follow. Also: the packed planner read returns what the relational read returns,
 * including nulls, empty strings and free text containing the packing's separator characters.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { deadlinesModule } from '../../app/deadlines/module.ts';
import type { DeadlineService, TickReport } from '../../app/deadlines/service.ts';
import { addDays } from '../../core/calendar/iso-date.ts';
import { providers } from '../support/db.ts';
import { startTestHub, type TestHub } from '../support/hub.ts';

const NOW = new Date('2027-03-01T08:30:00Z');

async function seed(t: TestHub) {
  const db = t.hub.dbh.db;
  const org = await db.organisation.create({ data: { name: 'Northshire LA', kind: 'LOCAL_AUTHORITY' } });
  const manager = await db.staff.create({
    data: { orgId: org.id, displayName: 'Maya Manager', email: 'maya@la.example' },
  });
  const officer = await db.staff.create({
    data: { orgId: org.id, displayName: 'Owen Officer', email: 'owen@la.example', lineManagerId: manager.id },
  });
  const student = (givenName: string, familyName: string, yearGroup: string | null) =>
    db.student.create({ data: { orgId: org.id, givenName, familyName, yearGroup } });
  return {
    org,
    officer,
    a: await student('Zebedee', 'Quillfeather', '4'),
    b: await student('\u001fAnna', 'Be\u001en', null),
  };
}

async function snapshot(t: TestHub) {
  const db = t.hub.dbh.db;
  return {
    deadlines: await db.deadline.findMany({
      orderBy: { id: 'asc' },
      select: { id: true, ruleId: true, dueOn: true, status: true, metOn: true, updatedAt: true },
    }),
    reminders: await db.reminder.findMany({
      orderBy: { dedupeKey: 'asc' },
      select: {
        dedupeKey: true,
        status: true,
        dueAt: true,
        payload: true,
        contentHash: true,
        updatedAt: true,
      },
    }),
  };
}

const writes = (r: TickReport) =>
  r.created + r.updated + r.remindersCreated + r.remindersUpdated + r.remindersCancelled;

describe.each(providers)('planner tick at steady state (%s)', (provider) => {
  let t: TestHub | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('writes nothing when nothing changed, and picks up a key date changed in the database', async () => {
    t = await startTestHub(provider, {
      now: NOW.toISOString(),
      modules: [deadlinesModule()],
      env: { DEADLINE_PLAN_INTERVAL_SECONDS: '0' },
    });
    const svc = t.hub.services.get('deadlines') as DeadlineService;
    const s = await seed(t);
    // Request 10 weeks ago: the 6-week decision is overdue (escalation), advice requests are due soon.
    const ehc = await svc.openCase({
      orgId: s.org.id,
      studentId: s.a.id,
      kind: 'EHC_NEEDS_ASSESSMENT',
      startDate: '2026-12-21',
      ownerId: s.officer.id,
      events: [{ kind: 'advice_requested', occurredOn: '2027-01-21' }],
    });
    await svc.openCase({
      orgId: s.org.id,
      studentId: s.b.id,
      kind: 'CHILD_PROTECTION',
      startDate: '2027-02-15',
      ownerId: s.officer.id,
      reference: '',
    });

    const first = (await svc.tick(NOW, true)) as TickReport;
    expect(first.cases).toBe(2);
    expect(first.remindersCreated).toBeGreaterThan(0);
    const before = await snapshot(t);
    expect(before.reminders.some((r) => r.dedupeKey.includes(':escalation:'))).toBe(true);

    // Steady: same inputs, nothing written (not even updatedAt).
    const second = (await svc.tick(NOW, true)) as TickReport;
    expect(writes(second)).toBe(0);
    expect(second.nudges).toBe(first.nudges);
    expect(await snapshot(t)).toEqual(before);

    // The request date is corrected in the database (no call through the service): one week later.
    const db = t.hub.dbh.db;
    const moved = await db.caseEvent.updateMany({
      where: { caseId: ehc.caseId, kind: 'request_received' },
      data: { occurredOn: '2026-12-28' },
    });
    expect(moved.count).toBe(1);
    const third = (await svc.tick(NOW, true)) as TickReport;
    expect(third.updated).toBeGreaterThanOrEqual(1);
    const e1 = await db.deadline.findFirstOrThrow({ where: { caseId: ehc.caseId, ruleId: 'E1' } });
    // E1: decision whether to assess within 6 weeks of the request (reg 5(1)): 28 Dec + 42 days.
    expect(e1.dueOn).toBe(addDays('2026-12-28', 42));
    const old = before.deadlines.find((d) => d.id === e1.id)!;
    expect(old.dueOn).toBe(addDays('2026-12-21', 42));
    // The escalation planned for the old due date is withdrawn; one for the new due date is pending.
    const after = await snapshot(t);
    const esc = (dueOn: string) =>
      after.reminders.filter((r) => r.dedupeKey.startsWith(`deadline:${e1.id}:${dueOn}:escalation:`));
    expect(esc(old.dueOn).length).toBeGreaterThan(0);
    expect(esc(old.dueOn).every((r) => r.status === 'CANCELLED')).toBe(true);
    expect(esc(e1.dueOn).map((r) => r.status)).toContain('PENDING');
    expect(third.remindersCancelled).toBeGreaterThanOrEqual(1);

    // And steady again.
    const fourth = (await svc.tick(NOW, true)) as TickReport;
    expect(writes(fourth)).toBe(0);
  });

  it('the packed planner read returns what the relational read returns', async () => {
    t = await startTestHub(provider, {
      now: NOW.toISOString(),
      modules: [deadlinesModule()],
      env: { DEADLINE_PLAN_INTERVAL_SECONDS: '0' },
    });
    const svc = t.hub.services.get('deadlines') as DeadlineService;
    const s = await seed(t);
    for (const [student, reference] of [
      [s.a, 'R-1'],
      [s.b, 'R-\u001e2'],
      [s.a, undefined],
    ] as const)
      await svc.openCase({
        orgId: s.org.id,
        studentId: student.id,
        kind: 'EHC_NEEDS_ASSESSMENT',
        startDate: '2027-01-04',
        ownerId: reference === undefined ? null : s.officer.id,
        ...(reference === undefined ? {} : { reference }),
      });
    await svc.tick(NOW, true);
    const db = t.hub.dbh.db;
    // A closed case is not planned.
    const closed = await svc.openCase({
      orgId: s.org.id,
      studentId: s.a.id,
      kind: 'EARLY_HELP',
      startDate: '2027-01-04',
      ownerId: null,
    });
    await svc.cases.close(closed.caseId, { actorId: null, actorKind: 'system', channel: 'SYSTEM' });
    // An empty reference (stored as such, not null) stays empty.
    await db.case.updateMany({ where: { reference: 'R-1' }, data: { reference: '' } });
    const d = await db.deadline.findFirstOrThrow({ where: { status: 'OPEN' } });
    await db.deadline.update({
      where: { id: d.id },
      data: { snoozedUntil: '2027-03-05', ownerId: s.officer.id, pausedReason: 'x\u001fy' },
    });

    const packed = await svc.cases.openForPlanning();
    const relational = await db.case.findMany({
      where: { status: 'OPEN' },
      orderBy: { id: 'asc' },
      select: {
        id: true,
        orgId: true,
        kind: true,
        rulePack: true,
        startDate: true,
        ownerId: true,
        reference: true,
        student: { select: { givenName: true, familyName: true, yearGroup: true } },
        planOn: true,
        planVersion: true,
        events: { select: { id: true, kind: true, occurredOn: true } },
        deadlines: {
          select: {
            id: true,
            caseId: true,
            ruleId: true,
            dueOn: true,
            ownerId: true,
            status: true,
            metOn: true,
            snoozedUntil: true,
            pausedReason: true,
          },
        },
      },
    });
    expect(packed.map((c) => c.id)).toEqual(relational.map((c) => c.id));
    // Separator characters in free text become spaces (initials and labels are unaffected).
    const clean = (v: string | null) =>
      v === null ? null : v.replaceAll('\u001e', ' ').replaceAll('\u001f', ' ');
    const norm = (cs: typeof relational) =>
      cs.map((c) => ({
        ...c,
        reference: clean(c.reference),
        student: {
          givenName: clean(c.student.givenName),
          familyName: clean(c.student.familyName),
          yearGroup: clean(c.student.yearGroup),
        },
        events: [...c.events].sort((x, y) => (x.id < y.id ? -1 : 1)),
        deadlines: [...c.deadlines]
          .map((x) => ({ ...x, pausedReason: clean(x.pausedReason) }))
          .sort((x, y) => (x.id < y.id ? -1 : 1)),
      }));
    expect(norm(packed as never)).toEqual(norm(relational));
    expect(packed.map((c) => c.reference)).toContain('');
    expect(packed.some((c) => c.ownerId === null)).toBe(true);
    expect(packed.flatMap((c) => c.deadlines).find((x) => x.id === d.id)?.snoozedUntil).toBe('2027-03-05');

    // One organisation's open cases (a caseload view, `due --org`) read as the planner reads them, and
    // none of another organisation's.
    const other = await db.organisation.create({ data: { name: 'Other school' } });
    const pupil = await db.student.create({
      data: { orgId: other.id, givenName: 'Other', familyName: 'Pupil', yearGroup: '3' },
    });
    const theirs = await svc.openCase({
      orgId: other.id,
      studentId: pupil.id,
      kind: 'EHC_NEEDS_ASSESSMENT',
      startDate: '2027-01-04',
      ownerId: null,
    });
    // A case's key dates and deadlines come in no set order (one deadline per rule).
    const byId = <T extends { id: string }>(xs: T[]) => [...xs].sort((x, y) => (x.id < y.id ? -1 : 1));
    const sorted = (cs: typeof packed) =>
      cs.map((c) => ({ ...c, events: byId(c.events), deadlines: byId(c.deadlines) }));
    const everyOpen = await svc.cases.openForPlanning();
    expect(everyOpen.map((c) => c.orgId)).toContain(other.id);
    expect(sorted(await svc.cases.openOfOrg(s.org.id))).toEqual(
      sorted(everyOpen.filter((c) => c.orgId === s.org.id)),
    );
    expect((await svc.cases.openOfOrg(other.id)).map((c) => c.id)).toEqual([theirs.caseId]);
  });
});
