/**
 * A concern about a child who is not on the roll (issue 13): a hospital or home-tuition pupil, a new
 * arrival, a sibling. KCSIE 2025 Part one (para 70: "if staff have any concerns about a child's welfare,
 * they should act on them immediately") is about any child, not only those on the roll: such a concern is
 * recorded with the name as given and sent to the DSL like any other. Pure helpers: the label the ladder
 * shows, and the closest names on the roll when a typed name matches nobody.
 */
import { distance } from 'fastest-levenshtein';
import { studentLabel } from '../students/student-label.ts';

/**
 * "Kai Hospital-Patient" → "K.H. (not on roll)": initials only, like every ladder message; with the year
 * group as given (an imported CPOMS row has one), "K.H. (not on roll, Y5)", as a pupil on the roll reads
 * "A.B. (Y7)".
 */
export function notOnRollLabel(name: string, yearGroup?: string | null): string {
  const parts = name.trim().split(/\s+/);
  const given = parts[0] ?? '';
  const family = parts.length > 1 ? (parts[parts.length - 1] ?? '') : '';
  const initials = studentLabel({ givenName: given, familyName: family || '?' });
  const year = yearGroup?.trim() ? `, ${yearLabel(yearGroup.trim())}` : '';
  return `${family ? initials : initials.replace('.?.', '.')} (not on roll${year})`;
}

/** "5" → "Y5"; "R", "N1" as they are (studentLabel's form). */
export const yearLabel = (y: string): string => (/^\d+$/.test(y) ? `Y${y}` : y);

export interface RosterName {
  id: string;
  givenName: string;
  familyName: string;
}

/**
 * Up to `limit` pupils whose name is closest to `typed` (edit distance on the whole name, the family
 * name and the given name, whichever is nearest), only those near enough to be a slip of the keyboard or
 * a spelling: at most a third of the typed length, and at least 2.
 */
export function closestNames<T extends RosterName>(typed: string, roster: readonly T[], limit = 3): T[] {
  const q = typed.trim().toLowerCase().replace(/\s+/g, ' ');
  if (!q) return [];
  const most = Math.max(2, Math.floor(q.length / 3));
  const scored: { s: T; d: number }[] = [];
  for (const s of roster) {
    const given = s.givenName.toLowerCase();
    const family = s.familyName.toLowerCase();
    const d = Math.min(distance(q, `${given} ${family}`), distance(q, family), distance(q, given));
    if (d <= most) scored.push({ s, d });
  }
  return scored
    .sort((a, b) => a.d - b.d || a.s.familyName.localeCompare(b.s.familyName))
    .slice(0, limit)
    .map((x) => x.s);
}
