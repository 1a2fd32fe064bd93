/**
 * Dates as UK exports write them: "dd/mm/yyyy" (also "-" or "." separators), with or without "hh:mm[:ss]",
 * ISO "yyyy-mm-dd[Thh:mm[:ss]]", and Excel serial numbers (days since 1899-12-30, the 1900 leap-year bug
 * folded in). A date-time without a zone is wall-clock time in the school's zone (Europe/London).
 */
import { DAY_FIRST_DATE, dayFirstParts } from '../../core/calendar/day-first.ts';
import { type IsoDate, isIsoDate } from '../../core/calendar/iso-date.ts';
import { zonedInstant } from '../../core/calendar/zoned-time.ts';

/** A day-first date (core/calendar/day-first.ts) with an optional time. */
const UK = new RegExp(
  `^${DAY_FIRST_DATE}${String.raw`(?:[ T,]+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*(am|pm)?)?$`}`,
  'i',
);
const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?Z?)?$/;
/** Excel serials for 1900-03-01 … 9999-12-31; smaller numbers are not dates we would meet in an export. */
const SERIAL = /^(\d{2,7})(\.\d+)?$/;
const EXCEL_EPOCH_MS = Date.UTC(1899, 11, 30);

export interface WallClock {
  date: IsoDate;
  /** "HH:MM" or null for a date only. */
  time: string | null;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** @example parseWallClock('05/11/2026 14:30') // { date: '2026-11-05', time: '14:30' } */
export function parseWallClock(raw: string): WallClock | null {
  const v = raw.trim();
  if (!v) return null;
  let date: IsoDate | undefined;
  let h: number | undefined;
  let mi: number | undefined;
  const uk = UK.exec(v);
  const iso = uk ? null : ISO.exec(v);
  const serialMatch = uk || iso ? null : SERIAL.exec(v);
  const m = uk;
  if (m) {
    date = dayFirstParts(m[1]!, m[2]!, m[3]!);
    if (m[4] !== undefined) {
      h = Number(m[4]);
      mi = Number(m[5]);
      const ampm = m[7]?.toLowerCase();
      if (ampm) {
        if (h < 1 || h > 12) return null;
        h = (h % 12) + (ampm === 'pm' ? 12 : 0);
      }
    }
  } else if (iso) {
    const day = `${iso[1]}-${iso[2]}-${iso[3]}`;
    date = isIsoDate(day) ? day : undefined;
    if (iso[4] !== undefined) {
      h = Number(iso[4]);
      mi = Number(iso[5]);
    }
  } else if (serialMatch) {
    const serial = Number(v);
    if (serial < 61 || serial > 2_958_465) return null;
    const ms = EXCEL_EPOCH_MS + Math.round(serial * 86_400) * 1000;
    const dt = new Date(ms);
    const time = serialMatch[2] ? dt.toISOString().slice(11, 16) : null;
    return { date: dt.toISOString().slice(0, 10), time };
  } else return null;
  if (date === undefined) return null;
  if (h === undefined || mi === undefined) return { date, time: null };
  if (h > 23 || mi > 59) return null;
  return { date, time: `${pad(h)}:${pad(mi)}` };
}

/** A calendar date ("YYYY-MM-DD") or null. */
export function parseUkDate(raw: string): IsoDate | null {
  return parseWallClock(raw)?.date ?? null;
}

const instantCache = new Map<string, number>();

/** An instant: wall clock in `zone` (midnight when the export gives a date only). */
export function parseUkDateTime(raw: string, zone = 'Europe/London', separateTime?: string): Date | null {
  const wc = parseWallClock(raw);
  if (!wc) return null;
  let time = wc.time;
  if (!time && separateTime?.trim()) {
    const t = /^(\d{1,2}):(\d{2})(?::\d{2})?$/.exec(separateTime.trim());
    if (!t || Number(t[1]) > 23 || Number(t[2]) > 59) return null;
    time = `${pad(Number(t[1]))}:${t[2]}`;
  }
  const key = `${zone}|${wc.date}|${time ?? '00:00'}`;
  let ms = instantCache.get(key);
  if (ms === undefined) {
    ms = zonedInstant(wc.date, time ?? '00:00', zone).getTime();
    if (instantCache.size > 50_000) instantCache.clear();
    instantCache.set(key, ms);
  }
  return new Date(ms);
}
