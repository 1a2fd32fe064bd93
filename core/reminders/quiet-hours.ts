import { addDays } from '../calendar/iso-date.ts';
import { localDate, localTime, zonedInstant } from '../calendar/zoned-time.ts';

/**
 * Nudges never go out at night (issue: deadline nudges; each organisation sets its quiet hours, local
 * time). Weekends are quiet too unless `weekends` is allowed. Safeguarding messages bypass this.
 * Returns `at` itself when it is not quiet, else the end of the quiet period.
 * @example quietHoursRelease(new Date('2026-11-24T22:00Z'), { from: '18:00', until: '07:30', zone: 'Europe/London' }) // 2026-11-25T07:30Z
 */
export function quietHoursRelease(
  at: Date,
  q: { from: string; until: string; zone: string; weekends?: boolean },
): Date {
  const date = localDate(at, q.zone);
  const time = localTime(at, q.zone);
  const dow = new Date(`${date}T00:00:00Z`).getUTCDay();
  const weekend = !q.weekends && (dow === 0 || dow === 6);
  const overnight = q.from > q.until;
  const inQuiet = overnight ? time >= q.from || time < q.until : time >= q.from && time < q.until;
  if (!inQuiet && !weekend) return at;
  // The next morning's release that is not at a weekend.
  let day = inQuiet && overnight && time >= q.from ? addDays(date, 1) : date;
  if (!inQuiet && weekend) day = date;
  for (let i = 0; i < 8; i++) {
    const d = new Date(`${day}T00:00:00Z`).getUTCDay();
    if (q.weekends || (d !== 0 && d !== 6)) {
      const release = zonedInstant(day, q.until, q.zone);
      if (release > at) return release;
    }
    day = addDays(day, 1);
  }
  return at;
}
