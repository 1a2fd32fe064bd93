/**
 * Deadlines that tell the truth (issue 14 part A), beside the DeadlineService: unversioned rule packs
 * migrated at start-up, cases that say why they lack deadlines (unknown pack, missing key date, no term
 * dates), the 20-week risk of each open EHC needs assessment, and due dates on days nobody works.
 * Pure parts live in core/deadlines (health.ts, at-risk.ts, day-flags.ts); this file reads the stores.
 */

import type { IsoDate } from '../../core/calendar/iso-date.ts';
import type { HolidaySet } from '../../core/calendar/working-days.ts';
import type { CalendarContext } from '../../core/deadlines/arithmetic.ts';
import { ehcnaRisk } from '../../core/deadlines/at-risk.ts';
import { caseSubjectLabel } from '../../core/deadlines/case-label.ts';
import { dayFlag, dayFlagText, isSchoolRule } from '../../core/deadlines/day-flags.ts';
import type { DigestItem } from '../../core/deadlines/digest.ts';
import { evaluateCase } from '../../core/deadlines/engine.ts';
import { type CaseProblem, caseProblems } from '../../core/deadlines/health.ts';
import { type ProjectedDeadline, projectDeadlines } from '../../core/deadlines/projection.ts';
import type { RuleBook } from '../../core/deadlines/registry.ts';
import type { CaseKind, Rule } from '../../core/deadlines/types.ts';
import type { DeadlineRow, PlanningCase } from '../../store/case-repository.ts';
import type { DeadlineService } from './service.ts';
import { suspensionOthers } from './suspension-totals.ts';

/** Resolve every unversioned pack id to its current version; returns cases migrated per target. */
export async function migrateUnversionedPacks(svc: DeadlineService): Promise<Record<string, number>> {
  const rows = await svc.cases.unversionedPacks();
  const groups = new Map<string, { from: string; to: string; ids: string[] }>();
  for (const r of rows) {
    const to = svc.book.resolvePackId(r.rulePack, r.kind as CaseKind, r.startDate);
    if (!to || to === r.rulePack) continue;
    const key = `${r.rulePack}|${to}`;
    const g = groups.get(key) ?? { from: r.rulePack, to, ids: [] };
    g.ids.push(r.id);
    groups.set(key, g);
  }
  const out: Record<string, number> = {};
  for (const g of groups.values())
    out[`${g.from} -> ${g.to}`] = await svc.cases.setRulePack(g.ids, g.from, g.to);
  return out;
}

/** The pack a case is evaluated against (a stored unversioned id resolved, in case start-up missed it). */
export const packOf = (book: RuleBook, c: { kind: string; rulePack: string; startDate: string }): string =>
  book.resolvePackId(c.rulePack, c.kind as CaseKind, c.startDate) ?? c.rulePack;

/** Why a case has fewer deadlines than its kind should (empty when nothing is missing). */
export function problemsOfCase(
  book: RuleBook,
  c: { kind: string; rulePack: string; startDate: string; events: { kind: string; occurredOn?: string }[] },
  computedCount: number,
  hasTermDates: boolean,
): CaseProblem[] {
  return caseProblems(
    { kind: c.kind as CaseKind, rulePack: packOf(book, c), events: c.events },
    computedCount,
    hasTermDates,
    book,
  );
}

export interface CaseProblemRow {
  caseId: string;
  caseRef: string;
  label: string;
  ownerId: string | null;
  orgId: string;
  problems: CaseProblem[];
}

export const problemLine = (r: CaseProblemRow): string =>
  `case ${r.caseRef} · ${r.label}: ${r.problems.map((p) => p.message).join('; ')}`;

/** Flag text for a deadline shown to a person (empty on a working or school day). */
export function dayNoteOf(dueOn: IsoDate, rule: Rule | undefined, ctx: CalendarContext): string {
  if (!rule) return '';
  return dayFlagText(dueOn, dayFlag(dueOn, rule, ctx), isSchoolRule(rule));
}

/** The 20-week risk of one EHCNA case, as a digest item (null when not at risk). */
export function riskItem(
  c: PlanningCase,
  today: IsoDate,
  holidays: HolidaySet,
): (DigestItem & { orgId: string }) | null {
  if (c.kind !== 'EHC_NEEDS_ASSESSMENT' || !c.ownerId) return null;
  let e7: PlanningCase['deadlines'][number] | undefined;
  for (const d of c.deadlines) if (d.ruleId === 'E7') e7 = d;
  const risk = ehcnaRisk(
    {
      events: c.events,
      ...(e7 ? { finalDueOn: e7.dueOn, finalStatus: e7.status } : {}),
    },
    today,
    holidays,
  );
  if (!risk?.atRisk) return null;
  return {
    deadlineId: e7?.id ?? c.id,
    caseRef: c.reference ?? c.id.slice(0, 8),
    ruleId: 'E7',
    ruleName: 'Final EHC plan issued (20 weeks)',
    dueOn: risk.finalDueOn,
    status: 'OPEN',
    window: false,
    ownerId: e7?.ownerId ?? c.ownerId,
    studentLabel: caseSubjectLabel(c.kind, c.student),
    atRisk20Weeks: true,
    atRiskReason: `week ${risk.week}: ${risk.reasons.join('; ')}`,
    orgId: c.orgId,
  };
}

/** A case's deadlines as the next tick will store them (core/deadlines/projection.ts). */
export interface CaseProjection {
  deadlines: ProjectedDeadline<DeadlineRow>[];
}

/**
 * Open cases (optionally of one organisation or owner, or the given ones) with what they lack, and the
 * EHCNA cases at risk: one packed read of the open caseload (the planner's read) and the pure engine. With
 * `project`, each case's deadlines as the next tick will store them too (the risk is then read from
 * those), for views that must be true before the tick has run (`case list`, chat `cases`); nothing is
 * written.
 */
export async function caseloadTruth(
  svc: DeadlineService,
  opts: { orgId?: string; ownerId?: string; caseIds?: string[]; project?: boolean } = {},
): Promise<{
  problems: CaseProblemRow[];
  atRisk: (DigestItem & { orgId: string })[];
  projected: Map<string, CaseProjection>;
  /** The open cases read (of the organisation or owner asked for), and their calendars. */
  cases: PlanningCase[];
  ctxFor: (orgId: string) => CalendarContext;
}> {
  await svc.ensureHolidays(); // the tick's calendar, also for a read outside a tick
  // Only what is asked for: the given cases (one timeline), one organisation's, or every open case.
  const all = opts.caseIds
    ? await svc.cases.forPlanning(opts.caseIds)
    : opts.orgId
      ? await svc.cases.openOfOrg(opts.orgId)
      : await svc.cases.openForPlanning();
  const page = all.filter(
    (c) => (!opts.orgId || c.orgId === opts.orgId) && (!opts.ownerId || c.ownerId === opts.ownerId),
  );
  const orgIds = [...new Set(page.map((c) => c.orgId))];
  const terms = await svc.cases.termDates(orgIds);
  const ctxFor = svc.calendarsFor(terms);
  const withTerms = new Set(terms.filter((t) => t.kind === 'TERM').map((t) => t.orgId));
  const today = svc.today();
  const problems: CaseProblemRow[] = [];
  const atRisk: (DigestItem & { orgId: string })[] = [];
  const projected = new Map<string, CaseProjection>();
  // A pupil's suspensions add up across their cases (reg 6(3)(b)): as the tick computes them.
  const others = await suspensionOthers(svc, page);
  for (const c of page) {
    const computed = evaluateCase(
      {
        kind: c.kind as CaseKind,
        rulePack: packOf(svc.book, c),
        events: c.events,
        others: others.get(c.id) ?? [],
      },
      svc.book,
      ctxFor(c.orgId),
    );
    const ps = problemsOfCase(svc.book, c, computed.length, withTerms.has(c.orgId));
    if (ps.length)
      problems.push({
        caseId: c.id,
        caseRef: c.reference ?? c.id.slice(0, 8),
        label: caseSubjectLabel(c.kind, c.student),
        ownerId: c.ownerId,
        orgId: c.orgId,
        problems: ps,
      });
    let risky = c;
    if (opts.project) {
      const deadlines = projectDeadlines(computed, c.deadlines);
      projected.set(c.id, { deadlines });
      // The risk reads E7 (met, paused, its date): as the tick will store it.
      risky = {
        ...c,
        deadlines: deadlines.map((d) => ({
          ...(d.stored ?? { id: c.id, caseId: c.id, ownerId: null, snoozedUntil: null, pausedReason: null }),
          ruleId: d.ruleId,
          dueOn: d.dueOn,
          status: d.status,
          metOn: d.metOn,
        })),
      };
    }
    const r = riskItem(risky, today, svc.holidays);
    if (r) atRisk.push(r);
  }
  return { problems, atRisk, projected, cases: page, ctxFor };
}
