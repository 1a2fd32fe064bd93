/**
 * A tick's writes (store/deadline-repository.ts `writeTick`, docs/deadlines.md "How the tick works"): on
 * PostgreSQL a share of the new nudges goes in through a second transaction beside the first, which holds
 * the rest and the cases' next moments and commits last. Forced here for every tick (`sideMin = 1`): the
 * stored state is what the full sweep would write, and when either transaction fails the cases' moments do
 * not move, so the tick run again writes what is missing (SQLite: one transaction, the same checks).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { deadlinesModule } from '../../app/deadlines/module.ts';
import type { DeadlineService, TickReport } from '../../app/deadlines/service.ts';
import { addDays } from '../../core/calendar/iso-date.ts';
import { providers } from '../support/db.ts';
import { startTestHub, type TestHub } from '../support/hub.ts';

const writes = (r: TickReport) =>
  r.created + r.updated + r.remindersCreated + r.remindersUpdated + r.remindersCancelled;

describe.each(providers)('a tick’s writes in two transactions (%s)', (provider) => {
  let t: TestHub | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  async function la() {
    t = await startTestHub(provider, {
      now: '2027-03-01T08:30:00Z',
      modules: [deadlinesModule()],
      env: { DEADLINE_PLAN_INTERVAL_SECONDS: '0', DEADLINE_FULL_SWEEP_SECONDS: '2592000' },
    });
    const svc = t.hub.services.get('deadlines') as DeadlineService;
    svc.deadlines.sideMin = 1;
    const db = t.hub.dbh.db;
    const org = await db.organisation.create({ data: { name: 'Northshire LA', kind: 'LOCAL_AUTHORITY' } });
    const manager = await db.staff.create({
      data: { orgId: org.id, displayName: 'Maya Manager', email: 'maya@la.example' },
    });
    const owen = await db.staff.create({
      data: { orgId: org.id, displayName: 'Owen', email: 'owen@la.example', lineManagerId: manager.id },
    });
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
    return { svc, db, t };
  }

  /** The next `n`th call of writeNudges throws before it writes (the other transaction runs on). */
  function failNth(svc: DeadlineService, n: number) {
    const repo = svc.deadlines;
    const orig = repo.writeNudges;
    let calls = 0;
    repo.writeNudges = async function (this: typeof repo, ...args: Parameters<typeof orig>) {
      if (++calls === n) throw new Error('writeNudges failed (test)');
      return orig.apply(this, args);
    };
    return () => {
      repo.writeNudges = orig;
      return calls;
    };
  }

  it('stores what the full sweep would, day after day', async () => {
    const { svc, db, t } = await la();
    const first = (await svc.tick(t.clock.now(), true)) as TickReport;
    expect(first.remindersCreated).toBeGreaterThan(1);
    expect(writes(await svc.sweepDryRun(t.clock.now()))).toBe(0);
    let created = 0;
    for (let day = 2; day <= 9; day++) {
      await t.hub.reminders.planDue();
      t.clock.set(`2027-03-${String(day).padStart(2, '0')}T07:00:00Z`);
      const r = (await svc.tick(t.clock.now())) as TickReport;
      created += r.remindersCreated;
      expect(writes(await svc.sweepDryRun(t.clock.now()))).toBe(0);
    }
    expect(created).toBeGreaterThan(1);
    expect(await db.case.count({ where: { planOn: '' } })).toBe(0);
  }, 120_000);

  it.each(
    provider === 'postgres' ? [1, 2] : [1],
  )('moves no case’s moment when write %i fails; the tick run again completes', async (n) => {
    const { svc, db, t } = await la();
    await svc.tick(t.clock.now(), true);
    // The first morning whose tick has new nudges to write (a dry run says), the days before ticked.
    let day = 2;
    for (; day <= 31; day++) {
      await t.hub.reminders.planDue();
      t.clock.set(`2027-03-${String(day).padStart(2, '0')}T07:00:00Z`);
      const today = t.clock.now().toISOString().slice(0, 10);
      const dry = await svc.planner.run(t.clock.now(), today, { full: false, dryRun: true });
      if (dry.remindersCreated > 1) break;
      await svc.tick(t.clock.now());
    }
    expect(day).toBeLessThanOrEqual(31);
    const moments = () =>
      db.case.findMany({ select: { id: true, planOn: true, planVersion: true }, orderBy: { id: 'asc' } });
    const before = await moments();
    const restore = failNth(svc, n);
    await expect(svc.tick(t.clock.now())).rejects.toThrow(/writeNudges failed/);
    expect(restore()).toBe(provider === 'postgres' ? 2 : 1);
    // No case's moment moved: the same cases are due again, and the tick run again writes the nudges.
    expect(await moments()).toEqual(before);
    const r = (await svc.tick(t.clock.now())) as TickReport;
    expect(r.remindersCreated).toBeGreaterThan(0);
    expect(writes(await svc.sweepDryRun(t.clock.now()))).toBe(0);
    expect(await db.case.count({ where: { planOn: '' } })).toBe(0);
  }, 120_000);
});
