import { addDays, type IsoDate, isWeekend } from './iso-date.ts';

/**
 * Working days: Monday to Friday excluding bank holidays (England and Wales unless stated).
 * Working Together 2023 counts child-protection timescales in working days; bank holidays come from
 * the shipped gov.uk list (integrations/bank-holidays) through a HolidaySet.
 */
export interface HolidaySet {
  has(date: IsoDate): boolean;
}

export const noHolidays: HolidaySet = { has: () => false };

export const isWorkingDay = (date: IsoDate, holidays: HolidaySet): boolean =>
  !isWeekend(date) && !holidays.has(date);

/**
 * Add (or, with a negative n, subtract) n working days. n = 0 returns the date itself.
 * @example addWorkingDays('2026-12-24', 1, englandHolidays) // '2026-12-29' (25th, 26th/28th bank holidays)
 */
export function addWorkingDays(date: IsoDate, n: number, holidays: HolidaySet): IsoDate {
  const step = n < 0 ? -1 : 1;
  let left = Math.abs(n);
  let d = date;
  while (left > 0) {
    d = addDays(d, step);
    if (isWorkingDay(d, holidays)) left--;
  }
  return d;
}

/** The first working day on or after `date`. */
export function nextWorkingDayOnOrAfter(date: IsoDate, holidays: HolidaySet): IsoDate {
  let d = date;
  while (!isWorkingDay(d, holidays)) d = addDays(d, 1);
  return d;
}
