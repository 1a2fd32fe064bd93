/**
 * Deadline engine (issue 3): one planner tick computing every deadline and every due nudge, escalation and
 * digest for a generated local authority of 20,000 open cases (30 officers, mixed case kinds), against
 * reading the same rows alone; and the 40,000 / 20,000 ratio (linear: goal <= 2.2). The steady tick is the
 * one that runs every few minutes; the first tick also creates every deadline and reminder row.
 */
import { randomUUID } from 'node:crypto';
import { deadlinesModule } from '../app/deadlines/module.ts';
import type { DeadlineService } from '../app/deadlines/service.ts';
import { addDays } from '../core/calendar/iso-date.ts';
import type { Db } from '../store/db.ts';
import type { Figure } from './figure.ts';
import { benchHub, freshDb, medianMs, scaled, timed } from './support/bench-hub.ts';
import { FixedClock } from './support/fixed-clock.ts';

export const description =
  'Deadline planner tick for a generated LA (20,000 and 40,000 open cases) vs reading the same rows; linearity 40k/20k';

const KINDS: [string, string, number][] = [
  ['EHC_NEEDS_ASSESSMENT', 'england-send-2014@cop-2015', 0.6],
  ['ANNUAL_REVIEW', 'england-send-2014@cop-2015', 0.2],
  ['CHILD_PROTECTION', 'england-working-together@2023', 0.1],
  ['PERMANENT_EXCLUSION', 'england-exclusions@2023', 0.05],
  ['EARLY_HELP', 'england-local-defaults@2026', 0.05],
];
const START: Record<string, string> = {
  EHC_NEEDS_ASSESSMENT: 'request_received',
  ANNUAL_REVIEW: 'plan_issued',
  CHILD_PROTECTION: 'strategy_discussion',
  PERMANENT_EXCLUSION: 'exclusion_notified',
  EARLY_HELP: 'early_help_started',
};

/** A deterministic LA: officers with a manager, students, cases started over the last 24 weeks. */
/** Exposed for profiling scripts. */
export async function __generate(db: Db, cases: number, today: string): Promise<void> {
  return generateLa(db, cases, today);
}

async function generateLa(db: Db, cases: number, today: string): Promise<void> {
  const org = await db.organisation.create({ data: { name: 'Generated LA', kind: 'LOCAL_AUTHORITY' } });
  const manager = await db.staff.create({
    data: { orgId: org.id, displayName: 'Manager', email: 'm@la.example' },
  });
  const officers: string[] = [];
  for (let i = 0; i < 30; i++) {
    const s = await db.staff.create({
      data: {
        orgId: org.id,
        displayName: `Officer ${i}`,
        email: `o${i}@la.example`,
        lineManagerId: manager.id,
      },
    });
    officers.push(s.id);
  }
  let seed = 42;
  const rnd = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  for (let i = 0; i < cases; i += 2000) {
    const n = Math.min(2000, cases - i);
    const students = Array.from({ length: n }, (_, k) => ({
      id: randomUUID(),
      orgId: org.id,
      givenName: `G${i + k}`,
      familyName: `F${i + k}`,
      yearGroup: String(1 + ((i + k) % 13)),
    }));
    await db.student.createMany({ data: students });
    const rows = students.map((s) => {
      const r = rnd();
      let acc = 0;
      const [kind, pack] =
        KINDS.find(([, , p]) => {
          acc += p;
          return acc >= r;
        }) ?? KINDS[0]!;
      const start = addDays(today, -Math.floor(rnd() * 168));
      return {
        id: randomUUID(),
        orgId: org.id,
        studentId: s.id,
        kind,
        rulePack: pack,
        startDate: start,
        ownerId: officers[Math.floor(rnd() * 30)]!,
      };
    });
    await db.case.createMany({
      data: rows.map((r) => ({ ...r, kind: r.kind as never, reference: r.id.slice(0, 8) })),
    });
    const events = rows.flatMap((r) => {
      const out = [{ caseId: r.id, kind: START[r.kind]!, occurredOn: r.startDate }];
      if (r.kind === 'EHC_NEEDS_ASSESSMENT' && rnd() < 0.5)
        out.push({ caseId: r.id, kind: 'advice_requested', occurredOn: addDays(r.startDate, 14) });
      if (r.kind === 'EHC_NEEDS_ASSESSMENT' && rnd() < 0.6)
        out.push({ caseId: r.id, kind: 'assessment_decision', occurredOn: addDays(r.startDate, 35) });
      return out;
    });
    await db.caseEvent.createMany({ data: events });
  }
}

async function measure(cases: number, now: Date) {
  const today = now.toISOString().slice(0, 10);
  const db = await freshDb('sqlite');
  const hub = await benchHub(db.url, {
    clock: new FixedClock(now),
    modules: [deadlinesModule()],
    env: { DEADLINE_PLAN_INTERVAL_SECONDS: '0' },
  });
  try {
    await generateLa(hub.dbh.db, cases, today);
    const svc = hub.services.get('deadlines') as DeadlineService;
    const cold = await timed(() => svc.tick(now, true));
    const steady = await medianMs(3, () => svc.tick(now, true));
    const read = await medianMs(3, async () => {
      let after: string | undefined;
      for (;;) {
        const page = await svc.cases.openForPlanning(after, 5000);
        if (page.length === 0) break;
        after = page[page.length - 1]!.id;
        if (page.length < 5000) break;
      }
    });
    const report = cold.value as { deadlines?: number; nudges?: number };
    return { cold: cold.ms, steady, read, deadlines: report.deadlines ?? 0, nudges: report.nudges ?? 0 };
  } finally {
    await hub.dbh.close();
    await db.drop();
  }
}

export async function run(): Promise<Figure[]> {
  // A Monday: the tick also builds the weekly digests.
  const now = new Date('2027-03-01T08:30:00Z');
  const n = scaled(20_000, 200);
  const a = await measure(n, now);
  const b = await measure(2 * n, now);
  return [
    {
      name: 'deadlines.tick_20k.steady_ms',
      value: a.steady,
      unit: 'ms',
      goal: '< 1000',
      pass: a.steady < 1000,
    },
    {
      name: 'deadlines.tick_20k.ratio_vs_read',
      value: a.steady / a.read,
      unit: 'ratio',
      baseline: `reading the same ${n} open cases with events and deadlines (${a.read.toFixed(0)} ms)`,
    },
    {
      name: 'deadlines.tick_20k.first_tick_ms',
      value: a.cold,
      unit: 'ms',
      baseline: 'creates every deadline and reminder',
    },
    {
      name: 'deadlines.tick_40k_vs_20k.ratio',
      value: b.steady / a.steady,
      unit: 'ratio',
      baseline: `steady tick at ${n} cases (${a.steady.toFixed(0)} ms)`,
      goal: '<= 2.2',
      pass: b.steady / a.steady <= 2.2,
    },
    { name: 'deadlines.tick_40k.steady_ms', value: b.steady, unit: 'ms' },
    { name: 'deadlines.tick_20k.deadlines', value: a.deadlines, unit: 'count' },
    { name: 'deadlines.tick_20k.nudges', value: a.nudges, unit: 'count' },
  ];
}
