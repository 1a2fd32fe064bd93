/**
 * The caseload timeline (issue 17): each case as a bar with its key dates and each deadline's state.
 * An EHC needs assessment is drawn over its 20 weeks from the request (SEND Regulations 2014 reg 13(2),
 * legislation.gov.uk/uksi/2014/1530/regulation/13) with the 6-week decision (reg 5(1)), the 16-week
 * decision whether to issue (reg 10(1)) and the 20-week final plan; other kinds (annual reviews, PEPs…)
 * from their start to their last deadline. States: met (on time), late (met late, or open past its date),
 * paused (a person recorded one of the regulation's exceptions), at risk (the 20-week risk of
 * core/deadlines/at-risk.ts, or a milestone passed), open. Pure: the caller gives today and the holidays.
 */
import { addDays, type IsoDate } from '../calendar/iso-date.ts';
import type { HolidaySet } from '../calendar/working-days.ts';
import { ehcnaRisk } from './at-risk.ts';
import { ruleIdOfKey } from './engine.ts';

export type DeadlineState = 'met' | 'late' | 'paused' | 'at_risk' | 'open';

export const STATE_LABELS: Record<DeadlineState, string> = {
  met: 'Met',
  late: 'Late',
  paused: 'Paused (exception)',
  at_risk: 'At risk',
  open: 'Open',
};

/** The key dates drawn on an EHC needs assessment's bar (rule ids of docs/deadlines.md). */
export const EHCNA_KEY_RULES: readonly { ruleId: string; week: number; short: string }[] = [
  { ruleId: 'E1', week: 6, short: '6-week decision to assess' },
  { ruleId: 'E4', week: 16, short: '16-week decision / draft' },
  { ruleId: 'E7', week: 20, short: '20-week final plan' },
];

export interface TimelineDeadlineInput {
  ruleId: string;
  dueOn: IsoDate;
  status: string;
  metOn: IsoDate | null;
}

export interface TimelineCaseInput {
  id: string;
  reference: string | null;
  kind: string;
  startDate: IsoDate;
  deadlines: readonly TimelineDeadlineInput[];
  events: readonly { kind: string; occurredOn: IsoDate }[];
}

export interface TimelineMarker {
  ruleId: string;
  name: string;
  dueOn: IsoDate;
  state: DeadlineState;
  /** Met (on time or late): no longer pending. */
  done: boolean;
  /** "met on 3 Mar 2026", "12 days late", "paused", "due in 4 days". */
  detail: string;
}

export interface TimelineBar {
  caseId: string;
  ref: string;
  kind: string;
  start: IsoDate;
  end: IsoDate;
  /** Whole weeks since the start (the case's age). */
  week: number;
  markers: TimelineMarker[];
  /** The earliest open or paused deadline. */
  next: TimelineMarker | null;
  /** The worst state on the case: late > at risk > paused > open > met. */
  state: DeadlineState;
  riskReasons: string[];
}

const days = (a: IsoDate, b: IsoDate) => Math.round((Date.parse(b) - Date.parse(a)) / 86_400_000);
const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`;
const SEVERITY: DeadlineState[] = ['late', 'at_risk', 'paused', 'open', 'met'];

/** The state of one deadline today (a window, e.g. representations on a draft, is never late). */
export function deadlineState(
  d: TimelineDeadlineInput,
  today: IsoDate,
  opts: { window?: boolean; caseAtRisk?: boolean } = {},
): { state: DeadlineState; detail: string } {
  if (d.status === 'MET' && opts.window) {
    // A window (the family's representations on a draft: "at least 15 days", SEND Regulations 2014 reg
    // 13(1)) is a minimum given, not a date to meet: what follows it is never late for it, and what came
    // before its last day ended was too early.
    return d.metOn !== null && d.metOn <= d.dueOn
      ? { state: 'late', detail: `closed early: followed on ${d.metOn}, within the window (to ${d.dueOn})` }
      : { state: 'met', detail: `window closed on ${d.dueOn}` };
  }
  if (d.status === 'MET') {
    const late = d.metOn !== null && d.metOn > d.dueOn;
    return late
      ? { state: 'late', detail: `met ${plural(days(d.dueOn, d.metOn!), 'day')} late, on ${d.metOn}` }
      : { state: 'met', detail: `met on ${d.metOn ?? d.dueOn}` };
  }
  if (d.status === 'PAUSED') return { state: 'paused', detail: 'paused by a recorded exception' };
  if (d.dueOn < today && !opts.window)
    return { state: 'late', detail: `${plural(days(d.dueOn, today), 'day')} overdue` };
  if (d.dueOn < today)
    return { state: 'open', detail: `window closed ${plural(days(d.dueOn, today), 'day')} ago` };
  if (opts.caseAtRisk)
    return { state: 'at_risk', detail: `due in ${plural(days(today, d.dueOn), 'day')}, at risk` };
  return {
    state: 'open',
    detail: d.dueOn === today ? 'due today' : `due in ${plural(days(today, d.dueOn), 'day')}`,
  };
}

/**
 * One case's bar. `ruleName` names a rule id; `isWindow` says which rules are windows. For an EHC needs
 * assessment the open 20-week deadline (E7) is at risk when `ehcnaRisk` says so; cancelled deadlines
 * (no longer applying) are left out.
 */
export function timelineBar(
  c: TimelineCaseInput,
  today: IsoDate,
  holidays: HolidaySet,
  rules: { name(ruleId: string): string; isWindow(ruleId: string): boolean },
): TimelineBar {
  const ehcna = c.kind === 'EHC_NEEDS_ASSESSMENT';
  const e7 = c.deadlines.find((d) => d.ruleId === 'E7');
  const risk = ehcna
    ? ehcnaRisk(
        {
          events: c.events,
          ...(e7 ? { finalDueOn: e7.dueOn, finalStatus: e7.status as 'OPEN' } : {}),
        },
        today,
        holidays,
      )
    : null;
  const markers: TimelineMarker[] = [];
  for (const d of c.deadlines) {
    if (d.status === 'CANCELLED') continue;
    const id = ruleIdOfKey(d.ruleId);
    const atRisk = risk?.atRisk === true && id === 'E7';
    const s = deadlineState(d, today, { window: rules.isWindow(id), caseAtRisk: atRisk });
    markers.push({ ruleId: id, name: rules.name(id), dueOn: d.dueOn, done: d.status === 'MET', ...s });
  }
  markers.sort((a, b) => (a.dueOn < b.dueOn ? -1 : a.dueOn > b.dueOn ? 1 : a.ruleId < b.ruleId ? -1 : 1));
  const pending = markers.filter((m) => !m.done);
  const lastDue = markers.reduce<IsoDate>((m, x) => (x.dueOn > m ? x.dueOn : m), c.startDate);
  const end = ehcna ? (e7?.dueOn ?? addDays(c.startDate, 140)) : lastDue;
  let state: DeadlineState = 'met';
  for (const m of markers) if (SEVERITY.indexOf(m.state) < SEVERITY.indexOf(state)) state = m.state;
  if (markers.length === 0) state = 'open';
  return {
    caseId: c.id,
    ref: c.reference ?? c.id.slice(0, 10),
    kind: c.kind,
    start: c.startDate,
    end: end < c.startDate ? c.startDate : end,
    week: Math.max(0, Math.floor(days(c.startDate, today) / 7)),
    markers,
    next: pending[0] ?? null,
    state,
    riskReasons: risk?.reasons ?? [],
  };
}
