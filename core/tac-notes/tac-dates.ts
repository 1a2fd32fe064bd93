/**
 * The two dates the TAC form asks for (an action's due date, the next meeting) checked against the calendar
 * (docs/meetings.md, "Dates"): a due date before today is refused (nobody can be nudged in time for it); a
 * date on a weekend, a bank holiday or a day the school's term dates say it is closed is a warning the person
 * can accept, since a family or an outside agency may well act then, but it is usually a slip.
 */
import { dayOfWeek, type IsoDate, isWeekend } from '../calendar/iso-date.ts';
import type { SchoolDays } from '../calendar/school-days.ts';
import type { HolidaySet } from '../calendar/working-days.ts';
import { formatDate } from '../deadlines/nudges.ts';

export interface TacDateContext {
  today: IsoDate;
  holidays: HolidaySet;
  /** The school's days from its term dates; absent or not covering the date: no school-holiday warning. */
  schoolDays?: SchoolDays;
}

export type TacDateCheck = { ok: true } | { ok: false; refused: string } | { ok: true; warning: string };

const DAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/** Why `date` is not a school day, or undefined when it is one (or nobody can tell). */
export function notASchoolDay(date: IsoDate, ctx: TacDateContext): string | undefined {
  if (isWeekend(date)) return `a ${DAY_NAMES[dayOfWeek(date)]}`;
  if (ctx.holidays.has(date)) return 'a bank holiday';
  if (ctx.schoolDays?.covers(date) && !ctx.schoolDays.isSchoolDay(date))
    return 'not a school day (a school holiday or closure in the term dates)';
  return undefined;
}

export function checkTacDate(kind: 'due' | 'next', date: IsoDate, ctx: TacDateContext): TacDateCheck {
  if (kind === 'due' && date < ctx.today)
    return {
      ok: false,
      refused: `${formatDate(date)} is in the past: give today (${formatDate(ctx.today)}) or a later date`,
    };
  const why = notASchoolDay(date, ctx);
  return why ? { ok: true, warning: `${formatDate(date)} is ${why}` } : { ok: true };
}
