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

/** A feed's text: the whole of it, or its chunks in order (a file read piece by piece, ics-source.ts). */
export type IcsText = string | Iterable<string>;

/**
 * Physical lines of a text given whole or in chunks: a line cut between two chunks (even between its CR and
 * its LF) is put back together; CRLF, LF and a lone trailing CR all end a line. Only the line being cut is
 * held, never the text.
 */
function* physicalLines(source: IcsText): Generator<string> {
  const chunks = typeof source === 'string' ? [source] : source;
  let first = true;
  // Pieces of the line still open at a chunk's end (an array, so a very long line is not copied per chunk).
  let open: string[] = [];
  for (let chunk of chunks) {
    if (first && chunk.length > 0) {
      if (chunk.charCodeAt(0) === 0xfeff) chunk = chunk.slice(1);
      first = false;
    }
    let pos = 0;
    for (;;) {
      const end = chunk.indexOf('\n', pos);
      if (end === -1) break;
      let raw = chunk.slice(pos, end);
      if (open.length > 0) {
        open.push(raw);
        raw = open.join('');
        open = [];
      }
      yield raw.charCodeAt(raw.length - 1) === 13 ? raw.slice(0, -1) : raw;
      pos = end + 1;
    }
    if (pos < chunk.length) open.push(chunk.slice(pos));
  }
  if (open.length > 0) {
    const raw = open.join('');
    yield raw.charCodeAt(raw.length - 1) === 13 ? raw.slice(0, -1) : raw;
  }
}

/**
 * Logical (unfolded) content lines of `source` (the whole text or its chunks), without splitting it into an
 * array: a line folded across two chunks is unfolded like any other.
 * @example [...contentLines('SUMMARY:a\r\n b')] // [{ text: 'SUMMARY:ab', line: 1 }]
 * @example [...contentLines(['SUMMARY:a\r', '\n b'])] // the same
 */
export function* contentLines(source: IcsText): Generator<ContentLine> {
  let physical = 0;
  let current: ContentLine | null = null;
  for (const raw of physicalLines(source)) {
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
export function* icsUnits(source: IcsText, only?: 'VTIMEZONE'): Generator<IcsUnit> {
  // Stack of open component names below VCALENDAR.
  const stack: string[] = [];
  let event: { lines: ContentLine[]; line: number } | null = null;
  let tz: { parts: string[]; line: number } | null = null;
  for (const cl of contentLines(source)) {
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
