/**
 * Calendar dates as ISO strings ("YYYY-MM-DD"). Statutory timeframes are counted in dates, not
 * instants, so date arithmetic here is done in UTC on purpose: a date has no time zone.
 */
export type IsoDate = string;

const ISO = /^(\d{4})-(\d{2})-(\d{2})$/;

export function isIsoDate(value: string): boolean {
  const m = ISO.exec(value);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === value;
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
