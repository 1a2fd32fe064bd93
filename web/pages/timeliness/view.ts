/**
 * The LA timeliness page's data (issue 17): the period read from the GET form (months, default the last
 * 36), the plans issued in it (store/timeliness-repository.ts) counted as SEN2 counts them
 * (core/deadlines/timeliness.ts), the chart's geometry, and the open assessments that will breach unless
 * something happens this week.
 */
import type { DeadlineService } from '../../../app/deadlines/service.ts';
import { addDays } from '../../../core/calendar/iso-date.ts';
import { formatDate } from '../../../core/deadlines/nudges.ts';
import {
  breachThisWeek,
  monthLabel,
  type TimelinessCount,
  timelinessOfGroups,
} from '../../../core/deadlines/timeliness.ts';
import { timelinessChart } from '../../../core/deadlines/timeliness-chart.ts';
import { TimelinessRepository } from '../../../store/timeliness-repository.ts';
import type { WebContext } from '../../kit.ts';

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

function shiftMonth(ym: string, n: number): string {
  const total = Number(ym.slice(0, 4)) * 12 + Number(ym.slice(5, 7)) - 1 + n;
  return `${Math.floor(total / 12)}-${String((total % 12) + 1).padStart(2, '0')}`;
}

function lastDayOf(ym: string): string {
  return addDays(`${shiftMonth(ym, 1)}-01`, -1);
}

/** Read `from` and `to` (YYYY-MM); a bad value is named in `errors` and the default used. */
export function readPeriod(q: Record<string, unknown>, today: string) {
  const errors: { field: string; text: string }[] = [];
  const thisMonth = today.slice(0, 7);
  let to = thisMonth;
  let from = shiftMonth(thisMonth, -35);
  const read = (field: 'from' | 'to') => {
    const v = q[field];
    if (v === undefined || v === '') return undefined;
    if (typeof v === 'string' && MONTH.test(v)) return v;
    errors.push({
      field,
      text: `${field === 'from' ? 'From' : 'To'} must be a month written as YYYY-MM, for example 2026-04`,
    });
    return undefined;
  };
  to = read('to') ?? to;
  from = read('from') ?? (q.to ? shiftMonth(to, -35) : from);
  if (from > to) {
    errors.push({ field: 'from', text: 'From must be the same month as To or earlier' });
    from = shiftMonth(to, -35);
  }
  if (shiftMonth(from, 120) <= to) {
    errors.push({ field: 'from', text: 'The period can be at most 10 years' });
    from = shiftMonth(to, -35);
  }
  return { from, to, errors };
}

const row = (c: TimelinessCount) => ({
  label: c.label,
  plans: c.plans,
  within: c.within,
  pctIncluding: c.pctIncluding === null ? '–' : `${c.pctIncluding}%`,
  plansExcluding: c.plansExcluding,
  withinExcluding: c.withinExcluding,
  pctExcluding: c.pctExcluding === null ? '–' : `${c.pctExcluding}%`,
  exceptions: c.exceptions,
  beforeHistory: c.beforeHistory,
});

export async function timelinessView(ctx: WebContext, svc: DeadlineService, q: Record<string, unknown>) {
  const today = svc.today();
  const { from, to, errors } = readPeriod(q, today);
  const repo = new TimelinessRepository(ctx.hub.dbh.db, ctx.hub.dbh.provider);
  // The two reads at once: on PostgreSQL each has its own pooled connection, so the page waits for the
  // longer of them, not both (bench web-pages); on SQLite they run one after the other as before.
  // An open assessment can only breach within the week if its 20-week date is this week or its remaining
  // steps (at most about 10 weeks of them, core/deadlines/at-risk.ts) reach that date: look 14 weeks ahead.
  const [groups, open] = await Promise.all([
    repo.planGroups(ctx.actor.orgId, `${from}-01`, lastDayOf(to)),
    repo.openNearTwentyWeeks(ctx.actor.orgId, today, addDays(today, 98)),
  ]);
  const t = timelinessOfGroups(groups, { from, to });
  await svc.ensureHolidays();
  const breach = breachThisWeek(open, today, svc.holidays);
  return {
    from,
    to,
    errors,
    periodText: `${monthLabel(from)} to ${monthLabel(to)}`,
    today,
    todayText: formatDate(today),
    counts: t,
    total: row(t.total),
    byMonth: t.byMonth.map(row),
    byYear: t.byYear.map(row),
    byOfficer: t.byOfficer.map(row),
    /** Plans whose officer on the day of issue is not known from the case's history (docs/web.md). */
    beforeHistory: t.total.beforeHistory,
    chart: timelinessChart(t.byMonth),
    breach: breach.map((b) => ({
      ref: b.ref,
      officer: b.officerName ?? 'No officer',
      due: formatDate(b.finalDueOn),
      dueOn: b.finalDueOn,
      steps: b.steps.join('; '),
      why: b.why,
    })),
    csvUrl: `/app/timeliness?from=${from}&to=${to}&format=csv`,
  };
}

/**
 * The CSV export: one line per month, calendar year, officer (the officer who held the case on the day of
 * issue), and the whole period; the last column counts the plans whose officer comes from before the
 * case's assignment history was kept.
 */
export function timelinessCsvRows(v: Awaited<ReturnType<typeof timelinessView>>): unknown[][] {
  const line = (group: string, key: string, c: TimelinessCount) => [
    group,
    key,
    c.plans,
    c.within,
    c.pctIncluding ?? '',
    c.plansExcluding,
    c.withinExcluding,
    c.pctExcluding ?? '',
    c.exceptions,
    c.beforeHistory,
  ];
  return [
    ...v.counts.byMonth.map((c) => line('month', c.key, c)),
    ...v.counts.byYear.map((c) => line('calendar year', c.key, c)),
    ...v.counts.byOfficer.map((c) => line('officer', c.label, c)),
    line('period', `${v.from} to ${v.to}`, v.counts.total),
  ];
}

export const TIMELINESS_CSV_HEADER = [
  'Group',
  'Month, year or officer',
  'EHC plans issued',
  'Issued within 20 weeks',
  'Percent within 20 weeks (including exceptions)',
  'Plans without an exception',
  'Issued within 20 weeks (without an exception)',
  'Percent within 20 weeks (excluding exceptions)',
  'Plans with an exception',
  'Plans counted under the officer from before the assignment history',
];
