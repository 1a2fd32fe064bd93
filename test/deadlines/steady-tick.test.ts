/**
 * The steady tick (issue 18, docs/deadlines.md "How the tick works") plans only the cases whose moment
 * has come or whose inputs changed. Proof that it loses nothing:
 * - over a simulated half term of a generated LA (the test clock advancing day by day, random key dates,
 *   exceptions, snoozes, met deadlines, reassignments, new and closed cases, term dates, a renamed child,
 *   a new line manager), after every tick the full sweep, computed from the same database, would write
 *   nothing: no deadline, no nudge or escalation created, changed or withdrawn. Most ticks are steady and
 *   read a small part of the caseload, and the reminders they plan go to the outbox as usual;
 * - the same across the Easter bank holidays and the end and start of a term, with a tick just after each
 *   midnight (a case's next moment is the day a nudge or escalation enters the horizon: the morning's
 *   first tick plans only those cases);
 * - a change written behind the repositories' back (no change mark) is not seen by a steady tick and is
 *   caught by the hourly full sweep.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { deadlinesModule } from '../../app/deadlines/module.ts';
import type { DeadlineService, TickReport } from '../../app/deadlines/service.ts';
import { addDays } from '../../core/calendar/iso-date.ts';
import type { CaseKind } from '../../core/deadlines/types.ts';
import type { Who } from '../../store/case-repository.ts';
import { providers } from '../support/db.ts';
import { startTestHub, type TestHub } from '../support/hub.ts';

const WHO: Who = { actorId: null, actorKind: 'system', channel: 'SYSTEM' };
const writes = (r: TickReport) =>
  r.created + r.updated + r.remindersCreated + r.remindersUpdated + r.remindersCancelled;

/** A deterministic generator (the same LA and term on every run). */
function generator(seed: number) {
  let s = seed;
  const rnd = () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return s / 2 ** 31;
  };
  return { rnd, pick: <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]! };
}

const KINDS: CaseKind[] = [
  'EHC_NEEDS_ASSESSMENT',
  'EHC_NEEDS_ASSESSMENT',
  'EHC_NEEDS_ASSESSMENT',
  'ANNUAL_REVIEW',
  'CHILD_PROTECTION',
  'EARLY_HELP',
  'SUSPENSION',
  'PEP',
];
/** Key dates recorded during the term, per kind (past dates; a few planned ahead where the pack allows). */
const EVENTS: Partial<Record<CaseKind, string[]>> = {
  EHC_NEEDS_ASSESSMENT: ['advice_requested', 'assessment_decision', 'draft_served', 'final_plan_issued'],
  ANNUAL_REVIEW: ['review_meeting_scheduled', 'review_meeting_held', 'review_report_sent'],
  CHILD_PROTECTION: ['strategy_discussion', 'icpc_held', 'core_group_held'],
  EARLY_HELP: ['tac_review_held'],
  SUSPENSION: ['first_day_of_suspension', 'return_date', 'representations_received'],
  PEP: ['pep_initiated', 'pep_reviewed'],
};

async function seedLa(t: TestHub) {
  const db = t.hub.dbh.db;
  const org = await db.organisation.create({ data: { name: 'Generated LA', kind: 'LOCAL_AUTHORITY' } });
  const manager = await db.staff.create({
    data: { orgId: org.id, displayName: 'Maya Manager', email: 'maya@la.example' },
  });
  const officers: string[] = [];
  for (let i = 0; i < 6; i++)
    officers.push(
      (
        await db.staff.create({
          data: {
            orgId: org.id,
            displayName: `Officer ${i}`,
            email: `o${i}@la.example`,
            lineManagerId: i < 4 ? manager.id : null,
          },
        })
      ).id,
    );
  await db.termDate.create({
    data: { orgId: org.id, kind: 'TERM', startDate: '2027-01-05', endDate: '2027-03-26' },
  });
  return { org, manager, officers };
}

describe.each(providers)('steady deadline tick (%s)', (provider) => {
  let t: TestHub | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  /**
   * Simulate `days` days from `start` of a generated LA: each day's changes through the hub, then the
   * scheduler's ticks at `hours` (UTC); after every tick the full sweep computed from the same database
   * (`sweepDryRun`) would write nothing. Returns the counts the callers assert on.
   */
  async function simulate(o: {
    start: string;
    days: number;
    hours: string[];
    seed: number;
    /** Term dates beside the spring term (5 January to 26 March 2027) every generated LA has. */
    terms: { kind: string; startDate: string; endDate: string }[];
  }) {
    t = await startTestHub(provider, {
      now: `${o.start}T${o.hours[0]}:00Z`,
      modules: [deadlinesModule()],
      // No hourly sweep within the simulation: every tick but the digest day's first is steady.
      env: { DEADLINE_PLAN_INTERVAL_SECONDS: '0', DEADLINE_FULL_SWEEP_SECONDS: '2592000' },
    });
    const svc = t.hub.services.get('deadlines') as DeadlineService;
    const db = t.hub.dbh.db;
    const la = await seedLa(t);
    for (const term of o.terms) await db.termDate.create({ data: { orgId: la.org.id, ...term } });
    const { rnd, pick } = generator(o.seed);
    const open: { id: string; kind: CaseKind }[] = [];
    const openCase = async (today: string) => {
      const kind = pick(KINDS);
      // On the roll for a while: a student written in the wall-clock second before a tick's reads counts as
      // changed at the next tick (app/deadlines/planner.ts), so on a fast run every new case's student was
      // planned again tick after tick (a CI run's mornings averaged 49 of 56 cases; 28 on a quiet one).
      const long = new Date(Date.now() - 86_400_000);
      const student = await db.student.create({
        data: {
          orgId: la.org.id,
          givenName: `G${open.length}`,
          familyName: 'F',
          yearGroup: '5',
          createdAt: long,
          updatedAt: long,
        },
      });
      const c = await svc.openCase({
        orgId: la.org.id,
        studentId: student.id,
        kind,
        startDate: addDays(today, -Math.floor(rnd() * 120)),
        ownerId: pick(la.officers),
      });
      open.push({ id: c.caseId, kind });
    };
    for (let i = 0; i < 60; i++) await openCase(o.start);

    let steady = 0;
    let steadyCases = 0;
    /** The first tick of each day, when steady: the cases it planned (those whose moment had come). */
    const mornings: number[] = [];
    let outboxed = 0;
    for (let day = 0; day < o.days; day++) {
      const today = addDays(o.start, day);
      t.clock.set(`${today}T${o.hours[0]}:00Z`);
      // The day's changes, through the hub as officers and imports make them.
      for (let k = Math.floor(rnd() * 6); k > 0; k--) {
        const r = rnd();
        const c = pick(open);
        if (r < 0.35) {
          const kind = pick(EVENTS[c.kind] ?? ['x']);
          await svc
            .recordEvent(c.id, kind, addDays(today, -Math.floor(rnd() * 10)), WHO)
            .catch(() => undefined); // refused (not a key event of this kind, or before its anchor): fine
        } else if (r < 0.6) {
          const ds = await db.deadline.findMany({
            where: { caseId: c.id, status: { in: ['OPEN', 'PAUSED'] } },
          });
          if (ds.length === 0) continue;
          const d = (await svc.deadlines.byId(pick(ds).id))!;
          const what = rnd();
          if (what < 0.3) await svc.deadlines.markMet(d, today, WHO);
          else if (what < 0.55) await svc.deadlines.snooze(d, addDays(today, 2), WHO);
          else if (what < 0.75) await svc.deadlines.reassign(d, pick(la.officers), WHO);
          else if (d.status === 'PAUSED') await svc.deadlines.resume(d, WHO);
          else
            await svc.deadlines.pause(
              d,
              { reason: 'a', fromDate: today, toDate: null, evidenceEnc: null },
              WHO,
            );
        } else if (r < 0.75) await openCase(today);
        else if (r < 0.85) {
          await svc.cases.close(c.id, WHO);
          open.splice(open.indexOf(c), 1);
        } else if (r < 0.9) {
          // An INSET day, or the half-term closure (term dates of the organisation).
          await db.termDate.create({
            data: {
              orgId: la.org.id,
              kind: 'INSET',
              startDate: addDays(today, 3 + day),
              endDate: addDays(today, 3 + day),
            },
          });
        } else if (r < 0.95) {
          const s = await db.case.findUniqueOrThrow({ where: { id: c.id }, select: { studentId: true } });
          await db.student.update({ where: { id: s.studentId }, data: { givenName: `Renamed${day}` } });
        } else {
          // Officers without a manager get one (their escalations are routed to her from now on).
          await db.staff.updateMany({
            where: { orgId: la.org.id, lineManagerId: null, id: { not: la.manager.id } },
            data: { lineManagerId: la.manager.id },
          });
        }
      }
      for (const hour of o.hours) {
        t.clock.set(`${today}T${hour}:00Z`);
        svc.changed();
        const report = (await t.hub.scheduler.tick()).planners.deadlines as unknown as TickReport;
        if (!report.full) {
          steady++;
          steadyCases += report.cases;
          if (hour === o.hours[0]) mornings.push(report.cases);
        }
        const check = await svc.sweepDryRun(t.clock.now());
        expect({ ...check, day: today, hour, steadyBefore: !report.full }).toMatchObject({
          created: 0,
          updated: 0,
          remindersCreated: 0,
          remindersUpdated: 0,
          remindersCancelled: 0,
        });
      }
      outboxed = await db.outboxMessage.count();
    }
    return { steady, steadyCases, mornings, outboxed, open: open.length };
  }

  it('leaves, day after day of a simulated term, exactly what the full sweep would', async () => {
    const r = await simulate({
      start: '2027-01-11',
      days: 35,
      hours: ['07:00', '15:30'],
      seed: 7,
      terms: [],
    });
    // Most ticks were steady and planned a small part of the caseload; nudges reached the outbox.
    expect(r.steady).toBeGreaterThan(55);
    expect(r.steadyCases / r.steady).toBeLessThan(r.open / 2);
    expect(r.outboxed).toBeGreaterThan(0);
  }, 180_000);

  it('and so just after midnight, across the Easter bank holidays, the end of a term and the next', async () => {
    // Good Friday 26 and Easter Monday 29 March 2027 (the bundled England and Wales list); the spring term
    // ends on the 26th with a closure day before it, the summer term starts on 12 April. Ticks just after
    // each day boundary (the day's first: every moment of the day comes due at once) and in the afternoon.
    const r = await simulate({
      start: '2027-03-15',
      days: 25,
      hours: ['00:05', '15:30'],
      seed: 11,
      terms: [
        { kind: 'CLOSURE', startDate: '2027-03-25', endDate: '2027-03-25' },
        { kind: 'TERM', startDate: '2027-04-12', endDate: '2027-07-21' },
      ],
    });
    // The first tick of a day plans the cases with something due that day, plus those changed since the last
    // tick (a renamed student among them, by the wall clock): so this bound is loose. The proof is the sweep
    // check above.
    const seen = `steady mornings planned ${r.mornings.join(', ')} of ${r.open} open cases`;
    expect(r.mornings.length, seen).toBeGreaterThan(18);
    const avg = r.mornings.reduce((a, b) => a + b, 0) / r.mornings.length;
    expect(avg, seen).toBeLessThan(r.open * 0.75);
    expect(r.outboxed).toBeGreaterThan(0);
  }, 180_000);

  it('a change written without its mark waits for the hourly full sweep, which catches it', async () => {
    t = await startTestHub(provider, {
      now: '2027-03-02T08:30:00Z',
      modules: [deadlinesModule()],
      env: { DEADLINE_PLAN_INTERVAL_SECONDS: '0' },
    });
    const svc = t.hub.services.get('deadlines') as DeadlineService;
    const db = t.hub.dbh.db;
    const la = await seedLa(t);
    // On the roll for a while (a student changed since the last tick would make the steady tick plan the case).
    const long = new Date(Date.now() - 86_400_000);
    const student = await db.student.create({
      data: { orgId: la.org.id, givenName: 'A', familyName: 'B', createdAt: long, updatedAt: long },
    });
    const ehc = await svc.openCase({
      orgId: la.org.id,
      studentId: student.id,
      kind: 'EHC_NEEDS_ASSESSMENT',
      startDate: '2026-12-21',
      ownerId: la.officers[0]!,
    });
    const first = (await svc.tick(t.clock.now())) as TickReport;
    expect(first.full).toBe(1);
    // The request date corrected in the database by hand: no change mark on the case.
    await db.caseEvent.updateMany({
      where: { caseId: ehc.caseId, kind: 'request_received' },
      data: { occurredOn: '2026-12-28' },
    });
    const e1 = () => db.deadline.findFirstOrThrow({ where: { caseId: ehc.caseId, ruleId: 'E1' } });
    t.clock.set('2027-03-02T08:35:00Z');
    const steady = (await svc.tick(t.clock.now())) as TickReport;
    expect(steady.full).toBe(0);
    expect(steady.cases).toBe(0);
    expect((await e1()).dueOn).toBe(addDays('2026-12-21', 42));
    // The full sweep would move the deadlines counted from the request (E1, E4, E7 …).
    const missed = (await svc.sweepDryRun(t.clock.now())).updated;
    expect(missed).toBeGreaterThan(0);
    // An hour after the last full sweep: the next tick sweeps every open case and moves the deadline
    // (reg 5(1): six weeks from the request), withdrawing the escalations of the old date.
    t.clock.set('2027-03-02T09:30:00Z');
    const sweep = (await svc.tick(t.clock.now())) as TickReport;
    expect(sweep.full).toBe(1);
    expect(sweep.updated).toBe(missed);
    expect((await e1()).dueOn).toBe(addDays('2026-12-28', 42));
    expect(sweep.remindersCancelled).toBeGreaterThanOrEqual(1);
    expect(writes((await svc.sweepDryRun(t.clock.now())) as TickReport)).toBe(0);
  });
});
