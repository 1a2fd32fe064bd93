import { formatDate, type IsoDate } from './iso-date.ts';

/**
 * Term time read from a holidays-only calendar (docs/imports.md "Term dates: what the hub understands").
 *
 * Many schools publish their calendar as the breaks (half terms, Christmas, Easter, summer) and INSET days,
 * with no "Autumn term" events. The rule: when an organisation's calendars hold no term at all, each school
 * year in which they list a holiday of two days or more or an INSET day (a school year: 1 September to 31
 * July; a break touching August, the summer holidays, and a one-day closure such as a bank holiday name no
 * year by themselves) is term time from 1 September to 31 July, less the
 * listed holidays and INSET days, weekends and bank holidays. A summer holiday listed is a closure like any
 * other, so its first and last days set the year's edges. Any term event from any calendar turns the rule
 * off for that organisation: then the terms are exactly the ones listed.
 */
export interface TermDateRow {
  orgId: string;
  kind: string;
  startDate: IsoDate;
  endDate: IsoDate;
}

/** The first year of the school year (1 Sep Y to 31 Jul Y+1) a date lies in; null in August. */
export function schoolYearOf(date: IsoDate): number | null {
  const y = Number(date.slice(0, 4));
  const m = Number(date.slice(5, 7));
  if (m === 8) return null;
  return m >= 9 ? y : y - 1;
}

const touchesAugust = (start: IsoDate, end: IsoDate): boolean => {
  // Month by month from the start's month to the end's (a closure is weeks long; DTEND-before-DTSTART is
  // rejected by the reader, and a range the wrong way round touches nothing).
  let y = Number(start.slice(0, 4));
  let m = Number(start.slice(5, 7));
  const endKey = Number(end.slice(0, 4)) * 12 + Number(end.slice(5, 7));
  for (let i = 0; y * 12 + m <= endKey && i < 120; i++) {
    if (m === 8) return true;
    m = m === 12 ? 1 : m + 1;
    if (m === 1) y++;
  }
  return false;
};

/** The school years a holidays-only calendar implies (none when it holds a term, or names no year). */
export function impliedSchoolYears(rows: readonly Omit<TermDateRow, 'orgId'>[]): number[] {
  if (rows.some((r) => r.kind === 'TERM')) return [];
  const years = new Set<number>();
  for (const r of rows) {
    if (r.endDate < r.startDate || touchesAugust(r.startDate, r.endDate)) continue;
    // A one-day closure (a bank holiday or polling day, often in a meetings calendar) says nothing of the
    // school's year; a break of two days or more, or an INSET day, does.
    if (r.kind === 'CLOSURE' && r.endDate === r.startDate) continue;
    const y = schoolYearOf(r.startDate);
    if (y !== null) years.add(y);
  }
  return [...years].sort((a, b) => a - b);
}

export const schoolYearSpan = (y: number): { start: IsoDate; end: IsoDate } => ({
  start: `${y}-09-01`,
  end: `${y + 1}-07-31`,
});

/**
 * The term dates as the deadlines read them: an organisation with holidays and INSET days but no term gets
 * one implied TERM row per school year its holidays name (1 Sep to 31 Jul); its closures stay closures.
 * @example withImpliedTerms([{ orgId: 'o', kind: 'CLOSURE', startDate: '2026-12-21', endDate: '2027-01-04' }])
 *   // adds { orgId: 'o', kind: 'TERM', startDate: '2026-09-01', endDate: '2027-07-31' }
 */
export function withImpliedTerms<T extends TermDateRow>(rows: T[]): (T | TermDateRow)[] {
  const byOrg = new Map<string, T[]>();
  for (const r of rows) {
    const list = byOrg.get(r.orgId);
    if (list) list.push(r);
    else byOrg.set(r.orgId, [r]);
  }
  const out: (T | TermDateRow)[] = [...rows];
  for (const [orgId, list] of byOrg)
    for (const y of impliedSchoolYears(list)) {
      const { start, end } = schoolYearSpan(y);
      out.push({ orgId, kind: 'TERM', startDate: start, endDate: end });
    }
  return out;
}

const span = (r: { startDate: IsoDate; endDate: IsoDate }) =>
  r.startDate === r.endDate
    ? formatDate(r.startDate)
    : `${formatDate(r.startDate)} – ${formatDate(r.endDate)}`;

const yearName = (y: number) => `${y}/${String(y + 1).slice(2)}`;

/** Breaks a school year in England usually has: three half terms, Christmas and Easter (and the summer). */
const USUAL_BREAKS = 5;

/**
 * What the hub understood of an organisation's term dates (every calendar), in lines for the import report:
 * the terms, the holidays and INSET days, the rule applied, and what is missing.
 */
export function describeTermDates(
  rows: readonly { kind: string; startDate: IsoDate; endDate: IsoDate; label: string | null }[],
): string[] {
  const sorted = [...rows].sort((a, b) =>
    a.startDate < b.startDate ? -1 : a.startDate > b.startDate ? 1 : 0,
  );
  const terms = sorted.filter((r) => r.kind === 'TERM');
  const breaks = sorted.filter((r) => r.kind === 'CLOSURE');
  const inset = sorted.filter((r) => r.kind === 'INSET');
  const named = (r: { label: string | null; startDate: IsoDate; endDate: IsoDate }) =>
    `${r.label ? `${r.label}: ` : ''}${span(r)}`;
  const out: string[] = ["Term dates now held (all of this organisation's calendars):"];
  out.push(
    terms.length
      ? `  terms: ${terms.length}: ${terms.map(named).join('; ')}`
      : '  terms: none (no "Autumn term"-style event)',
  );
  out.push(
    breaks.length
      ? `  holidays and closures: ${breaks.length}: ${breaks.map(named).join('; ')}`
      : '  holidays and closures: none',
  );
  out.push(
    inset.length ? `  INSET days: ${inset.length}: ${inset.map(span).join('; ')}` : '  INSET days: none',
  );
  if (terms.length > 0) {
    out.push('  school days: the terms listed, less holidays, INSET days, weekends and bank holidays');
    return out;
  }
  const years = impliedSchoolYears(rows);
  if (years.length === 0) {
    out.push(
      rows.length === 0
        ? '  missing: everything: school-day deadlines are estimated from working days until term dates are imported'
        : '  missing: a holiday or INSET day inside a school year (September to July): school-day deadlines are estimated from working days',
    );
    return out;
  }
  for (const y of years) {
    const { start, end } = schoolYearSpan(y);
    const inYear = [...breaks, ...inset].filter((r) => r.endDate >= start && r.startDate <= end);
    const summerBefore = breaks.some((r) => r.startDate <= start && r.endDate >= start);
    const summerAfter = breaks.some((r) => r.startDate <= end && r.endDate >= end);
    out.push(
      `  school days ${yearName(y)}: no term in the calendar, so term time is read as the school year ${formatDate(start)} – ${formatDate(end)} less the holidays and INSET days above, weekends and bank holidays`,
    );
    const missing: string[] = [];
    if (!summerBefore)
      missing.push(`the summer holidays before it (the first school day is taken as ${formatDate(start)})`);
    if (!summerAfter)
      missing.push(`the summer holidays after it (the last school day is taken as ${formatDate(end)})`);
    const inYearBreaks = breaks.filter(
      (r) =>
        r.endDate > r.startDate &&
        r.endDate >= start &&
        r.startDate <= end &&
        !touchesAugust(r.startDate, r.endDate),
    );
    if (inYearBreaks.length < USUAL_BREAKS)
      missing.push(
        `${inYearBreaks.length} break(s) listed where a school year usually has ${USUAL_BREAKS} (half terms in October, February and May, Christmas, Easter): a break not listed counts as school days`,
      );
    if (inYear.length > 0 && missing.length > 0)
      out.push(
        `  missing for ${yearName(y)}: ${missing.join('; ')}. Add them to the calendar (or "Autumn term"-style events) and import it again`,
      );
  }
  return out;
}
