/**
 * Changes to the safeguarding rota (add, remove, move within a level), checked before they are written.
 * KCSIE 2025 Annex C: a school appoints a designated safeguarding lead, and a DSL or deputy should always
 * be available during school hours (docs/safeguarding.md). A rota that has entries but no regular DSL
 * for school hours would route concerns past the DSL (rota.ts `ladderAt` uses the entries alone), so a change
 * that leaves one is refused, whichever channel asks (chat, CLI, web).
 */
import type { RotaEntry, RotaLevel } from './rota.ts';

/** A stable key for one entry (the rota has no user-visible id): who, level, window and cover period. */
export function rotaEntryKey(e: RotaEntry): string {
  return [e.staffId, e.level, e.window, e.validFrom ?? '', e.validTo ?? ''].join('|');
}

/** A regular (not holiday cover) DSL entry that covers school hours. */
const regularDslForSchoolHours = (e: RotaEntry) =>
  e.level === 'DSL' && (e.window === 'ALWAYS' || e.window === 'IN_HOURS') && !e.validFrom && !e.validTo;

export interface RotaProblem {
  /** The form field the problem belongs to. */
  field: 'level' | 'staff' | 'entry';
  message: string;
}

/**
 * Why the rota `after` must not be saved, or null. An empty rota falls back to staff roles (rota.ts
 * `ladderFromRoles`) and is refused here too: removing the last entry is almost always a slip.
 * @example rotaProblem([{ staffId: 'd', level: 'DEPUTY_DSL', rank: 1, window: 'ALWAYS', validFrom: null, validTo: null }])
 * // { field: 'level', message: 'The rota would have no DSL for school hours: ...' }
 */
export function rotaProblem(after: readonly RotaEntry[]): RotaProblem | null {
  if (after.length === 0)
    return {
      field: 'entry',
      message: 'The rota would be empty: add the new DSL before removing the last entry',
    };
  if (!after.some(regularDslForSchoolHours))
    return {
      field: 'level',
      message:
        'The rota would have no DSL for school hours (KCSIE 2025 Annex C): add a DSL for "always" or "in hours" first',
    };
  return null;
}

/** Is `e` already on the rota (same person, level, window and period)? */
export function isDuplicate(entries: readonly RotaEntry[], e: RotaEntry): boolean {
  const k = rotaEntryKey(e);
  return entries.some((x) => rotaEntryKey(x) === k);
}

/**
 * Move one entry up (-1) or down (+1) among the entries of its level with the same window and period, and
 * renumber that group's ranks 1, 2, 3 … in the new order (other entries keep theirs). Null when the key is
 * unknown or the entry is already first/last.
 */
export function moveEntry(entries: readonly RotaEntry[], key: string, by: -1 | 1): RotaEntry[] | null {
  const target = entries.find((e) => rotaEntryKey(e) === key);
  if (!target) return null;
  const sameGroup = (e: RotaEntry) =>
    e.level === target.level &&
    e.window === target.window &&
    e.validFrom === target.validFrom &&
    e.validTo === target.validTo;
  const group = entries.filter(sameGroup).sort((a, b) => a.rank - b.rank);
  const i = group.indexOf(target);
  const j = i + by;
  if (j < 0 || j >= group.length) return null;
  [group[i], group[j]] = [group[j] as RotaEntry, group[i] as RotaEntry];
  const renumbered = group.map((e, n) => ({ ...e, rank: n + 1 }));
  return [...entries.filter((e) => !sameGroup(e)), ...renumbered];
}

/** Levels in ladder order, for views. */
export const levelOrder: Record<RotaLevel, number> = { DSL: 0, DEPUTY_DSL: 1, HEAD: 2 };
