/**
 * A pupil's suspensions add up across their suspension cases (audit finding 3): the governing board must
 * consider reinstatement when the suspensions in a term total more than 15 school days (School Discipline
 * (Pupil Exclusions and Reviews) (England) Regulations 2012 reg 6(3)(b)), whichever case records them, and
 * a pupil may be suspended for at most 45 school days in a school year (DfE suspension and permanent
 * exclusion guidance, 2023). The engine is given the pupil's other suspension cases
 * (CaseRepository.otherSuspensions); this says, on the case's timeline (and so at `case open`), the
 * running totals and which case carries the board's date (one date, nudged once).
 */
import type { IsoDate } from '../../core/calendar/iso-date.ts';
import { termPeriodOf } from '../../core/calendar/school-days.ts';
import type { CaseEventFact } from '../../core/deadlines/engine.ts';
import { formatDate } from '../../core/deadlines/nudges.ts';
import {
  pupilSuspensions,
  SCHOOL_YEAR_LIMIT,
  type Suspension,
  schoolYearStart,
} from '../../core/deadlines/suspension.ts';
import type { CaseDetail } from '../../store/case-repository.ts';
import type { DeadlineService } from './service.ts';

const termName = (d: IsoDate): string => {
  const t = termPeriodOf(d);
  return `${t.name} term ${t.start.slice(0, 4)}`;
};

/** Lines for a suspension case's timeline: empty unless the pupil has other suspension cases or is past 45 days. */
export async function suspensionTotalLines(svc: DeadlineService, c: CaseDetail): Promise<string[]> {
  if (c.kind !== 'SUSPENSION') return [];
  const others = (await svc.cases.otherSuspensions([c.id])).get(c.id) ?? [];
  const cases = [{ id: c.id, reference: c.reference, status: c.status, events: c.events }, ...others];
  await svc.ensureHolidays();
  const sd = svc.calendarsFor(await svc.cases.termDates([c.orgId]))(c.orgId).schoolDays;
  const all = pupilSuspensions(
    cases.map((x) => x.events),
    sd,
    svc.today(),
  );
  const ref = (of: number) => cases[of]!.reference ?? cases[of]!.id.slice(0, 8);
  // A suspension across two terms counts its school days in each; one with no return date recorded
  // counts as continuing through today (never 0: a suspension is for a fixed period).
  const part = (s: Suspension, of: number, term: IsoDate) => {
    const n = s.byTerm.get(term) ?? 0;
    const split = s.byTerm.size > 1 ? ` (of ${s.days})` : '';
    const open = s.open ? ', no return date recorded: counted through today' : '';
    return `${ref(of)} ${n}${split} from ${formatDate(s.firstDay)}${open}`;
  };
  // The terms and school years of this case's suspensions (or of its start, none recorded yet).
  const mine = all.filter((p) => p.of === 0).map((p) => p.s);
  const terms = mine.length
    ? [...new Set(mine.flatMap((s) => [termPeriodOf(s.firstDay).start, ...s.byTerm.keys()]))].sort()
    : [termPeriodOf(c.startDate).start];
  const years = [...new Set(terms.map(schoolYearStart))];
  // A school year's days: the terms' days of that year (a suspension running on counts in each).
  const daysIn = (s: Suspension, y: number) => {
    let n = 0;
    for (const [term, d] of s.byTerm) if (schoolYearStart(term) === y) n += d;
    return n;
  };
  // Shown with another case, past 15 or 45, and for an open or split suspension of this case.
  const always = others.length > 0 || mine.some((s) => s.open || s.byTerm.size > 1);
  const lines: string[] = [];
  for (const term of terms) {
    const inTerm = all.filter((p) => (p.s.byTerm.get(term) ?? 0) > 0);
    const total = inTerm.reduce((n, p) => n + (p.s.byTerm.get(term) ?? 0), 0);
    if (!always && total <= 15) continue;
    let line = `  ${termName(term)}: ${total} school days (${inTerm.map((p) => part(p.s, p.of, term)).join('; ') || 'none recorded yet'})`;
    // The suspension that takes this term past 15 (its case carries the board's date).
    const crossing = inTerm.find((p) => p.crossed.includes(term));
    if (crossing) {
      const carrier = crossing.of === 0 ? c : await svc.cases.byId(cases[crossing.of]!.id);
      const x6 = carrier?.deadlines.find((d) => d.ruleId === 'X6s' && d.status !== 'CANCELLED');
      const where = crossing.of === 0 ? 'on this case' : `on ${ref(crossing.of)}, not this case`;
      const closed = cases[crossing.of]!.status !== 'OPEN' ? ' (closed: no longer nudged)' : '';
      line += `: over 15, the governing board must consider reinstatement (reg 6(3)(b)): its date is ${where}${x6 ? `, due ${formatDate(x6.dueOn)}` : ''}${closed}`;
    } else if (total > 5) line += ': over 5, the board considers any representations (reg 6(4))';
    lines.push(line);
  }
  for (const y of years) {
    const total = all.reduce((n, p) => n + daysIn(p.s, y), 0);
    if (!always && total <= SCHOOL_YEAR_LIMIT) continue;
    lines.push(
      `  school year ${y}-${String(y + 1).slice(2)}: ${total} of at most ${SCHOOL_YEAR_LIMIT} school days${total > SCHOOL_YEAR_LIMIT ? ': OVER the limit a pupil may be suspended in a school year' : ''}`,
    );
  }
  if (lines.length === 0) return [];
  const with_ = others.map((o) => o.reference ?? o.id.slice(0, 8)).join(', ');
  return [`Suspensions of this pupil${with_ ? ` (this case with ${with_})` : ''}:`, ...lines];
}

/**
 * For the suspension cases among `cases`: the key dates of the pupil's other suspension cases in the same
 * organisation, as `evaluateCase` takes them (`others`). One pair of reads for the lot; none without one.
 */
export async function suspensionOthers(
  svc: DeadlineService,
  cases: readonly { id: string; kind: string }[],
): Promise<Map<string, CaseEventFact[][]>> {
  const ids = cases.filter((c) => c.kind === 'SUSPENSION').map((c) => c.id);
  const out = new Map<string, CaseEventFact[][]>();
  if (ids.length === 0) return out;
  for (const [id, list] of await svc.cases.otherSuspensions(ids))
    out.set(
      id,
      list.map((o) => o.events),
    );
  return out;
}
