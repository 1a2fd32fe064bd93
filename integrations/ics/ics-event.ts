/**
 * One VEVENT, from its content lines to an ical.js component that is safe to expand: every property is parsed
 * on its own, so a bad property is named (line and property) and only its event is left out; values that
 * would make ical.js loop for minutes (a DURATION of 10^18 weeks, a year 275760) are refused before use.
 * Lenient where the meaning is clear (RFC 5545 §3.3.10 has no white space inside a RECUR value, so
 * `BYDAY= TU` is `BYDAY=TU`); a property the hub never reads (X-APPLE-…, X-ALT-DESC …) that cannot be
 * parsed is dropped, not fatal.
 */
import ICAL from 'ical.js';
import type { ContentLine } from './content-lines.ts';

/** Why one event is left out: the line and property where it went wrong and the rule, never the value. */
export interface EventProblem {
  line: number;
  field: string;
  reason: string;
}

/** The properties the hub reads; any other property that fails to parse is dropped. */
const READ = new Set([
  'uid',
  'dtstart',
  'dtend',
  'duration',
  'rrule',
  'rdate',
  'exdate',
  'recurrence-id',
  'summary',
  'status',
  'organizer',
  'attendee',
  'categories',
  'url',
  'location',
  'description',
  'x-microsoft-onlinemeetingurl',
  'x-microsoft-skypeteamsmeetingurl',
]);
/** Properties whose values ical.js decodes lazily (and throws on): decoded here, before the event is used. */
const CHECKED = ['dtstart', 'dtend', 'duration', 'rrule', 'exdate', 'rdate', 'recurrence-id'] as const;
/** No white space belongs in these values (RFC 5545 §3.3.10 RECUR, §3.3.5 DATE-TIME lists). */
const NO_SPACE = new Set([
  'rrule',
  'exrule',
  'rdate',
  'exdate',
  'dtstart',
  'dtend',
  'duration',
  'recurrence-id',
]);

/** The longest event (and DURATION, and RDATE period) the hub accepts: five years. */
export const MAX_EVENT_SECONDS = 5 * 366 * 86_400;
const MIN_YEAR = 1900;
const MAX_YEAR = 2200;

export function expectedFor(prop: string): string {
  if (prop === 'rrule') return 'expected a recurrence rule like FREQ=WEEKLY;COUNT=10 (RFC 5545 §3.3.10)';
  if (prop === 'duration') return 'expected a duration like PT1H of at most five years (RFC 5545 §3.3.6)';
  if (prop === 'rdate')
    return 'expected dates, date-times or periods like 20261124T093000Z/PT1H (RFC 5545 §3.8.5.2)';
  return 'expected a date like 20261124 (with VALUE=DATE) or a date-time like 20261124T093000Z';
}

/** The value part of a content line starts after the first colon outside a quoted parameter value. */
function valueStart(text: string): number {
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) quoted = !quoted;
    else if (c === 58 && !quoted) return i + 1;
  }
  return -1;
}

/**
 * Parse one VEVENT's own lines (sub-components already left out) into a component, or say why not.
 * @example parseEvent([{ text: 'UID:a', line: 3 }, { text: 'DTSTART:20261005T090000Z', line: 4 }])
 */
export function parseEvent(lines: ContentLine[]): ICAL.Component | EventProblem {
  const props: unknown[] = [];
  for (const cl of lines) {
    const name = (/^[A-Za-z0-9-]+/.exec(cl.text)?.[0] ?? '').toLowerCase();
    let t = cl.text;
    if (NO_SPACE.has(name)) {
      const v = valueStart(t);
      if (v > 0) t = t.slice(0, v) + t.slice(v).replace(/\s+/g, '');
      // An empty RDATE or EXDATE adds or removes nothing (seen in the wild): dropped.
      if ((name === 'rdate' || name === 'exdate') && v === t.length) continue;
    }
    try {
      props.push(ICAL.parse.property(t));
    } catch {
      if (READ.has(name)) return { line: cl.line, field: name.toUpperCase(), reason: syntaxReason(name) };
    }
  }
  const comp = new ICAL.Component(['vevent', props, []]);
  return checkValues(comp, lines) ?? comp;
}

function syntaxReason(name: string): string {
  if ((CHECKED as readonly string[]).includes(name)) return expectedFor(name);
  return 'not a valid iCalendar property (RFC 5545 §3.1: NAME;PARAM=value:value)';
}

function lineOf(lines: ContentLine[], field: string): number {
  const re = new RegExp(`^${field}[;:]`, 'i');
  return lines.find((l) => re.test(l.text))?.line ?? lines[0]?.line ?? 0;
}

/** In range, field by field (ical.js would quietly roll month 13 into the next year). */
const timeOk = (t: ICAL.Time) =>
  t.year >= MIN_YEAR &&
  t.year <= MAX_YEAR &&
  t.month >= 1 &&
  t.month <= 12 &&
  t.day >= 1 &&
  t.day <= ICAL.Time.daysInMonth(t.month, t.year) &&
  t.hour >= 0 &&
  t.hour <= 23 &&
  t.minute >= 0 &&
  t.minute <= 59 &&
  t.second >= 0 &&
  t.second <= 60;

/** Decode every checked value now, with bounds, so expansion cannot throw or run away on it. */
function checkValues(c: ICAL.Component, lines: ContentLine[]): EventProblem | null {
  for (const name of CHECKED) {
    for (const p of c.getAllProperties(name)) {
      const field = name.toUpperCase();
      const problem = (reason: string) => ({ line: lineOf(lines, field), field, reason });
      const tzid = p.getParameter('tzid');
      if (typeof tzid === 'string' && tzid && !ICAL.TimezoneService.has(tzid))
        return problem(
          'unknown time zone (TZID); expected one defined in the feed (VTIMEZONE) or Europe/London',
        );
      if (!rawDatesOk(p)) return problem(expectedFor(name));
      let values: unknown[];
      try {
        values = p.getValues();
      } catch {
        return problem(expectedFor(name));
      }
      if (values.length === 0) return problem(expectedFor(name));
      for (const v of values) {
        if (v instanceof ICAL.Time) {
          if (!timeOk(v) || Number.isNaN(v.toJSDate().getTime())) return problem(expectedFor(name));
        } else if (v instanceof ICAL.Recur) {
          const until = v.until;
          if (
            !v.freq ||
            (v.count !== null && v.count !== undefined && !(v.count >= 1)) ||
            !(v.interval >= 1 && v.interval <= 1_000_000) ||
            (until && !timeOk(until))
          )
            return problem(expectedFor(name));
        } else if (v instanceof ICAL.Duration) {
          if (!durationOk(v)) return problem(expectedFor('duration'));
        } else if (v instanceof ICAL.Period) {
          if (!timeOk(v.start)) return problem(expectedFor(name));
          if (v.duration && !durationOk(v.duration)) return problem(expectedFor(name));
          if (v.end && (!timeOk(v.end) || v.end.compare(v.start) < 0)) return problem(expectedFor(name));
        } else return problem(expectedFor(name));
      }
    }
  }
  const start = c.getFirstPropertyValue('dtstart');
  const end = c.getFirstPropertyValue('dtend');
  if (start instanceof ICAL.Time && end instanceof ICAL.Time) {
    const span = end.toUnixTime() - start.toUnixTime();
    if (span > MAX_EVENT_SECONDS)
      return { line: lineOf(lines, 'DTEND'), field: 'DTEND', reason: 'an event longer than five years' };
    // An end before the start is a typo ("Half term" 9 -> 2 Dec): no reading of it is safe, so the event is
    // left out, never shortened to one day (RFC 5545 §3.6.1: DTEND must be later than DTSTART). An all-day
    // end equal to its start (seen in the wild) still means one day.
    if (span < 0)
      return {
        line: lineOf(lines, 'DTEND'),
        field: 'DTEND',
        reason: `before DTSTART: expected the end after the start (RFC 5545 §3.6.1; for an all-day event, the day after its last day)`,
      };
  }
  const duration = c.getFirstPropertyValue('duration');
  if (duration instanceof ICAL.Duration && duration.toSeconds() < 0)
    return {
      line: lineOf(lines, 'DURATION'),
      field: 'DURATION',
      reason: 'negative: expected a duration like P1D or PT1H (RFC 5545 §3.8.2.5)',
    };
  return null;
}

const RAW_DATE = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}):(\d{2}))?/;

/** The undecoded values, field by field: ical.js would quietly roll month 13 into January. */
function rawDatesOk(p: ICAL.Property): boolean {
  if (p.type !== 'date' && p.type !== 'date-time' && p.type !== 'period') return true;
  const jcal = (p as unknown as { jCal: unknown[] }).jCal;
  for (let i = 3; i < jcal.length; i++) {
    const item = jcal[i];
    if (Array.isArray(item)) {
      if (!item.every((x) => rawDateOk(x))) return false;
    } else if (!rawDateOk(item)) return false;
  }
  return true;
}

function rawDateOk(v: unknown): boolean {
  const m = typeof v === 'string' ? RAW_DATE.exec(v) : null;
  if (!m) return true;
  const [y, mo, d, h, mi, s] = m.slice(1).map((x) => (x === undefined ? 0 : Number(x))) as number[];
  if (!(y && mo && d !== undefined)) return false;
  if (mo < 1 || mo > 12 || d < 1 || d > ICAL.Time.daysInMonth(mo, y)) return false;
  return (h ?? 0) <= 23 && (mi ?? 0) <= 59 && (s ?? 0) <= 60;
}

function durationOk(d: ICAL.Duration): boolean {
  // Checked on the fields, before any arithmetic: ical.js adds a huge duration one unit at a time.
  const fields = [d.weeks * 7 * 86_400, d.days * 86_400, d.hours * 3600, d.minutes * 60, d.seconds];
  if (fields.some((f) => !Number.isFinite(f) || f > MAX_EVENT_SECONDS)) return false;
  const s = d.toSeconds();
  return Number.isFinite(s) && Math.abs(s) <= MAX_EVENT_SECONDS;
}

/**
 * RDATE;VALUE=PERIOD gives an instance's start and its own end (RFC 5545 §3.8.5.2); ical.js's expansion
 * cannot step over a period. Each period becomes a plain RDATE of its start, and its end is kept by start
 * (Unix seconds) for the occurrence.
 */
export function splitRdatePeriods(c: ICAL.Component): Map<number, ICAL.Time> {
  const ends = new Map<number, ICAL.Time>();
  for (const p of c.getAllProperties('rdate')) {
    if (p.type !== 'period') continue;
    const periods = p.getValues() as ICAL.Period[];
    const tzid = p.getParameter('tzid');
    c.removeProperty(p);
    const starts = periods.map((v) => {
      ends.set(v.start.toUnixTime(), v.getEnd());
      return v.start;
    });
    const plain = new ICAL.Property('rdate', c);
    if (typeof tzid === 'string') plain.setParameter('tzid', tzid);
    plain.resetType(starts[0]?.isDate ? 'date' : 'date-time');
    plain.setValues(starts);
    c.addProperty(plain);
  }
  return ends;
}
