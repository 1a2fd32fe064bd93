/**
 * The first layer of an iCalendar reader that never holds a whole feed's tree: the text is walked content
 * line by content line (RFC 5545 §3.1: a line starting with a space or a tab continues the one before) and cut
 * into components, one VEVENT or VTIMEZONE at a time. Lenient where the meaning is clear:
 * - a line that cannot start a property (no `NAME:` or `NAME;` prefix), such as an Apple `X-APPLE-…` value
 *   folded without the leading space, continues the line before it;
 * - blank lines and trailing white space on BEGIN/END lines are ignored.
 * A VEVENT whose END is missing is reported as broken (its line), and the scan goes on with the next one.
 */

export interface ContentLine {
  text: string;
  /** 1-based physical line where this content line starts. */
  line: number;
}

const PROPERTY_START = /^[A-Za-z0-9-]+[;:]/;

/**
 * Logical (unfolded) content lines of `text`, without splitting the whole text into an array.
 * @example [...contentLines('SUMMARY:a\r\n b')] // [{ text: 'SUMMARY:ab', line: 1 }]
 */
export function* contentLines(text: string): Generator<ContentLine> {
  let pos = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let physical = 0;
  let current: ContentLine | null = null;
  const n = text.length;
  while (pos < n) {
    let end = text.indexOf('\n', pos);
    if (end === -1) end = n;
    let lineEnd = end;
    if (lineEnd > pos && text.charCodeAt(lineEnd - 1) === 13) lineEnd--;
    const raw = text.slice(pos, lineEnd);
    pos = end + 1;
    physical++;
    if (raw.length === 0) continue;
    const first = raw.charCodeAt(0);
    if (current && (first === 32 || first === 9)) {
      current.text += raw.slice(1);
      continue;
    }
    if (current && !PROPERTY_START.test(raw)) {
      // Folded without the leading white space (Apple, some exporters): the meaning is clear.
      current.text += raw;
      continue;
    }
    if (current) yield current;
    current = { text: raw, line: physical };
  }
  if (current) yield current;
}

export type IcsUnit =
  | { kind: 'VTIMEZONE'; text: string; line: number }
  | { kind: 'VEVENT'; lines: ContentLine[]; line: number }
  /** A VEVENT that cannot be cut out of the feed (no END:VEVENT before the next BEGIN or the end). */
  | { kind: 'BROKEN'; line: number; reason: string };

const beginOf = (t: string) => (/^BEGIN:/i.test(t) ? t.slice(6).trim().toUpperCase() : null);
const endOf = (t: string) => (/^END:/i.test(t) ? t.slice(4).trim().toUpperCase() : null);

/**
 * VEVENT and VTIMEZONE components of a VCALENDAR, in file order. Sub-components of an event (VALARM) are
 * left out of its lines; other components (VTODO, VJOURNAL, VFREEBUSY, X-…) are skipped.
 * @param only 'VTIMEZONE' to collect time zones only (a cheap first pass)
 */
export function* icsUnits(text: string, only?: 'VTIMEZONE'): Generator<IcsUnit> {
  // Stack of open component names below VCALENDAR.
  const stack: string[] = [];
  let event: { lines: ContentLine[]; line: number } | null = null;
  let tz: { parts: string[]; line: number } | null = null;
  for (const cl of contentLines(text)) {
    const begin = beginOf(cl.text);
    const end = begin ? null : endOf(cl.text);
    if (begin === 'VCALENDAR') continue;
    if (end === 'VCALENDAR') {
      if (event) yield { kind: 'BROKEN', line: event.line, reason: 'no END:VEVENT before END:VCALENDAR' };
      event = null;
      tz = null;
      stack.length = 0;
      continue;
    }
    if (begin === 'VEVENT' && event) {
      // The previous event never ended: it alone is left out.
      yield { kind: 'BROKEN', line: event.line, reason: 'no END:VEVENT before the next BEGIN:VEVENT' };
      stack.length = 0;
      event = null;
    }
    if (begin) {
      if (stack.length === 0 && begin === 'VEVENT')
        event = { lines: only ? (null as unknown as ContentLine[]) : [], line: cl.line };
      if (stack.length === 0 && begin === 'VTIMEZONE') tz = { parts: [cl.text], line: cl.line };
      else if (tz) tz.parts.push(cl.text);
      stack.push(begin);
      continue;
    }
    if (end) {
      const open = stack.lastIndexOf(end);
      if (open === -1) continue; // a stray END: nothing to close
      stack.length = open;
      if (tz) tz.parts.push(cl.text);
      if (stack.length > 0) continue;
      if (end === 'VEVENT' && event) {
        if (!only) yield { kind: 'VEVENT', lines: event.lines, line: event.line };
        event = null;
      } else if (end === 'VTIMEZONE' && tz) {
        yield { kind: 'VTIMEZONE', text: tz.parts.join('\r\n'), line: tz.line };
        tz = null;
      }
      continue;
    }
    if (tz) tz.parts.push(cl.text);
    else if (event && !only && stack.length === 1) event.lines.push(cl);
  }
  if (event) yield { kind: 'BROKEN', line: event.line, reason: 'no END:VEVENT before the end of the file' };
}
