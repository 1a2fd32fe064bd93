/**
 * Day-first dates as people and exports in England write them: `25/12/2026`, with `/`, `.` or `-` between
 * day, month and a four-digit year. Pure: read here once, used by the TAC form's date check
 * (core/tac-notes/tac-form.ts) and by the export readers (integrations/exports/uk-date.ts).
 */
import { type IsoDate, isIsoDate } from './iso-date.ts';

/** The date part, unanchored, capturing day, month and year in that order (for readers that add a time). */
export const DAY_FIRST_DATE = String.raw`(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})`;

const DAY_FIRST = new RegExp(`^${DAY_FIRST_DATE}$`);

/** Day, month and year as matched (digits) → `YYYY-MM-DD` if a real date, else undefined. */
export function dayFirstParts(day: string, month: string, year: string): IsoDate | undefined {
  const iso = `${year.padStart(4, '0')}-${month.padStart(2, '0')}-${day.padStart(2, '0')}`;
  return isIsoDate(iso) ? iso : undefined;
}

/** @example dayFirstToIso('25/12/2026') // '2026-12-25'; dayFirstToIso('31/02/2026') // undefined */
export function dayFirstToIso(value: string): IsoDate | undefined {
  const m = DAY_FIRST.exec(value);
  return m ? dayFirstParts(m[1]!, m[2]!, m[3]!) : undefined;
}
