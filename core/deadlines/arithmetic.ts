/**
 * Calendar arithmetic for statutory deadlines: pure functions over ISO dates (docs/deadlines.md, counting).
 * Every function is covered by table tests of the worked examples and by fast-check properties
 * (test/deadlines/arithmetic.test.ts).
 */
import { addDays, type IsoDate } from '../calendar/iso-date.ts';
import { addMonths, fixedDate, yearOf } from '../calendar/months.ts';
import { addSchoolDays, endOfNextTerm, outsideCalendar, type SchoolDays } from '../calendar/school-days.ts';
import { addWorkingDays, type HolidaySet, isWorkingDay } from '../calendar/working-days.ts';
import type { Offset } from './types.ts';

export { memo as memoOnCalendar };

export interface CalendarContext {
  holidays: HolidaySet;
  schoolDays: SchoolDays;
  /** The organisation is a local authority: the LA's duties (Rule.laOfficer) are its officer's own. */
  localAuthority?: boolean;
  /**
   * Today in the hub's zone: a suspension with no return date recorded counts its school days through it
   * (core/deadlines/suspension.ts). Without it such a suspension counts its first day only.
   */
  today?: IsoDate;
}

export interface DueDate {
  dueOn: IsoDate;
  /** School-day count ran outside the school's known term dates (counted as working days there). */
  lowConfidence: boolean;
}

/**
 * Memo per calendar: a tick asks for the same few hundred (date, offset) pairs for thousands of cases.
 * Keyed by the calendar object and its `version` (a holiday calendar bumps it when reloaded).
 */
const memos = new WeakMap<object, { version: unknown; map: Map<string, unknown> }>();
function memo<T>(owner: object, key: string, compute: () => T): T {
  const version = (owner as { version?: unknown }).version;
  let m = memos.get(owner);
  if (!m || m.version !== version) {
    m = { version, map: new Map() };
    memos.set(owner, m);
  }
  const hit = m.map.get(key);
  if (hit !== undefined || m.map.has(key)) return hit as T;
  const v = compute();
  if (m.map.size > 200_000) m.map.clear();
  m.map.set(key, v);
  return v;
}

/**
 * Due dates per school calendar (and holiday calendar version), by offset object (rule data, never
 * mutated) then anchor date: two map lookups per deadline, no key string built per case.
 */
const dueMemos = new WeakMap<
  object,
  { version: unknown; holidays: unknown; byOffset: Map<Offset, Map<IsoDate, DueDate>> }
>();

/** Compute a due date from an anchor date. */
export function dueFrom(anchor: IsoDate, offset: Offset, ctx: CalendarContext): DueDate {
  const version = (ctx.schoolDays as { version?: unknown }).version;
  const holidays = (ctx.holidays as { version?: unknown }).version ?? '';
  let m = dueMemos.get(ctx.schoolDays);
  if (!m || m.version !== version || m.holidays !== holidays) {
    m = { version, holidays, byOffset: new Map() };
    dueMemos.set(ctx.schoolDays, m);
  }
  let byAnchor = m.byOffset.get(offset);
  if (!byAnchor) {
    byAnchor = new Map();
    m.byOffset.set(offset, byAnchor);
  }
  let v = byAnchor.get(anchor);
  if (v === undefined) {
    v = { ...computeDue(anchor, offset, ctx) };
    if (byAnchor.size > 50_000) byAnchor.clear();
    byAnchor.set(anchor, v);
  }
  return v;
}

function computeDue(anchor: IsoDate, offset: Offset, ctx: CalendarContext): DueDate {
  switch (offset.unit) {
    case 'CD':
      return {
        dueOn: addDays(anchor, offset.inclusiveOfStart ? offset.n - Math.sign(offset.n) : offset.n),
        lowConfidence: false,
      };
    case 'CW':
      // "Within N weeks of X": X + 7N, due by the end of that date (§1I item 1). Runs through holidays.
      return { dueOn: addDays(anchor, 7 * offset.n), lowConfidence: false };
    case 'WD': {
      const n = offset.inclusiveOfStart ? offset.n - Math.sign(offset.n) : offset.n;
      return { dueOn: addWorkingDays(anchor, n, ctx.holidays), lowConfidence: false };
    }
    case 'SD': {
      const n = offset.inclusiveOfStart ? offset.n - Math.sign(offset.n) : offset.n;
      const dueOn = addSchoolDays(anchor, n, ctx.schoolDays);
      return { dueOn, lowConfidence: outsideCalendar(anchor, dueOn, ctx.schoolDays) };
    }
    case 'M': {
      const d = addMonths(anchor, offset.n);
      return { dueOn: offset.within ? addDays(d, -1) : d, lowConfidence: false };
    }
    case 'DATE':
      return {
        dueOn: fixedDate(yearOf(anchor) + (offset.yearOffset ?? 0), offset.month, offset.day),
        lowConfidence: false,
      };
    case 'TERM': {
      const dueOn = endOfNextTerm(anchor, ctx.schoolDays);
      return { dueOn, lowConfidence: !ctx.schoolDays.covers(dueOn) };
    }
  }
}

/** "Also show a safe target one working day earlier" (§1I item 1). */
const safeMemos = new WeakMap<object, { version: unknown; map: Map<IsoDate, IsoDate> }>();
export function safeTarget(dueOn: IsoDate, holidays: HolidaySet): IsoDate {
  const version = (holidays as { version?: unknown }).version;
  let m = safeMemos.get(holidays);
  if (!m || m.version !== version) {
    m = { version, map: new Map() };
    safeMemos.set(holidays, m);
  }
  let v = m.map.get(dueOn);
  if (v === undefined) {
    v = addWorkingDays(dueOn, -1, holidays);
    if (m.map.size > 50_000) m.map.clear();
    m.map.set(dueOn, v);
  }
  return v;
}

/** The working day a nudge "on the day" goes out: the due date, or the last working day before it. */
export function nudgeDay(dueOn: IsoDate, holidays: HolidaySet): IsoDate {
  return memo(holidays, `day|${dueOn}`, () => computeNudgeDay(dueOn, holidays));
}

function computeNudgeDay(dueOn: IsoDate, holidays: HolidaySet): IsoDate {
  let d = dueOn;
  while (!isWorkingDay(d, holidays)) d = addDays(d, -1);
  return d;
}

/** A lead time such as "10wd", "3wd", "0d", "2w": the date a nudge goes out before `dueOn`. */
export function leadDate(dueOn: IsoDate, lead: string, holidays: HolidaySet): IsoDate {
  return memo(holidays, `lead|${dueOn}|${lead}`, () => computeLeadDate(dueOn, lead, holidays));
}

function computeLeadDate(dueOn: IsoDate, lead: string, holidays: HolidaySet): IsoDate {
  const m = /^(\d+)(wd|d|w)$/.exec(lead.trim());
  if (!m) throw new RangeError(`lead time "${lead}": expected like 10wd, 3d or 2w`);
  const n = Number(m[1]);
  const day = nudgeDay(dueOn, holidays);
  if (n === 0) return day;
  if (m[2] === 'wd') return addWorkingDays(day, -n, holidays);
  const back = addDays(dueOn, m[2] === 'w' ? -7 * n : -n);
  return nudgeDay(back, holidays);
}

export const isLeadTime = (s: string): boolean => /^(\d+)(wd|d|w)$/.test(s.trim());
