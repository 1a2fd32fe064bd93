/**
 * Timeliness of new EHC plans (issue 17), counted as the DfE's SEN2 return counts it (Special educational
 * needs survey (SEN2) guide, gov.uk/guidance/special-educational-needs-survey; published as "Education,
 * health and care plans", explore-education-statistics.service.gov.uk/find-statistics/education-health-and-care-plans):
 * - a plan counts in the period of the date the final plan was issued (SEN2 counts a calendar year);
 * - issued within 20 weeks: on or before the request date + 20 weeks (140 days), the time limit of
 *   The SEND Regulations 2014 reg 13(2) (legislation.gov.uk/uksi/2014/1530/regulation/13);
 * - "including exceptions": every plan, within 20 weeks over all plans;
 * - "excluding exceptions": the plans to which an exception applied are left out of both counts. An
 *   exception applies when a person recorded one against the 20-week deadline (E7): reg 13(3) lifts the
 *   limit where meeting it is impractical for a reason of reg 10(4)(a)-(d).
 * Also: the open assessments that will breach unless something happens this week (at-risk.ts: the steps
 * left fit today but no longer fit a week from now, or the 20-week date falls within the week). Pure.
 */
import { addDays, type IsoDate } from '../calendar/iso-date.ts';
import type { HolidaySet } from '../calendar/working-days.ts';
import { ehcnaRisk } from './at-risk.ts';

export const WEEKS_20_DAYS = 140;

export interface FinalisedPlan {
  caseId: string;
  reference: string | null;
  officerId: string | null;
  officerName: string | null;
  requestOn: IsoDate;
  issuedOn: IsoDate;
  /** An exception (reg 13(3)) was recorded against the 20-week deadline. */
  exception: boolean;
  /** The officer who held the case on the day of issue is not known from its history (see TimelinessCount). */
  beforeHistory?: boolean;
}

export interface TimelinessCount {
  /** Month ("2026-03"), year ("2026"), or officer name. */
  key: string;
  label: string;
  plans: number;
  within: number;
  /** Within 20 weeks over all plans, 0-100, one decimal; null without plans. */
  pctIncluding: number | null;
  /** Plans without an exception. */
  plansExcluding: number;
  withinExcluding: number;
  pctExcluding: number | null;
  exceptions: number;
  /**
   * Plans whose case was assigned before its assignment history was kept (or has none), counted under the
   * officer the history began with or, lacking any, the case's officer now: shown beside the officer.
   */
  beforeHistory: number;
}

export const within20Weeks = (p: { requestOn: IsoDate; issuedOn: IsoDate }): boolean =>
  p.issuedOn <= addDays(p.requestOn, WEEKS_20_DAYS);

const pct = (n: number, d: number): number | null => (d === 0 ? null : Math.round((1000 * n) / d) / 10);

/**
 * Plans counted together: those of one month and officer with the same within / exception flags (the
 * store counts them in the database; `timeliness` makes one group per plan).
 */
export interface PlanGroup {
  /** "2026-05": the month the final plan was issued. */
  month: string;
  /** The officer who held the case on the day the plan was issued (store/case-assignment-repository.ts). */
  officerId: string | null;
  officerName: string | null;
  within: boolean;
  exception: boolean;
  /** The officer comes from before the case's assignment history was kept, not from it. */
  beforeHistory?: boolean;
  n: number;
}

function count(key: string, label: string, groups: readonly PlanGroup[]): TimelinessCount {
  let plans = 0;
  let within = 0;
  let excl = 0;
  let withinExcl = 0;
  let before = 0;
  for (const g of groups) {
    plans += g.n;
    if (g.beforeHistory) before += g.n;
    if (g.within) within += g.n;
    if (!g.exception) {
      excl += g.n;
      if (g.within) withinExcl += g.n;
    }
  }
  return {
    key,
    label,
    plans,
    within,
    pctIncluding: pct(within, plans),
    plansExcluding: excl,
    withinExcluding: withinExcl,
    pctExcluding: pct(withinExcl, excl),
    exceptions: plans - excl,
    beforeHistory: before,
  };
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
export const monthLabel = (ym: string): string => `${MONTHS[Number(ym.slice(5, 7)) - 1]} ${ym.slice(0, 4)}`;

/** The months from `from` to `to` inclusive ("YYYY-MM"). */
export function monthsBetween(from: string, to: string): string[] {
  const out: string[] = [];
  let y = Number(from.slice(0, 4));
  let m = Number(from.slice(5, 7));
  for (let i = 0; i < 240; i++) {
    const ym = `${y}-${String(m).padStart(2, '0')}`;
    if (ym > to) break;
    out.push(ym);
    if (++m > 12) {
      m = 1;
      y++;
    }
  }
  return out;
}

export interface Timeliness {
  total: TimelinessCount;
  byMonth: TimelinessCount[];
  /** Calendar years: the SEN2 return's period. */
  byYear: TimelinessCount[];
  byOfficer: TimelinessCount[];
}

/** Every month of the period (empty months shown), calendar years, and officers by name. */
export function timeliness(
  plans: readonly FinalisedPlan[],
  period: { from: string; to: string },
): Timeliness {
  return timelinessOfGroups(
    plans.map((p) => ({
      month: p.issuedOn.slice(0, 7),
      officerId: p.officerId,
      officerName: p.officerName,
      within: within20Weeks(p),
      exception: p.exception,
      beforeHistory: p.beforeHistory ?? false,
      n: 1,
    })),
    period,
  );
}

/** The same from plans already counted in groups (store/timeliness-repository.ts `planGroups`). */
export function timelinessOfGroups(
  all: readonly PlanGroup[],
  period: { from: string; to: string },
): Timeliness {
  const by = (keyOf: (g: PlanGroup) => string) => {
    const m = new Map<string, PlanGroup[]>();
    for (const g of all) {
      const k = keyOf(g);
      const list = m.get(k);
      if (list) list.push(g);
      else m.set(k, [g]);
    }
    return m;
  };
  const months = by((g) => g.month);
  const years = by((g) => g.month.slice(0, 4));
  const officers = by((g) => g.officerId ?? '');
  const names = new Map(all.map((g) => [g.officerId ?? '', g.officerName ?? 'No officer']));
  return {
    total: count('all', 'All plans', all),
    byMonth: monthsBetween(period.from, period.to).map((ym) =>
      count(ym, monthLabel(ym), months.get(ym) ?? []),
    ),
    byYear: [...years.keys()].sort().map((y) => count(y, y, years.get(y)!)),
    byOfficer: [...officers.keys()]
      .map((k) => count(k, names.get(k)!, officers.get(k)!))
      .sort((x, y) => x.label.localeCompare(y.label)),
  };
}

export interface OpenAssessment {
  caseId: string;
  reference: string | null;
  officerName: string | null;
  finalDueOn: IsoDate;
  events: readonly { kind: string; occurredOn: IsoDate }[];
}

export interface BreachItem {
  caseId: string;
  ref: string;
  officerName: string | null;
  finalDueOn: IsoDate;
  /** The steps still to do, in order. */
  steps: string[];
  /** Why a week's delay breaches: "20-week date within the week" or the fit a week from now. */
  why: string;
}

/**
 * Open assessments that meet 20 weeks if the next step is taken this week but not if it waits a week:
 * not at risk today, at risk when the same facts are read 7 days from now.
 */
export function breachThisWeek(
  open: readonly OpenAssessment[],
  today: IsoDate,
  holidays: HolidaySet,
): BreachItem[] {
  const inAWeek = addDays(today, 7);
  const out: BreachItem[] = [];
  for (const a of open) {
    const input = { events: a.events, finalDueOn: a.finalDueOn, finalStatus: 'OPEN' as const };
    const now = ehcnaRisk(input, today, holidays);
    if (!now || now.atRisk) continue;
    const later = ehcnaRisk(input, inAWeek, holidays);
    if (!later?.atRisk) continue;
    out.push({
      caseId: a.caseId,
      ref: a.reference ?? a.caseId.slice(0, 10),
      officerName: a.officerName,
      finalDueOn: a.finalDueOn,
      steps: now.steps,
      why:
        a.finalDueOn <= inAWeek
          ? `the 20-week date, ${a.finalDueOn}, falls within the week`
          : `a week from now the steps left need ${later.workingDaysNeeded} working days, ${later.workingDaysLeft} left`,
    });
  }
  return out.sort((x, y) => (x.finalDueOn < y.finalDueOn ? -1 : x.finalDueOn > y.finalDueOn ? 1 : 0));
}
