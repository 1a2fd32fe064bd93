/**
 * A case's deadlines as the planner's next tick will store them, computed without writing: the stored rows
 * with `diffDeadlines`' creates and updates applied in memory (the same engine and the same diff the tick
 * writes with, app/deadlines/plan-cases.ts). Read views use it for a case whose inputs changed since it was
 * last planned (a case just opened, a key date just recorded: docs/deadlines.md "How the tick works"), so
 * `case list` and chat `cases` are true before the tick has run. Nothing here writes or nudges.
 */
import type { IsoDate } from '../calendar/iso-date.ts';
import { type ComputedDeadline, type DeadlineStatus, diffDeadlines, type StoredDeadline } from './engine.ts';

export interface ProjectedDeadline<S extends StoredDeadline = StoredDeadline> {
  ruleId: string;
  dueOn: IsoDate;
  status: DeadlineStatus;
  metOn: IsoDate | null;
  /** The stored row it updates; absent for a deadline the tick will create. */
  stored?: S;
}

/** The stored deadlines with the tick's diff applied: updated rows, then the ones it will create. */
export function projectDeadlines<S extends StoredDeadline>(
  computed: ComputedDeadline[],
  stored: S[],
): ProjectedDeadline<S>[] {
  const { creates, updates } = diffDeadlines(computed, stored);
  const out: ProjectedDeadline<S>[] = stored.map((s) => {
    const p: ProjectedDeadline<S> = {
      ruleId: s.ruleId,
      dueOn: s.dueOn,
      status: s.status,
      metOn: s.metOn,
      stored: s,
    };
    for (const u of updates) if (u.id === s.id) Object.assign(p, u.data);
    return p;
  });
  for (const c of creates) out.push({ ruleId: c.ruleId, dueOn: c.dueOn, status: c.status, metOn: c.metOn });
  return out;
}

/** The earliest open or paused deadline (as the caseload read orders them: by due date). */
export function nextOpen<D extends { dueOn: string; status: DeadlineStatus }>(ds: D[]): D | null {
  let best: D | null = null;
  for (const d of ds)
    if ((d.status === 'OPEN' || d.status === 'PAUSED') && (!best || d.dueOn < best.dueOn)) best = d;
  return best;
}
