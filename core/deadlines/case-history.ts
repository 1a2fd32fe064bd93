/**
 * A case's assignment history as read by a manager (`case history <ref>` in chat and on the CLI): who held
 * the case from which day to which, from the rows of `CaseAssignment` (store/case-assignment-repository.ts,
 * one a case and day, oldest first). A row written by the migration that began the history says so: the
 * officer then, from the case's start date; who held it earlier is not known. A case with no row says which
 * officer its plans are counted under instead (docs/web.md "Timeliness (SEN2)"). Pure: the caller labels
 * each officer (name, or name and e-mail).
 */
import { addDays, type IsoDate } from '../calendar/iso-date.ts';
import { formatDate } from './nudges.ts';

export interface HeldRow {
  fromOn: IsoDate;
  beforeHistory: boolean;
  /** "Name" or "Name <email>"; null: the case had no officer (none named, or their record was removed). */
  officer: string | null;
}

export const BEFORE_HISTORY_NOTE =
  'before history: held it when the history began; who held it earlier is not known';

/**
 * One line a row: "Mon 5 Jan 2026 to Sun 31 May 2026  Olu Officer", the last "from Mon 1 Jun 2026  Ola
 * Officer  (holds it now)" (an open case) or "(held it when the case was closed)". A row is followed by the
 * next one the day before the next row's day.
 */
export function heldLines(rows: readonly HeldRow[], open: boolean, officerNow: string | null): string[] {
  if (rows.length === 0)
    return [
      `No assignment history is recorded for this case: its plans are counted under its officer now, ${officerNow ?? 'nobody'} (before history).`,
    ];
  return rows.map((r, i) => {
    const next = rows[i + 1];
    const who = r.officer ?? 'no officer';
    const note = r.beforeHistory ? `  (${BEFORE_HISTORY_NOTE})` : '';
    if (next) return `${formatDate(r.fromOn)} to ${formatDate(addDays(next.fromOn, -1))}  ${who}${note}`;
    const now = !open ? 'held it when the case was closed' : r.officer ? 'holds it now' : 'none now';
    return `from ${formatDate(r.fromOn)}  ${who}  (${now})${note}`;
  });
}
