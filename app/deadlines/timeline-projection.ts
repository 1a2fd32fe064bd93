/**
 * An open case's deadlines for its timeline as the next tick will store them (audit finding 10): the same
 * projection `case list` and chat `cases` read (caseloadTruth with `project`, core/deadlines/projection.ts),
 * so a timeline read after the inputs changed (term dates imported since the case was planned) shows the
 * date `case list` shows, not the stored one, before the tick has run. Nothing is written.
 */
import type { DeadlineRow } from '../../store/case-planning-read.ts';
import type { CaseDetail } from '../../store/case-repository.ts';
import type { DeadlineService } from './service.ts';
import { caseloadTruth } from './truth.ts';

/** A stored row with the tick's changes; a deadline the tick will create has `id` null (not stored yet). */
export type TimelineDeadline = Omit<DeadlineRow, 'id'> & { id: string | null };

export async function timelineDeadlines(svc: DeadlineService, c: CaseDetail): Promise<TimelineDeadline[]> {
  if (c.status !== 'OPEN') return c.deadlines;
  const p = (await caseloadTruth(svc, { orgId: c.orgId, caseIds: [c.id], project: true })).projected.get(
    c.id,
  );
  if (!p) return c.deadlines;
  return p.deadlines.map((d) => ({
    ...(d.stored ?? {
      id: null,
      caseId: c.id,
      ownerId: null,
      snoozedUntil: null,
      pausedReason: null,
    }),
    ruleId: d.ruleId,
    dueOn: d.dueOn,
    status: d.status,
    metOn: d.metOn,
  }));
}
