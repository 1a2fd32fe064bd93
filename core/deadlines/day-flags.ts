/**
 * Working-day truth (issue 14 point 4): a due date on a day nobody works (a weekend or an England & Wales
 * bank holiday) or, for a rule held or counted at school, a day the school is closed, is flagged wherever
 * it is shown, with the safe target beside it: the working day before (the engine's `safeTarget`), or for
 * a school rule the last school day before (so a meeting suggestion falls on a school day). Pure.
 */
import { addDays, dayOfWeek, type IsoDate } from '../calendar/iso-date.ts';
import { type CalendarContext, safeTarget } from './arithmetic.ts';
import { formatDate } from './nudges.ts';
import type { Rule } from './types.ts';

export interface DayFlag {
  /** "a Sunday", "a bank holiday", "a school closure day". */
  reason: string;
  /** The day to aim for instead (a working day, or a school day for a school rule). */
  target: IsoDate;
}

const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

export const isSchoolRule = (rule: Pick<Rule, 'onSchoolDay' | 'offset'>): boolean =>
  rule.onSchoolDay === true || rule.offset.unit === 'SD' || rule.offset.unit === 'TERM';

/** Null when `dueOn` is a day people work (and, for a school rule, the school is open). */
export function dayFlag(
  dueOn: IsoDate,
  rule: Pick<Rule, 'onSchoolDay' | 'offset'>,
  ctx: CalendarContext,
): DayFlag | null {
  const school = isSchoolRule(rule);
  const weekday = dayOfWeek(dueOn);
  let reason: string | null = null;
  if (weekday === 0 || weekday === 6) reason = `a ${DAYS[weekday]}`;
  else if (ctx.holidays.has(dueOn)) reason = 'a bank holiday';
  else if (school && ctx.schoolDays.covers(dueOn) && !ctx.schoolDays.isSchoolDay(dueOn))
    reason = 'a day the school is closed';
  if (!reason) return null;
  if (!school) return { reason, target: safeTarget(dueOn, ctx.holidays) };
  let d = addDays(dueOn, -1);
  for (let i = 0; i < 120 && !ctx.schoolDays.isSchoolDay(d); i++) d = addDays(d, -1);
  if (!ctx.schoolDays.isSchoolDay(d)) d = safeTarget(dueOn, ctx.holidays);
  return { reason, target: d };
}

/** " ⚠ Sun 31 Jan 2027 is a Sunday: aim for Fri 29 Jan 2027" (empty when the day is fine). */
export function dayFlagText(dueOn: IsoDate, flag: DayFlag | null, school = false): string {
  if (!flag) return '';
  return ` ⚠ ${formatDate(dueOn)} is ${flag.reason}: ${school ? 'hold it by' : 'safe target'} ${formatDate(flag.target)}`;
}
