/**
 * Suspensions (issue 14 point 6): the key dates a school records (each suspension's first day and the
 * pupil's return date) imply two duties the rule pack anchors on:
 * - education from the 6th school day of a suspension longer than 5 school days (Education and
 *   Inspections Act 2006 s.100; DfE "Suspension and permanent exclusion" guidance, 2023): a derived
 *   `suspension_beyond_5_days` event per such suspension (one with no return date yet counts as longer);
 * - the governing board must consider reinstatement within 15 school days of the notice when suspensions
 *   bring the pupil's total above 15 school days in a term (School Discipline (Pupil Exclusions and
 *   Reviews) (England) Regulations 2012 reg 6(3)(b), legislation.gov.uk/uksi/2012/1033/regulation/6): a
 *   derived `board_review_required` event dated at that suspension's notice.
 * School days are the school's (term dates, INSET and closures); terms are autumn, spring and summer.
 * A planned first day (the start the school notified, recorded with --planned before it comes) gives the
 * 6th-school-day date ahead, marked planned; the actual first day replaces it once recorded. Pure.
 */
import { addDays, type IsoDate } from '../calendar/iso-date.ts';
import { type SchoolDays, termPeriodOf } from '../calendar/school-days.ts';

interface Fact {
  id: string;
  kind: string;
  occurredOn: IsoDate;
}

export const DERIVED_EVENTS = new Set(['suspension_beyond_5_days']);

const PLANNED_FIRST_DAY = 'planned:first_day_of_suspension';
/** The end of a deadline key anchored on a planned first day: its date is planned (shown so). */
export const PLANNED_SUFFIX = '~x5p';
export const isPlannedKey = (key: string): boolean => key.endsWith(PLANNED_SUFFIX);

/** School days from `from` up to (not including) `to`, capped at 200. */
export function schoolDaysBetween(from: IsoDate, to: IsoDate, sd: SchoolDays): number {
  let n = 0;
  for (let d = from, i = 0; d < to && i < 400; d = addDays(d, 1), i++) if (sd.isSchoolDay(d)) n++;
  return n;
}

export function derivedSuspensionEvents(events: readonly Fact[], sd: SchoolDays): Fact[] {
  const sorted = [...events].sort((a, b) =>
    a.occurredOn < b.occurredOn ? -1 : a.occurredOn > b.occurredOn ? 1 : 0,
  );
  const returns = sorted.filter((e) => e.kind === 'return_date');
  const notices = sorted.filter((e) => e.kind === 'suspension_notified');
  const totals = new Map<IsoDate, number>();
  const out: Fact[] = [];
  const firsts = sorted.filter((e) => e.kind === 'first_day_of_suspension');
  for (const f of sorted) {
    if (f.kind === PLANNED_FIRST_DAY) {
      // A planned first day (the start the school notified: `case event ... --planned`) gives its 6th
      // school day, marked planned, until the actual first day of that suspension (one recorded on or
      // after the notice before it) replaces it. It counts no days towards the term's total.
      let notice: Fact | undefined;
      for (const n of notices) if (n.occurredOn <= f.occurredOn) notice = n;
      const since = (notice ?? f).occurredOn;
      if (firsts.some((a) => a.occurredOn >= since)) continue;
      const back = returns.find((r) => r.occurredOn > f.occurredOn);
      if (!back || schoolDaysBetween(f.occurredOn, back.occurredOn, sd) > 5)
        out.push({
          id: `${f.id}${PLANNED_SUFFIX}`,
          kind: 'suspension_beyond_5_days',
          occurredOn: f.occurredOn,
        });
      continue;
    }
    if (f.kind !== 'first_day_of_suspension') continue;
    const back = returns.find((r) => r.occurredOn > f.occurredOn);
    const days = back ? schoolDaysBetween(f.occurredOn, back.occurredOn, sd) : null;
    if (days === null || days > 5)
      out.push({ id: `${f.id}~x5`, kind: 'suspension_beyond_5_days', occurredOn: f.occurredOn });
    const term = termPeriodOf(f.occurredOn).start;
    const before = totals.get(term) ?? 0;
    const after = before + (days ?? 0);
    totals.set(term, after);
    if (before <= 15 && after > 15) {
      let notice: Fact | undefined;
      for (const n of notices) if (n.occurredOn <= f.occurredOn) notice = n;
      out.push({ id: `${f.id}~x6`, kind: 'board_review_required', occurredOn: (notice ?? f).occurredOn });
    }
  }
  return out;
}
