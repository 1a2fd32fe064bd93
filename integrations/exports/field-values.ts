/** Field readers shared by the export connectors: each throws RowRejectedError naming the field. */
import type { IsoDate } from '../../core/calendar/iso-date.ts';
import { RowRejectedError } from './errors.ts';
import { parseUkDate, parseUkDateTime } from './uk-date.ts';

export type Rec = Record<string, string>;

export const opt = (r: Rec, f: string): string | null => {
  const v = r[f]?.trim();
  return v ? v : null;
};

export function req(r: Rec, f: string): string {
  const v = opt(r, f);
  if (!v) throw new RowRejectedError(f, 'is empty');
  return v;
}

export function date(r: Rec, f: string, required: true): IsoDate;
export function date(r: Rec, f: string, required?: boolean): IsoDate | null;
export function date(r: Rec, f: string, required = false): IsoDate | null {
  const v = opt(r, f);
  if (!v) {
    if (required) throw new RowRejectedError(f, 'is empty');
    return null;
  }
  const d = parseUkDate(v);
  // Rejection reasons are stored unencrypted and printed: they name the field and what was expected,
  // never the cell's value (it may be a child's name or date of birth).
  if (!d) throw new RowRejectedError(f, 'expected a date like 31/12/2014');
  return d;
}

export function dateTime(r: Rec, f: string, zone: string, timeField?: string): Date {
  const v = req(r, f);
  const d = parseUkDateTime(v, zone, timeField ? (r[timeField] ?? undefined) : undefined);
  if (!d) throw new RowRejectedError(f, 'expected a date and time like 31/12/2025 09:30');
  return d;
}

const TRUE = new Set(['y', 'yes', 'true', '1', 't', 'x', '✓']);
const FALSE = new Set(['n', 'no', 'false', '0', 'f', '-', 'none', 'n/a']);

export function bool(r: Rec, f: string): boolean {
  const v = opt(r, f)?.toLowerCase();
  if (!v) return false;
  if (TRUE.has(v)) return true;
  if (FALSE.has(v)) return false;
  throw new RowRejectedError(f, 'expected yes or no');
}

export function int(r: Rec, f: string, min = 0, max = Number.MAX_SAFE_INTEGER): number | null {
  const v = opt(r, f);
  if (!v) return null;
  if (!/^-?\d+(\.0+)?$/.test(v)) throw new RowRejectedError(f, 'expected a whole number');
  const n = Number.parseInt(v, 10);
  if (n < min || n > max) throw new RowRejectedError(f, `expected a whole number from ${min} to ${max}`);
  return n;
}

/** UPN: 13 characters (DfE Common Basic Data Set): a letter, 11 digits, a digit or letter. */
const UPN = /^[A-Z]\d{11}[0-9A-Z]$/;

export function upn(r: Rec, f = 'upn'): string | null {
  const v = opt(r, f)?.toUpperCase().replace(/\s+/g, '');
  if (!v) return null;
  if (!UPN.test(v))
    throw new RowRejectedError(f, 'is not a UPN (13 characters: a letter, 11 digits, a digit or letter)');
  return v;
}

/** Multi-valued cells: "a; b", "a | b", one per line, or "a, b". */
export const list = (r: Rec, f: string): string[] =>
  (opt(r, f) ?? '')
    .split(/[;|\n]|,(?![^()]*\))/)
    .map((s) => s.trim())
    .filter(Boolean);

/** Year group as "7", "R", "N1": accepts "Year 7", "Y7", "7". */
export function yearGroup(r: Rec, f = 'yearGroup'): string | null {
  const v = opt(r, f);
  if (!v) return null;
  const m = /^(?:year|yr|y|nc year)?\s*(\d{1,2}|R|N1|N2|Reception|Nursery)$/i.exec(v);
  if (!m?.[1]) throw new RowRejectedError(f, 'expected a year group like 7, Y7, Year 7, R or N1');
  const g = m[1].toUpperCase();
  return g === 'RECEPTION' ? 'R' : g === 'NURSERY' ? 'N' : String(Number.isNaN(Number(g)) ? g : Number(g));
}
