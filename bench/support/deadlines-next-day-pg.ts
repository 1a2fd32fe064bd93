/**
 * The deadline benchmark's next-morning figure on PostgreSQL (issue 18): the same generated LA as the
 * SQLite measure (bench/deadlines.bench.ts), its first tick, three full sweeps with nothing to write (the
 * baseline of the ratio), the day's due reminders handed to the outbox as the due-reminders planner does,
 * then the next morning's first steady tick, timed. Only the morning and its sweep: the steady ticks and
 * the 40,000-case figures stay SQLite's, so the benchmark grows by about a minute, not by a second run.
 *
 * Before the morning the tables are vacuumed and analysed, as autovacuum would have done overnight after
 * the first tick's 100,000 inserted rows and the hand-over's updates (the test server runs with autovacuum
 * off). The tick does not depend on it for its plans (store/deadline-repository.ts probes indexes through
 * arrays), but the pages the hand-over rewrote would otherwise be read for the first time, their hint bits
 * set, by the timed tick.
 */
import pg from 'pg';
import type { TickReport } from '../../app/deadlines/service.ts';
import { addCases, deadlinesHub } from '../deadlines.bench.ts';
import type { Figure } from '../figure.ts';
import { timed } from './bench-hub.ts';

export interface NextDayPg {
  /** Median of three full sweeps of the same cases with nothing to write, the morning before. */
  full: number;
  nextDay: { ms: number; report: TickReport };
}

export async function measureNextDayPg(n: number, now: Date): Promise<NextDayPg> {
  const today = now.toISOString().slice(0, 10);
  const { db, hub, svc, la } = await deadlinesHub('postgres', now);
  try {
    await addCases(hub.dbh.db, 'postgres', la, n, today);
    await svc.tick(now, true);
    const sweeps: number[] = [];
    for (let i = 0; i < 3; i++) sweeps.push((await timed(() => svc.tick(now, true))).ms);
    const day2 = new Date(now.getTime() + 86_400_000);
    await hub.dbh.db.reminder.updateMany({
      where: { status: 'PENDING', dueAt: { lt: day2 } },
      data: { status: 'PLANNED', plannedAt: day2 },
    });
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    await c.query('VACUUM ANALYZE');
    await c.end();
    const nextDay = await timed(() => svc.tick(day2));
    return {
      full: [...sweeps].sort((a, b) => a - b)[1]!,
      nextDay: { ms: nextDay.ms, report: nextDay.value as TickReport },
    };
  } finally {
    await hub.dbh.close();
    await db.drop();
  }
}

/** The next-morning figures on PostgreSQL (the same goal as SQLite's), beside SQLite's unchanged names. */
export function nextDayPgFigures(p: NextDayPg, n: number): Figure[] {
  const r = p.nextDay.report;
  return [
    {
      name: 'deadlines.tick_20k.next_day_ms_postgres',
      value: p.nextDay.ms,
      unit: 'ms',
      goal: '< 1000',
      pass: p.nextDay.ms < 1000,
      baseline: `PostgreSQL, the next morning's first steady tick: ${r.cases} of ${n} cases; ${r.remindersCreated} new nudges, ${r.remindersCancelled} withdrawn; read ${r.readMs} ms, compute ${r.computeMs} ms, write ${r.writeMs} ms, reconcile ${r.reconcileMs} ms; full sweep ${p.full.toFixed(0)} ms`,
    },
    {
      name: 'deadlines.tick_20k.next_day_vs_full_sweep_postgres',
      value: p.nextDay.ms / p.full,
      unit: 'ratio',
      baseline: `PostgreSQL's full sweep of the same ${n} open cases, nothing changed (${p.full.toFixed(0)} ms, median of 3)`,
    },
  ];
}
