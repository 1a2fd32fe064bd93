/**
 * The read side of `due` and `digest` (console, chat and `send-hub due`): deadlines due by a date (and
 * overdue) as the next tick will store them, the projection `case list`, `case timeline` and `register`
 * read (caseloadTruth with `project`, core/deadlines/projection.ts). A coordinator who types `due` after the
 * term dates were imported, or a key date was recorded by another process, reads the dates the tick will
 * store, not the stored ones. One packed read of the open caseload serves the deadlines, the cases that
 * lack deadlines and the 20-week risk alike (it was a second query for the deadlines). Nothing is written.
 */
import { addDays, type IsoDate } from '../../core/calendar/iso-date.ts';
import { caseSubjectLabel } from '../../core/deadlines/case-label.ts';
import type { ProjectedDeadline } from '../../core/deadlines/projection.ts';
import { isPlannedKey } from '../../core/deadlines/suspension.ts';
import type { DeadlineRow, PlanningCase } from '../../store/case-repository.ts';
import type { DeadlineService } from './service.ts';
import { type CaseProblemRow, caseloadTruth, dayNoteOf } from './truth.ts';

export interface DueRow {
  /** " ⚠ Sun 31 Jan 2027 is a Sunday: …" when the due date falls on a day nobody works. */
  dayNote: string;
  /** The stored deadline; null for one the next tick will create (no id to act on yet). */
  id: string | null;
  dueOn: IsoDate;
  status: 'OPEN' | 'PAUSED';
  overdue: boolean;
  /** The LA's key date (Rule.owner, issue 13): named as theirs, never the school's overdue work. */
  laOwned: boolean;
  ruleName: string;
  caseRef: string;
  caseId: string;
  student: string;
  /** The deadline's own owner (reassigned alone), else its case's. */
  ownerId: string | null;
}

/** `[id]` of a due line; a deadline not stored yet says so. */
export const dueIdText = (id: string | null): string => id ?? 'new: stored at the next tick';

/**
 * Open and paused deadlines due by today + `untilDays` (overdue included), by due date, of an organisation
 * (or all) and of an owner (the deadline's own owner, else its case's); and the open cases lacking
 * deadlines and the EHCNA cases at risk, of the organisation (each caller filters them by owner).
 */
export async function dueRead(
  svc: DeadlineService,
  untilDays: number,
  opts: { orgId?: string; ownerId?: string } = {},
): Promise<{
  rows: DueRow[];
  problems: CaseProblemRow[];
  atRisk: Awaited<ReturnType<typeof caseloadTruth>>['atRisk'];
}> {
  const today = svc.today();
  const until = addDays(today, untilDays);
  const truth = await caseloadTruth(svc, { ...(opts.orgId ? { orgId: opts.orgId } : {}), project: true });
  const hits: { c: PlanningCase; d: ProjectedDeadline<DeadlineRow> }[] = [];
  for (const c of truth.cases) {
    const p = truth.projected.get(c.id);
    if (!p) continue;
    for (const d of p.deadlines) {
      if ((d.status !== 'OPEN' && d.status !== 'PAUSED') || d.dueOn > until) continue;
      const ownerId = d.stored?.ownerId ?? c.ownerId;
      if (opts.ownerId && ownerId !== opts.ownerId) continue;
      hits.push({ c, d });
    }
  }
  const ctxFor = truth.ctxFor;
  const rows = hits.map(({ c, d }): DueRow => {
    const rule = svc.ruleFor(c.kind, c.rulePack, d.ruleId, c.orgId);
    return {
      dayNote: dayNoteOf(d.dueOn, rule, ctxFor(c.orgId)),
      id: d.stored?.id ?? null,
      dueOn: d.dueOn,
      status: d.status as 'OPEN' | 'PAUSED',
      overdue: d.dueOn < today && d.status === 'OPEN' && !rule?.window && rule?.owner !== 'la',
      laOwned: rule?.owner === 'la',
      ruleName:
        (rule?.owner === 'la' ? `${rule.name} (the LA's)` : (rule?.name ?? d.ruleId)) +
        (isPlannedKey(d.ruleId) ? ' (planned start)' : ''),
      caseRef: c.reference ?? c.id,
      caseId: c.id,
      student: caseSubjectLabel(c.kind, c.student),
      ownerId: d.stored?.ownerId ?? c.ownerId,
    };
  });
  rows.sort((a, b) =>
    a.dueOn < b.dueOn
      ? -1
      : a.dueOn > b.dueOn
        ? 1
        : a.caseRef < b.caseRef
          ? -1
          : a.caseRef > b.caseRef
            ? 1
            : 0,
  );
  const mine = <T extends { ownerId: string | null }>(xs: T[]) =>
    opts.ownerId ? xs.filter((x) => x.ownerId === opts.ownerId) : xs;
  return { rows, problems: mine(truth.problems), atRisk: mine(truth.atRisk) };
}
