import type { IsoDate } from './iso-date.ts';

/**
 * Local wall-clock time in an IANA zone (Europe/London for English schools), using the platform's
 * Intl data: no I/O, so it belongs in the core. Handles the clock changes (GMT/BST).
 */
// Building an Intl.DateTimeFormat costs far more than using one (it dominated the planner tick's profile):
// one per zone, reused.
const formats = new Map<string, Intl.DateTimeFormat>();

function partsIn(zone: string, instant: Date): Record<string, number> {
  let fmt = formats.get(zone);
  if (!fmt) {
    fmt = new Intl.DateTimeFormat('en-GB', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formats.set(zone, fmt);
  }
  const out: Record<string, number> = {};
  for (const p of fmt.formatToParts(instant)) if (p.type !== 'literal') out[p.type] = Number(p.value);
  return out;
}

/** The local calendar date of an instant in `zone`. */
export function localDate(instant: Date, zone: string): IsoDate {
  const p = partsIn(zone, instant);
  return `${String(p.year).padStart(4, '0')}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}`;
}

/** Local "HH:MM" of an instant in `zone`. */
export function localTime(instant: Date, zone: string): string {
  const p = partsIn(zone, instant);
  return `${String(p.hour).padStart(2, '0')}:${String(p.minute).padStart(2, '0')}`;
}

/** Offset of `zone` from UTC at `instant`, in minutes (BST = +60). */
function offsetMinutes(zone: string, instant: Date): number {
  const p = partsIn(zone, instant);
  const asUtc = Date.UTC(
    p.year ?? 0,
    (p.month ?? 1) - 1,
    p.day ?? 1,
    p.hour ?? 0,
    p.minute ?? 0,
    p.second ?? 0,
  );
  return Math.round((asUtc - Math.floor(instant.getTime() / 1000) * 1000) / 60_000);
}

/**
 * The instant at which the wall clock in `zone` shows `date` `time`.
 * In the spring-forward gap (01:00–02:00 on the last Sunday of March) the time is moved forward;
 * in the autumn overlap the first (BST) occurrence is taken.
 * @example zonedInstant('2026-07-01', '09:00', 'Europe/London').toISOString() // '2026-07-01T08:00:00.000Z'
 */
export function zonedInstant(date: IsoDate, time: string, zone: string): Date {
  const [h, m] = time.split(':').map(Number);
  const guess = Date.parse(`${date}T00:00:00.000Z`) + ((h ?? 0) * 60 + (m ?? 0)) * 60_000;
  const first = offsetMinutes(zone, new Date(guess));
  let instant = guess - first * 60_000;
  const second = offsetMinutes(zone, new Date(instant));
  if (second !== first) instant = guess - second * 60_000;
  return new Date(instant);
}
