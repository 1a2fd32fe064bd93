/**
 * One tick's work on a set of open cases (every open case in a full sweep, the changed and due ones in a
 * steady tick; docs/deadlines.md "How the tick works"): compute each case's deadlines, write what changed,
 * and gather the nudge and digest items and each case's next moment. The same code for both paths, so the
 * two differ only in which cases they read.
 */
import type { IsoDate } from '../../core/calendar/iso-date.ts';
import type { CalendarContext } from '../../core/deadlines/arithmetic.ts';
import { caseSubjectLabel } from '../../core/deadlines/case-label.ts';
import {
  type ComputedDeadline,
  type DeadlineCreate,
  type DeadlineStatus,
  diffDeadlines,
  evaluateCase,
} from '../../core/deadlines/engine.ts';
import { type MomentCache, nextNudgeMoment } from '../../core/deadlines/next-moment.ts';
import type { NudgeItem, NudgeOptions } from '../../core/deadlines/nudges.ts';
import type { CaseKind } from '../../core/deadlines/types.ts';
import type { PlanningCase } from '../../store/case-repository.ts';
import type { PlannedDigestItem } from './digests.ts';
import type { DeadlineService, TickReport } from './service.ts';
import { suspensionOthers } from './suspension-totals.ts';
import { dayNoteOf, packOf, problemLine, problemsOfCase, riskItem } from './truth.ts';

/** Bits of a case's flags: why it lacks deadlines, and the 20-week risk (counted for health). */
export const FLAG_UNKNOWN_PACK = 1;
export const FLAG_WAITING = 2;
export const FLAG_NEEDS_TERMS = 4;
export const FLAG_AT_RISK = 8;

/** What the organisations' staff and term dates give a tick. */
export interface OrgContext {
  ctxFor: (orgId: string) => CalendarContext;
  withTerms: Set<string>;
  lineManager: Map<string, string | null>;
  /** The organisation's head (or an admin): escalations when an owner has no line manager. */
  fallback: Map<string, string>;
  staffNames: Map<string, string>;
  /** The organisation's DSLs: told too when the LA's date on a child-protection case passes. */
  dsls?: Map<string, string[]>;
}

export interface CasesPlan {
  nudgeItems: NudgeItem[];
  digestItems: PlannedDigestItem[];
  problemsByOwner: Map<string, string[]>;
  /** Per case read: its next moment (null: time alone changes nothing) and flags. */
  perCase: { id: string; planOn: string; planVersion: number; next: IsoDate | null; flags: number }[];
}

/**
 * Plan `page` for `today`. With `dryRun`, nothing is written (a check that the stored state is what this
 * plan wants: the report's created/updated counts say what would be written).
 */
export async function planCases(
  svc: DeadlineService,
  page: PlanningCase[],
  today: IsoDate,
  org: OrgContext,
  o: { digestDay: boolean; dryRun: boolean; nudge: NudgeOptions },
  report: TickReport,
): Promise<CasesPlan> {
  let t0 = performance.now();
  const { ctxFor, withTerms, lineManager, fallback, staffNames, dsls } = org;
  const nudgeItems: NudgeItem[] = [];
  const digestItems: PlannedDigestItem[] = [];
  const problemsByOwner = new Map<string, string[]>();
  const perCaseWork: {
    c: PlanningCase;
    computed: ComputedDeadline[];
    creates: DeadlineCreate[];
    flags: number;
  }[] = [];
  const allCreates: {
    caseId: string;
    ruleId: string;
    dueOn: string;
    status: string;
    metOn: string | null;
    ownerId: null;
  }[] = [];
  const allUpdates: { id: string; data: Record<string, unknown> }[] = [];
  // A pupil's suspensions add up across their cases (reg 6(3)(b)): one pair of reads for the page's lot.
  const others = await suspensionOthers(svc, page);
  for (const c of page) {
    const rulePack = packOf(svc.book, c);
    const computed = evaluateCase(
      { kind: c.kind as CaseKind, rulePack, events: c.events, others: others.get(c.id) ?? [] },
      svc.book,
      ctxFor(c.orgId),
    );
    // No silent emptiness: counted for the log, listed in the owner's digest.
    const problems = problemsOfCase(svc.book, c, computed.length, withTerms.has(c.orgId));
    let flags = 0;
    for (const p of problems)
      if (p.code === 'unknown_pack' || p.code === 'no_rules') flags |= FLAG_UNKNOWN_PACK;
      else if (p.code === 'waiting_for_event') flags |= FLAG_WAITING;
      else flags |= FLAG_NEEDS_TERMS;
    if (problems.length && c.ownerId && o.digestDay) {
      const list = problemsByOwner.get(c.ownerId) ?? [];
      list.push(
        problemLine({
          caseId: c.id,
          caseRef: c.reference ?? c.id.slice(0, 8),
          label: caseSubjectLabel(c.kind, c.student),
          ownerId: c.ownerId,
          orgId: c.orgId,
          problems,
        }),
      );
      problemsByOwner.set(c.ownerId, list);
    }
    const { creates, updates } = diffDeadlines(computed, c.deadlines);
    for (const x of creates) allCreates.push({ ...x, caseId: c.id, ownerId: null });
    allUpdates.push(...updates);
    perCaseWork.push({ c, computed, creates, flags });
  }
  report.computeMs += performance.now() - t0;
  t0 = performance.now();
  const created = o.dryRun ? [] : await svc.deadlines.apply(allCreates, allUpdates);
  report.writeMs += performance.now() - t0;
  t0 = performance.now();
  report.created += allCreates.length;
  report.updated += allUpdates.length;
  const createdId = new Map(created.map((x) => [`${x.caseId}|${x.ruleId}`, x.id]));
  const updatedStatus = new Map(allUpdates.map((u) => [u.id, u.data.status as DeadlineStatus | undefined]));
  const moments: MomentCache = new Map();
  const perCase: CasesPlan['perCase'] = [];
  for (const { c, computed, flags: problemFlags } of perCaseWork) {
    report.cases++;
    let flags = problemFlags;
    // Initials and year for a child; nobody at all for a staff allegation (KCSIE Part 4).
    const label = caseSubjectLabel(c.kind, c.student);
    const caseRef = c.reference ?? c.id.slice(0, 8);
    // The 20-week risk, computed from the key dates (core/deadlines/at-risk.ts).
    const risk = c.kind === 'EHC_NEEDS_ASSESSMENT' ? riskItem(c, today, svc.holidays) : null;
    if (risk) flags |= FLAG_AT_RISK;
    const calendar = ctxFor(c.orgId);
    const firstItem = nudgeItems.length;
    for (const d of computed) {
      // The stored row of this key (a case has a handful: a scan, not a Map per case; the last one wins
      // as a Map built from them would).
      let s: (typeof c.deadlines)[number] | undefined;
      for (const x of c.deadlines) if (x.ruleId === d.key) s = x;
      const id = s?.id ?? createdId.get(`${c.id}|${d.key}`);
      if (!id) continue;
      const status: DeadlineStatus =
        (s && updatedStatus.size > 0 && updatedStatus.get(s.id)) || (s ? s.status : d.metOn ? 'MET' : 'OPEN');
      report.deadlines++;
      const ownerId = s?.ownerId ?? c.ownerId;
      const escalateToId = ownerId
        ? (lineManager.get(ownerId) ?? fallback.get(c.orgId) ?? null)
        : (fallback.get(c.orgId) ?? null);
      // Only open deadlines are nudged (planNudgeSlots skips the others).
      if (status === 'OPEN')
        nudgeItems.push({
          deadlineId: id,
          orgId: c.orgId,
          caseRef,
          rule: d.rule,
          dueOn: d.dueOn,
          safeTargetOn: d.safeTargetOn,
          lowConfidence: d.lowConfidence,
          status,
          snoozedUntil: s?.snoozedUntil ?? null,
          ownerId,
          ownerName: ownerId ? (staffNames.get(ownerId) ?? 'The owner') : 'Nobody',
          escalateToId: escalateToId === ownerId ? null : escalateToId,
          studentLabel: label,
          calendar,
          ...(c.kind === 'CHILD_PROTECTION' && d.rule.owner === 'la' && dsls?.has(c.orgId)
            ? { alsoTellIds: dsls.get(c.orgId)! }
            : {}),
        });
      if (o.digestDay && ownerId && (status === 'OPEN' || status === 'PAUSED'))
        digestItems.push({
          deadlineId: id,
          caseRef,
          ruleId: d.rule.id,
          // The LA's key dates (Rule.owner, issue 13) are named as theirs and never "overdue" for the school.
          ruleName: d.rule.owner === 'la' ? `${d.rule.name} (the LA's)` : d.rule.name,
          dueOn: d.dueOn,
          status,
          window: (d.rule.window ?? false) || d.rule.owner === 'la',
          ownerId,
          studentLabel: label,
          atRisk20Weeks: d.rule.id === 'E7' && status === 'OPEN' && risk !== null,
          ...(d.rule.id === 'E7' && risk?.atRiskReason ? { atRiskReason: risk.atRiskReason } : {}),
          dayNote: dayNoteOf(d.dueOn, d.rule, calendar),
          escalateToId: lineManager.get(ownerId) ?? null,
          orgId: c.orgId,
        });
    }
    const next = nextNudgeMoment(nudgeItems.slice(firstItem), today, o.nudge, moments);
    perCase.push({ id: c.id, planOn: c.planOn ?? '', planVersion: c.planVersion ?? 0, next, flags });
  }
  report.computeMs += performance.now() - t0;
  return { nudgeItems, digestItems, problemsByOwner, perCase };
}
