/**
 * Calendar dates as ISO strings ("YYYY-MM-DD"). Statutory timeframes are counted in dates, not
 * instants, so date arithmetic here is done in UTC on purpose: a date has no time zone.
 */
export type IsoDate = string;

const ISO = /^(\d{4})-(\d{2})-(\d{2})$/;

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * A real calendar date written `YYYY-MM-DD`, year 0100-9999 (Date.UTC reads years 0-99 as 1900-1999, so
 * those were never accepted). Arithmetic, not a Date round trip: every row of an import checks its date
 * (issue 18).
 */
export function isIsoDate(value: string): boolean {
  const m = ISO.exec(value);
  if (!m) return false;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  if (y < 100 || mo < 1 || mo > 12 || d < 1) return false;
  const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  return d <= (mo === 2 && leap ? 29 : (MONTH_DAYS[mo - 1] as number));
}

export function toUtcDate(date: IsoDate): Date {
  if (!isIsoDate(date)) throw new RangeError(`not an ISO date: ${date}`);
  return new Date(`${date}T00:00:00.000Z`);
}

export const fromUtcDate = (d: Date): IsoDate => d.toISOString().slice(0, 10);

/**
 * @example addDays('2026-12-31', 1) // '2027-01-01'
 * Hot path of every deadline computation: parses the three numbers once instead of building and
 * re-validating Date objects.
 */
export function addDays(date: IsoDate, days: number): IsoDate {
  const m = ISO.exec(date);
  if (!m) throw new RangeError(`not an ISO date: ${date}`);
  const t = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + days);
  const d = new Date(t);
  const y = d.getUTCFullYear();
  const mo = d.getUTCMonth() + 1;
  const da = d.getUTCDate();
  return `${String(y).padStart(4, '0')}-${mo < 10 ? '0' : ''}${mo}-${da < 10 ? '0' : ''}${da}`;
}

/** Whole days from `a` to `b` (b - a). */
export const daysBetween = (a: IsoDate, b: IsoDate): number =>
  Math.round((toUtcDate(b).getTime() - toUtcDate(a).getTime()) / 86_400_000);

/** 0 = Sunday … 6 = Saturday */
export function dayOfWeek(date: IsoDate): number {
  const m = ISO.exec(date);
  if (!m) throw new RangeError(`not an ISO date: ${date}`);
  return new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))).getUTCDay();
}

export const isWeekend = (date: IsoDate): boolean => {
  const d = dayOfWeek(date);
  return d === 0 || d === 6;
};

export const compareDates = (a: IsoDate, b: IsoDate): number => (a < b ? -1 : a > b ? 1 : 0);

const fmt = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'UTC',
  weekday: 'short',
  day: 'numeric',
  month: 'short',
  year: 'numeric',
});
const formatted = new Map<IsoDate, string>();
/** "Mon 12 Apr 2027" (memoised: Intl formatting is slow and a tick formats the same few hundred dates). */
export function formatDate(d: IsoDate): string {
  let v = formatted.get(d);
  if (v === undefined) {
    v = fmt.format(new Date(`${d}T00:00:00Z`)).replace(',', '');
    if (formatted.size > 20_000) formatted.clear();
    formatted.set(d, v);
  }
  return v;
}
