/**
 * The foundation's first figure: time of one planner tick (organisations, the meetings module's
 * meeting-reminder planner with its reconcile, and due reminders → outbox) on the demo school and on a
 * generated school of 2,000 students with 10,000 meetings over a school year, as a ratio against reading
 * the same rows alone (the meetings the planner reminds about, over the planning horizon). A ratio near 1
 * means planning costs little beyond the read; a large ratio means per-row work dominates.
 *
 * The hub runs the meetings module, as `npm start` does (without it the container's simpler fallback
 * planner would be measured). Also reported: a full sweep of unchanged inputs (what a tick costs after any
 * change, and at least hourly), which the steady tick skips.
 */

import type { Hub } from '../app/container.ts';
import { loadDemoSchool } from '../app/demo/demo-school.ts';
import { meetingsModule, meetingsService } from '../app/meetings/meetings-module.ts';
import type { Figure } from './figure.ts';
import { benchHub, freshDb, medianMs, scaled, timed } from './support/bench-hub.ts';
import { FixedClock } from './support/fixed-clock.ts';
import { generateSchool } from './support/generate-school.ts';

export const description =
  'Planner tick on the demo school and a generated school (2,000 students, 10,000 meetings), vs reading the rows alone';

interface Measured {
  cold: number;
  steady: number;
  full: number;
  read: number;
}

async function measure(hub: Hub, now: Date): Promise<Measured> {
  const horizon = new Date(now.getTime() + hub.config.env.PLANNING_HORIZON_DAYS * 86_400_000);
  const from = new Date(now.getTime() - 86_400_000);
  const cold = (await timed(() => hub.scheduler.tick())).ms;
  const steady = await medianMs(5, () => hub.scheduler.tick());
  const full = await medianMs(3, () => meetingsService(hub).planWindow(hub.clock.now(), { full: true }));
  const read = await medianMs(5, () => hub.meetings.forReminders(from, horizon));
  return { cold, steady, full, read };
}

function figures(prefix: string, m: Measured): Figure[] {
  return [
    {
      name: `${prefix}.steady_tick.ratio_vs_read`,
      value: m.steady / m.read,
      unit: 'ratio',
      baseline: `reading the planner's meetings alone (${m.read.toFixed(1)} ms)`,
      goal: '<= 10',
      pass: m.steady / m.read <= 10,
    },
    {
      name: `${prefix}.first_tick.ratio_vs_read`,
      value: m.cold / m.read,
      unit: 'ratio',
      baseline: 'same read; the first tick creates every reminder row',
    },
    {
      name: `${prefix}.full_sweep.ratio_vs_read`,
      value: m.full / m.read,
      unit: 'ratio',
      baseline: 'same read; a sweep of unchanged inputs (after any change, and hourly), writing nothing',
    },
    { name: `${prefix}.steady_tick.ms`, value: m.steady, unit: 'ms' },
    { name: `${prefix}.full_sweep.ms`, value: m.full, unit: 'ms' },
  ];
}

export async function run(): Promise<Figure[]> {
  const now = new Date('2026-11-24T07:00:00Z');
  const clock = new FixedClock(now);
  const out: Figure[] = [];

  const demoDb = await freshDb('sqlite');
  const demo = await benchHub(demoDb.url, { clock, modules: [meetingsModule()] });
  await loadDemoSchool(demo.dbh.db, now);
  out.push(...figures('planner_tick.demo_school', await measure(demo, now)));
  await demo.dbh.close();
  await demoDb.drop();

  const students = scaled(2000, 50);
  const meetings = scaled(10_000, 100);
  const genDb = await freshDb('sqlite');
  const gen = await benchHub(genDb.url, { clock, modules: [meetingsModule()] });
  await generateSchool(gen.dbh.db, now, { students, meetings });
  const m = await measure(gen, now);
  out.push(...figures('planner_tick.generated_school', m));
  out.push({ name: 'planner_tick.generated_school.meetings', value: meetings, unit: 'count' });
  await gen.dbh.close();
  await genDb.drop();
  return out;
}
