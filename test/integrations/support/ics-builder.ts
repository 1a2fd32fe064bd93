/** Builds real iCalendar text (RFC 5545: CRLF line ends) for tests. */
export interface IcsEventSpec {
  uid: string;
  summary: string;
  /** "20261020T100000" (Europe/London) or "20261026" (all-day) or "...Z" (UTC) */
  start: string;
  end?: string;
  rrule?: string;
  exdates?: string[];
  recurrenceId?: string;
  status?: 'CONFIRMED' | 'CANCELLED';
  categories?: string[];
  attendees?: string[];
  organizer?: string;
  url?: string;
}

const dt = (name: string, v: string) =>
  /^\d{8}$/.test(v)
    ? `${name};VALUE=DATE:${v}`
    : v.endsWith('Z')
      ? `${name}:${v}`
      : `${name};TZID=Europe/London:${v}`;

export function buildIcs(events: IcsEventSpec[], opts: { withTimezone?: boolean } = {}): string {
  const lines = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//SEND Hub tests//EN', 'CALSCALE:GREGORIAN'];
  if (opts.withTimezone) {
    lines.push(
      'BEGIN:VTIMEZONE',
      'TZID:Europe/London',
      'BEGIN:DAYLIGHT',
      'TZOFFSETFROM:+0000',
      'TZOFFSETTO:+0100',
      'TZNAME:BST',
      'DTSTART:19700329T010000',
      'RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU',
      'END:DAYLIGHT',
      'BEGIN:STANDARD',
      'TZOFFSETFROM:+0100',
      'TZOFFSETTO:+0000',
      'TZNAME:GMT',
      'DTSTART:19701025T020000',
      'RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU',
      'END:STANDARD',
      'END:VTIMEZONE',
    );
  }
  for (const e of events) {
    lines.push('BEGIN:VEVENT', `UID:${e.uid}`, 'DTSTAMP:20261001T000000Z', dt('DTSTART', e.start));
    if (e.end) lines.push(dt('DTEND', e.end));
    if (e.recurrenceId) lines.push(dt('RECURRENCE-ID', e.recurrenceId));
    if (e.rrule) lines.push(`RRULE:${e.rrule}`);
    for (const x of e.exdates ?? []) lines.push(dt('EXDATE', x));
    lines.push(`SUMMARY:${e.summary.replace(/([,;])/g, '\\$1')}`);
    if (e.status) lines.push(`STATUS:${e.status}`);
    if (e.categories) lines.push(`CATEGORIES:${e.categories.join(',')}`);
    if (e.organizer) lines.push(`ORGANIZER:mailto:${e.organizer}`);
    for (const a of e.attendees ?? []) lines.push(`ATTENDEE;ROLE=REQ-PARTICIPANT:mailto:${a}`);
    if (e.url) lines.push(`URL:${e.url}`);
    lines.push('END:VEVENT');
  }
  lines.push('END:VCALENDAR');
  return `${lines.join('\r\n')}\r\n`;
}
