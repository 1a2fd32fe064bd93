/**
 * When a concern happened, said beside when it reached the DSL (audit finding 7): an imported CPOMS incident
 * or a chat concern with an earlier "when" is shown with its own date and the delay ("Happened: 4 Dec 2026,
 * 10:15 (3 days before it reached you)"), because a delay between an event and its report is itself
 * information a DSL triages on (KCSIE 2025 Part one). The ladder's clock still starts when the DSL is told
 * (docs/safeguarding.md "When it happened"). Pure.
 */

/** A report within this many minutes of the event is "now": no separate line. */
export const LATE_REPORT_MINUTES = 30;

/**
 * "45 minutes", "5 hours", "3 days": how long before the DSL was told the event happened; null when the
 * report came within LATE_REPORT_MINUTES (or the event is dated after the report).
 * @example reportDelay(new Date('2026-12-04T10:15Z'), new Date('2026-12-07T07:02Z')) // '3 days'
 */
export function reportDelay(occurredAt: Date, raisedAt: Date): string | null {
  const minutes = Math.floor((raisedAt.getTime() - occurredAt.getTime()) / 60_000);
  if (minutes < LATE_REPORT_MINUTES) return null;
  const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;
  if (minutes < 120) return plural(minutes, 'minute');
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return plural(hours, 'hour');
  return plural(Math.floor(hours / 24), 'day');
}

/**
 * "4 Dec 2026, 10:15 (3 days before it reached you)", `when` being the event's date as the reader's zone
 * formats it; null when the report was not late.
 */
export function happenedText(occurredAt: Date, raisedAt: Date, when: string): string | null {
  const delay = reportDelay(occurredAt, raisedAt);
  return delay ? `${when} (${delay} before it reached you)` : null;
}
