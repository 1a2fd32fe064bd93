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
 * The total is the PUPIL's, not one case's (audit finding 3): the suspensions of the pupil's other
 * suspension cases in the same organisation (open or closed) are added in date order, and the board's
 * date goes on the case whose suspension takes the term's total past 15 school days, so it is nudged once.
 * Each term counts its own school days of a suspension that runs across two (termPeriodOf); one with no
 * return date recorded counts as continuing through `today` (never 0 days).
 * School days are the school's (term dates, INSET and closures); terms are autumn, spring and summer; a
 * school year runs from 1 September (45 school days at most: DfE suspension guidance 2023).
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

/**
 * One suspension of a case: its first day, its length in school days, its notice. A suspension is for a
 * fixed period (Education Act 2002 s.51A(1)), so one with no return date recorded is bad data, never 0 days: it counts as
 * continuing, its school days from the first day through `today` (`open`), and the case says so
 * (core/deadlines/health.ts, `no_return_date`).
 */
export interface Suspension {
  /** The first day's event id (unique: orders suspensions starting the same day the same way everywhere). */
  id: string;
  firstDay: IsoDate;
  /** School days counted: to the return date, or (open) through today. */
  days: number;
  /** No return date recorded: counted as continuing through today. */
  open: boolean;
  /** The school days in each term (by the term's start, termPeriodOf): a suspension across two terms counts in each. */
  byTerm: Map<IsoDate, number>;
  noticeOn: IsoDate;
}

/** The school days from `from` up to (not including) `to`, by term (termPeriodOf), capped at 400 calendar days. */
function schoolDaysByTerm(from: IsoDate, to: IsoDate, sd: SchoolDays): Map<IsoDate, number> {
  const out = new Map<IsoDate, number>();
  for (let d = from, i = 0; d < to && i < 400; d = addDays(d, 1), i++)
    if (sd.isSchoolDay(d)) {
      const t = termPeriodOf(d).start;
      out.set(t, (out.get(t) ?? 0) + 1);
    }
  return out;
}

/** A suspension's return: the earliest return_date after its first day; none while it is open. */
export function returnAfter<E extends { kind: string; occurredOn?: IsoDate | undefined }>(
  events: readonly E[],
  firstDay: IsoDate,
): E | undefined {
  let back: E | undefined;
  for (const r of events)
    if (r.kind === 'return_date' && r.occurredOn !== undefined && r.occurredOn > firstDay)
      if (!back || r.occurredOn < back.occurredOn!) back = r;
  return back;
}

/**
 * A case's suspensions (actual first days only: a planned one counts no days), in date order. `today`:
 * the day an open suspension (no return date recorded) is counted through (default: its first day alone).
 */
export function suspensionsOf(events: readonly Fact[], sd: SchoolDays, today?: IsoDate): Suspension[] {
  const sorted = [...events].sort((a, b) =>
    a.occurredOn < b.occurredOn ? -1 : a.occurredOn > b.occurredOn ? 1 : 0,
  );
  const notices = sorted.filter((e) => e.kind === 'suspension_notified');
  const out: Suspension[] = [];
  for (const f of sorted) {
    if (f.kind !== 'first_day_of_suspension') continue;
    const back = returnAfter(sorted, f.occurredOn);
    let notice: Fact | undefined;
    for (const n of notices) if (n.occurredOn <= f.occurredOn) notice = n;
    const through = today && today > f.occurredOn ? today : f.occurredOn;
    const byTerm = schoolDaysByTerm(f.occurredOn, back ? back.occurredOn : addDays(through, 1), sd);
    let days = 0;
    for (const n of byTerm.values()) days += n;
    out.push({
      id: f.id,
      firstDay: f.occurredOn,
      days,
      open: !back,
      byTerm,
      noticeOn: (notice ?? f).occurredOn,
    });
  }
  return out;
}

const bySuspension = (a: { s: Suspension }, b: { s: Suspension }) =>
  a.s.firstDay < b.s.firstDay ? -1 : a.s.firstDay > b.s.firstDay ? 1 : a.s.id < b.s.id ? -1 : 1;

/**
 * The suspensions of a pupil's cases together, in date order, each with the case it belongs to (`of`, the
 * index in `cases`) and whether it takes a term's total past 15 school days (the board's duty, reg
 * 6(3)(b)). Each term counts its own school days of a suspension that runs across two; an open suspension
 * (no return date recorded) counts through `today`.
 */
export function pupilSuspensions(
  cases: readonly (readonly Fact[])[],
  sd: SchoolDays,
  today?: IsoDate,
): { s: Suspension; of: number; crossesTerm: boolean; crossed: IsoDate[] }[] {
  const all = cases.flatMap((events, of) => suspensionsOf(events, sd, today).map((s) => ({ s, of })));
  all.sort(bySuspension);
  const totals = new Map<IsoDate, number>();
  return all.map(({ s, of }) => {
    // The terms (by their start) whose total this suspension takes past 15 school days.
    const crossed: IsoDate[] = [];
    for (const [term, n] of s.byTerm) {
      const before = totals.get(term) ?? 0;
      totals.set(term, before + n);
      if (before <= 15 && before + n > 15) crossed.push(term);
    }
    return { s, of, crossesTerm: crossed.length > 0, crossed };
  });
}

/**
 * The derived key dates of one suspension case; `others`: the key dates of the pupil's other suspension
 * cases in the same organisation (their days count towards the term's total; their own board dates are
 * theirs).
 */
export function derivedSuspensionEvents(
  events: readonly Fact[],
  sd: SchoolDays,
  others: readonly (readonly Fact[])[] = [],
  today?: IsoDate,
): Fact[] {
  const sorted = [...events].sort((a, b) =>
    a.occurredOn < b.occurredOn ? -1 : a.occurredOn > b.occurredOn ? 1 : 0,
  );
  const notices = sorted.filter((e) => e.kind === 'suspension_notified');
  const out: Fact[] = [];
  const firsts = sorted.filter((e) => e.kind === 'first_day_of_suspension');
  for (const f of sorted) {
    if (f.kind !== PLANNED_FIRST_DAY) continue;
    // A planned first day (the start the school notified: `case event ... --planned`) gives its 6th
    // school day, marked planned, until the actual first day of that suspension (one recorded on or
    // after the notice before it) replaces it. It counts no days towards the term's total.
    let notice: Fact | undefined;
    for (const n of notices) if (n.occurredOn <= f.occurredOn) notice = n;
    const since = (notice ?? f).occurredOn;
    if (firsts.some((a) => a.occurredOn >= since)) continue;
    const back = returnAfter(sorted, f.occurredOn);
    if (!back || schoolDaysBetween(f.occurredOn, back.occurredOn, sd) > 5)
      out.push({
        id: `${f.id}${PLANNED_SUFFIX}`,
        kind: 'suspension_beyond_5_days',
        occurredOn: f.occurredOn,
      });
  }
  for (const s of suspensionsOf(events, sd, today))
    if (s.open || s.days > 5)
      out.push({ id: `${s.id}~x5`, kind: 'suspension_beyond_5_days', occurredOn: s.firstDay });
  // The term's total counts the pupil's other suspension cases too; the board's date is this case's only
  // when one of its own suspensions takes the total past 15 school days.
  for (const p of pupilSuspensions([events, ...others], sd, today))
    if (p.of === 0 && p.crossesTerm)
      out.push({ id: `${p.s.id}~x6`, kind: 'board_review_required', occurredOn: p.s.noticeOn });
  return out;
}

/** The school year (1 September to 31 August) a date falls in, by its first calendar year. */
export const schoolYearStart = (d: IsoDate): number => Number(d.slice(0, 4)) - (d.slice(5, 7) < '09' ? 1 : 0);

/** At most 45 school days of suspension in a school year (DfE suspension and permanent exclusion guidance, 2023). */
export const SCHOOL_YEAR_LIMIT = 45;
