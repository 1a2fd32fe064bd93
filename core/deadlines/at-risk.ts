/**
 * The 20-week risk of an EHC needs assessment (issue 14 point 2), computed from its key dates: the steps
 * still to do, the working days they need, and the days left before the final plan is due. At risk when
 * they cannot fit, or a step is past the week it belongs to. Steps and their sources:
 * - decision whether to assess: 6 weeks (SEND Regulations 2014 regs 4-5, legislation.gov.uk/uksi/2014/1530/regulation/5);
 * - advice gathered: 6 weeks from each request (reg 8(1)); the local week-12 milestone (rule E8);
 * - draft plan (after the decision to issue; notice of a decision not to issue by 16 weeks, reg 10);
 * - 15 days for the family's comments on the draft, beginning with the day it is served (reg 13(1), reg 14);
 * - final plan within 20 weeks of the request (reg 13(2)).
 * Durations of the local steps (drafting 5 working days, issue 1) are estimates, named as such. Pure.
 */
import { addDays, type IsoDate } from '../calendar/iso-date.ts';
import {
  addWorkingDays as addWorkingDaysUncached,
  type HolidaySet,
  isWorkingDay,
} from '../calendar/working-days.ts';
import { formatDate } from './nudges.ts';

export const DRAFTING_WORKING_DAYS = 5;
export const ADVICE_WORKING_DAYS = 30;

export interface RiskInput {
  events: readonly { kind: string; occurredOn: IsoDate }[];
  /** The stored final-plan deadline (E7) and its status; absent: request + 20 weeks, open. */
  finalDueOn?: IsoDate;
  finalStatus?: 'OPEN' | 'MET' | 'PAUSED' | 'CANCELLED';
}

export interface Risk {
  atRisk: boolean;
  /** Why, most urgent first: "no draft at week 16", "cannot fit: …". */
  reasons: string[];
  /** Weeks since the request (whole weeks). */
  week: number;
  steps: string[];
  workingDaysNeeded: number;
  workingDaysLeft: number;
  finalDueOn: IsoDate;
  /** The earliest the final plan can be issued if every remaining step starts today. */
  earliestFinal: IsoDate;
}

/**
 * Working days after `from` up to `to`, and `n` working days on: memoised per holiday calendar (a page
 * of thousands of open assessments asks for the same few hundred pairs; the timeliness page reads each
 * case twice; a planner tick plans thousands). Nested maps by date, no key string built per call.
 */
const riskMemos = new WeakMap<
  HolidaySet,
  { version: unknown; wdf: Map<IsoDate, Map<IsoDate, number>>; awd: Map<IsoDate, Map<number, IsoDate>> }
>();
function riskMemo(holidays: HolidaySet) {
  const version = (holidays as { version?: unknown }).version;
  let m = riskMemos.get(holidays);
  if (!m || m.version !== version || m.wdf.size + m.awd.size > 20_000) {
    m = { version, wdf: new Map(), awd: new Map() };
    riskMemos.set(holidays, m);
  }
  return m;
}

/** `compute(a, b, holidays)`, looked up first in `memo` by `a` then `b` (module functions: no closure a call). */
function memo2<A, B, V>(
  memo: Map<A, Map<B, V>>,
  a: A,
  b: B,
  holidays: HolidaySet,
  compute: (a: A, b: B, holidays: HolidaySet) => V,
): V {
  let byB = memo.get(a);
  if (!byB) {
    byB = new Map();
    memo.set(a, byB);
  }
  let v = byB.get(b);
  if (v === undefined) {
    v = compute(a, b, holidays);
    byB.set(b, v);
  }
  return v;
}

function workingDaysFrom(from: IsoDate, to: IsoDate, holidays: HolidaySet): number {
  if (to <= from) return 0;
  return memo2(riskMemo(holidays).wdf, from, to, holidays, countWorkingDays);
}

function addWorkingDays(date: IsoDate, n: number, holidays: HolidaySet): IsoDate {
  return memo2(riskMemo(holidays).awd, date, n, holidays, addWorkingDaysUncached);
}

function countWorkingDays(from: IsoDate, to: IsoDate, holidays: HolidaySet): number {
  let n = 0;
  for (let d = addDays(from, 1), i = 0; d <= to && i < 800; d = addDays(d, 1), i++)
    if (isWorkingDay(d, holidays)) n++;
  return n;
}

/** The earliest date of a key date of kind `k` (module-level, not a closure per call: a tick asks often). */
function first(events: RiskInput['events'], k: string): IsoDate | undefined {
  let d: IsoDate | undefined;
  for (const e of events) if (e.kind === k && (d === undefined || e.occurredOn < d)) d = e.occurredOn;
  return d;
}

function latest(events: RiskInput['events'], k: string): IsoDate | undefined {
  let d: IsoDate | undefined;
  for (const e of events) if (e.kind === k && (d === undefined || e.occurredOn > d)) d = e.occurredOn;
  return d;
}

/** Null when nothing is left to risk: final plan issued, decision not to issue, paused or cancelled. */
export function ehcnaRisk(input: RiskInput, today: IsoDate, holidays: HolidaySet): Risk | null {
  const ev = input.events;
  const request = first(ev, 'request_received');
  if (!request) return null;
  if (first(ev, 'final_plan_issued') || first(ev, 'decision_not_to_issue')) return null;
  if (input.finalStatus && input.finalStatus !== 'OPEN') return null;
  const finalDueOn = input.finalDueOn ?? addDays(request, 140);
  const week = Math.max(0, Math.floor((Date.parse(today) - Date.parse(request)) / (7 * 86_400_000)));
  const decided = first(ev, 'assessment_decision');
  const adviceDone =
    first(ev, 'assessment_complete') ?? first(ev, 'issue_decision') ?? first(ev, 'draft_served');
  const draft = latest(ev, 'draft_served');
  const reasons: string[] = [];
  const steps: string[] = [];
  let t = today;
  if (!decided) {
    steps.push('decision to assess');
    if (today > addDays(request, 42)) reasons.push('no decision to assess at week 6 (reg 5)');
    t = addWorkingDays(t, 1, holidays);
  }
  if (!adviceDone) {
    steps.push('advice (6 weeks, reg 8)');
    if (today > addDays(request, 84)) reasons.push('no assessment complete at week 12 (local milestone E8)');
    const asked = latest(ev, 'advice_requested');
    const byAdvice = asked ? addDays(asked, 42) : addWorkingDays(t, ADVICE_WORKING_DAYS, holidays);
    if (byAdvice > t) t = byAdvice;
  }
  if (!draft) {
    steps.push(`draft plan (${DRAFTING_WORKING_DAYS} working days, local estimate)`);
    if (today > addDays(request, 112)) reasons.push('no draft at week 16 (reg 10, reg 13)');
    t = addWorkingDays(t, DRAFTING_WORKING_DAYS, holidays);
  }
  steps.push('15 days for comments on the draft (reg 13(1))');
  const commentsClose = draft ? addDays(draft, 14) : addDays(t, 14);
  if (commentsClose > t) t = commentsClose;
  steps.push('final plan issued (reg 13(2))');
  t = addWorkingDays(t, 1, holidays);
  const needed = workingDaysFrom(today, t, holidays);
  const left = workingDaysFrom(today, finalDueOn, holidays);
  if (today > finalDueOn) reasons.unshift(`20-week date passed on ${formatDate(finalDueOn)}`);
  else if (t > finalDueOn)
    reasons.push(
      `cannot fit: the remaining steps need ${needed} working days, ${left} left (final plan due ${formatDate(finalDueOn)})`,
    );
  return {
    atRisk: reasons.length > 0,
    reasons,
    week,
    steps,
    workingDaysNeeded: needed,
    workingDaysLeft: left,
    finalDueOn,
    earliestFinal: t,
  };
}
