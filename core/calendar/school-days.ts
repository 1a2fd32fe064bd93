import { addDays, compareDates, type IsoDate, isWeekend } from './iso-date.ts';
import { easterSunday, fixedDate, yearOf } from './months.ts';
import { type HolidaySet, isWorkingDay } from './working-days.ts';

/**
 * School days: days on which *this* school is in session (Education Act 1996 s.579(1), legislation.gov.uk/ukpga/1996/56/section/579).
 * A school's calendar is its term ranges (inclusive) minus INSET and closure days, minus weekends and
 * bank holidays. Term dates come from the TermDate table (ICS or CSV imports, issue 4).
 *
 * Outside the range the calendar covers, nobody knows whether the school is open: counting falls back
 * to working days there and the result is flagged `lowConfidence` (docs/deadlines.md, counting).
 */
export interface DateRange {
  start: IsoDate;
  end: IsoDate;
}

export interface SchoolCalendar {
  terms: DateRange[];
  /** INSET days and other closures inside a term (no pupil session). */
  closures: DateRange[];
}

export interface SchoolDays {
  isSchoolDay(date: IsoDate): boolean;
  /** True when `date` lies inside the span the term dates cover. */
  covers(date: IsoDate): boolean;
}

const inAny = (date: IsoDate, ranges: DateRange[]) =>
  ranges.some((r) => compareDates(r.start, date) <= 0 && compareDates(date, r.end) <= 0);

export function schoolDays(cal: SchoolCalendar | undefined, holidays: HolidaySet): SchoolDays {
  const terms = cal?.terms ?? [];
  if (terms.length === 0) {
    return { isSchoolDay: (d) => isWorkingDay(d, holidays), covers: () => false };
  }
  const from = terms.reduce((a, t) => (t.start < a ? t.start : a), terms[0]!.start);
  const to = terms.reduce((a, t) => (t.end > a ? t.end : a), terms[0]!.end);
  const covers = (d: IsoDate) => d >= from && d <= to;
  // Memoise: the planner asks about the same few hundred dates for thousands of cases.
  const memo = new Map<IsoDate, boolean>();
  return {
    covers,
    isSchoolDay(d) {
      let v = memo.get(d);
      if (v === undefined) {
        v = covers(d)
          ? !isWeekend(d) && !holidays.has(d) && inAny(d, terms) && !inAny(d, cal?.closures ?? [])
          : isWorkingDay(d, holidays);
        memo.set(d, v);
      }
      return v;
    },
  };
}

/** Guard against a calendar with no school day at all (a typo in term dates). */
const MAX_SCAN_DAYS = 3 * 366;

/**
 * Add n school days (n < 0 counts back). The start date itself is day 0.
 * @example addSchoolDays('2026-11-25', 15, sd) // '2026-12-16' (exclusion worked example, test/deadlines/worked-examples.test.ts)
 */
export function addSchoolDays(date: IsoDate, n: number, sd: SchoolDays): IsoDate {
  const step = n < 0 ? -1 : 1;
  let left = Math.abs(n);
  let d = date;
  let scanned = 0;
  while (left > 0) {
    d = addDays(d, step);
    if (++scanned > MAX_SCAN_DAYS) throw new RangeError(`no school day within 3 years of ${date}`);
    if (sd.isSchoolDay(d)) left--;
  }
  return d;
}

/** Whether counting from `from` to `to` leaves the calendar's known span (lower confidence). */
export const outsideCalendar = (from: IsoDate, to: IsoDate, sd: SchoolDays): boolean =>
  !sd.covers(from) || !sd.covers(to);

/**
 * The three English school terms, by date: autumn (September to December), spring (January to Easter
 * Sunday), summer (Easter Monday to August). Used for "each term" rules (PEP reviews) whatever the
 * granularity of the imported term dates.
 */
export function termPeriodOf(date: IsoDate): DateRange & { name: 'autumn' | 'spring' | 'summer' } {
  const y = yearOf(date);
  const easter = easterSunday(y);
  if (date >= fixedDate(y, 9, 1))
    return { name: 'autumn', start: fixedDate(y, 9, 1), end: fixedDate(y, 12, 31) };
  if (date <= easter) return { name: 'spring', start: fixedDate(y, 1, 1), end: easter };
  return { name: 'summer', start: addDays(easter, 1), end: fixedDate(y, 8, 31) };
}

/** The last school day of the term after the one containing `date`. */
export function endOfNextTerm(date: IsoDate, sd: SchoolDays): IsoDate {
  const next = termPeriodOf(addDays(termPeriodOf(date).end, 1));
  let d = next.end;
  for (let i = 0; i < 200 && !sd.isSchoolDay(d); i++) d = addDays(d, -1);
  return d;
}
