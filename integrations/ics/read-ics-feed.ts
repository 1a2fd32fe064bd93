/**
 * Reads an iCalendar feed (RFC 5545) one component at a time (integrations/ics/content-lines.ts) and expands
 * it with ical.js into the occurrences inside a window: RRULE/RDATE (dates and periods) with EXDATE,
 * RECURRENCE-ID overrides (moved or cancelled instances), VTIMEZONE-aware times (Europe/London, and the zones
 * with the same clock, are supplied when a feed names them without defining them), all-day events (DTEND
 * exclusive, RFC 5545 §3.6.1), and STATUS:CANCELLED. Never the whole feed's tree in memory: a plain event is
 * yielded as soon as it is read; recurring events and their overrides wait for the end of the feed (an
 * override may come before or after its series).
 *
 * One bad event never refuses the feed: it is left out with its line, property and rule (IcsRejection).
 */
import ICAL from 'ical.js';
import { FileRefusedError } from '../exports/errors.ts';
import { type IcsText, icsUnits } from './content-lines.ts';
import { EUROPE_LONDON_VTIMEZONE } from './europe-london.ts';
import {
  ExpansionBoundError,
  ExpansionBudget,
  expandSeries,
  type IcsOccurrence,
  isoOf,
  jumpToWindow,
  MAX_INSTANCES_PER_EVENT,
  occurrence,
} from './expand.ts';
import { parseEvent, splitRdatePeriods } from './ics-event.ts';
import { fingerprinting, type IcsFingerprint, type IcsSource, textSource } from './ics-source.ts';

export type { IcsOccurrence } from './expand.ts';
export { fileSource, type IcsFingerprint, type IcsSource, textSource } from './ics-source.ts';

/** One event left out of an import: the feed, the event (UID or position) and the field, never the value. */
export interface IcsRejection {
  file: string;
  /** 1-based line of the property at fault (the event's BEGIN:VEVENT when it is the whole event). */
  line: number;
  event: string;
  field: string;
  reason: string;
}

/** What a read found beside the occurrences: events left out, and series cut at their bound (notices). */
export interface IcsReadReport {
  rejected: IcsRejection[];
  /** Kept, but not whole: a series cut at MAX_INSTANCES_PER_EVENT inside the window. */
  notices: IcsRejection[];
}

/** Zones a feed may name without defining that keep the same clock as Europe/London (since 1996). */
const LONDON_CLOCK = [
  'Europe/London',
  'GMT Standard Time',
  '(UTC+00:00) Dublin, Edinburgh, Lisbon, London',
  'Europe/Belfast',
  'Europe/Dublin',
  'Europe/Lisbon',
  'Europe/Guernsey',
  'Europe/Isle_of_Man',
  'Europe/Jersey',
  'GB',
];
const UTC_NAMES = [
  'UTC',
  'Etc/UTC',
  'Etc/GMT',
  'GMT',
  'Z',
  'Coordinated Universal Time',
  'UTC Standard Time',
];

let zonesRegistered = false;
function ensureZones(): void {
  if (zonesRegistered) return;
  for (const id of LONDON_CLOCK) {
    if (ICAL.TimezoneService.has(id)) continue;
    const comp = new ICAL.Component(
      ICAL.parse(EUROPE_LONDON_VTIMEZONE.replace('TZID:Europe/London', `TZID:${id}`)) as unknown[],
    );
    ICAL.TimezoneService.register(comp);
  }
  for (const id of UTC_NAMES)
    if (!ICAL.TimezoneService.has(id)) ICAL.TimezoneService.register(ICAL.Timezone.utcTimezone, id);
  zonesRegistered = true;
}

/**
 * Check the envelope (the whole text, or its first and last characters) before any event is read: a
 * truncated or binary file is refused as a whole.
 */
export function checkEnvelope(text: string | { head: string; tail: string }, file: string): void {
  const edges = typeof text === 'string' ? { head: text.slice(0, 1024), tail: text.slice(-1024) } : text;
  const head = edges.head.replace(/^\uFEFF/, '').trimStart();
  if (!/^BEGIN:VCALENDAR/i.test(head))
    throw new FileRefusedError(file, 'not an iCalendar file (no BEGIN:VCALENDAR)');
  if (!/END:VCALENDAR\s*$/i.test(edges.tail))
    throw new FileRefusedError(file, 'truncated iCalendar file (no END:VCALENDAR)');
}

/**
 * The first, cheap pass over a feed (nothing of its events is kept): registers the VTIMEZONEs it defines,
 * wherever they stand (after the events too), checks its envelope and hashes it. Throws FileRefusedError
 * when it is not an iCalendar object.
 */
export function scanIcsFeed(source: IcsSource, file: string): IcsFingerprint {
  ensureZones();
  const pass = fingerprinting(source);
  registerFeedZones(pass.chunks);
  const fingerprint = pass.done();
  checkEnvelope(fingerprint, file);
  return fingerprint;
}

/** The feed's own VTIMEZONEs; a zone the feed defines is used for its events (first definition wins). */
function registerFeedZones(text: IcsText): void {
  for (const unit of icsUnits(text, 'VTIMEZONE')) {
    if (unit.kind !== 'VTIMEZONE') continue;
    try {
      const comp = new ICAL.Component(ICAL.parse(unit.text) as unknown[]);
      const id = String(comp.getFirstPropertyValue('tzid') ?? '');
      if (id && !ICAL.TimezoneService.has(id)) ICAL.TimezoneService.register(comp);
    } catch {
      // An unreadable VTIMEZONE: events using it are left out as "unknown time zone".
    }
  }
}

const label = (uid: string | null, line: number) =>
  uid ? `event UID ${uid.slice(0, 80)}` : `event at line ${line}`;

/**
 * Every occurrence overlapping [from, to), yielded as the feed is read (a file: 64 KiB at a time, one event
 * at a time). Throws FileRefusedError when the text is not an iCalendar object; an event with a bad value is
 * left out and named in `report.rejected`. Pass `scanned` when scanIcsFeed has already made the first pass.
 * @example for (const o of streamIcsFeed(fileSource('term.ics'), 'ics:school', window, report)) batch.push(o)
 */
export function* streamIcsFeed(
  feed: string | IcsSource,
  file: string,
  window: { from: Date; to: Date },
  report: IcsReadReport = { rejected: [], notices: [] },
  scanned?: IcsFingerprint,
): Generator<IcsOccurrence> {
  const source = typeof feed === 'string' ? textSource(feed) : feed;
  if (!scanned) scanIcsFeed(source, file);
  const fromMs = window.from.getTime();
  const toMs = window.to.getTime();
  const inWindow = (o: IcsOccurrence) => o.start.getTime() < toMs && o.end.getTime() > fromMs;
  const reject = (line: number, event: string, field: string, reason: string) =>
    report.rejected.push({ file, line, event, field, reason });
  const budget = new ExpansionBudget();
  const seen = new Set<string>();

  type Held = { comp: ICAL.Component; line: number; uid: string; ruleLine: number };
  const masters = new Map<string, Held>();
  const overrides: Held[] = [];

  for (const unit of icsUnits(source.chunks())) {
    if (unit.kind === 'VTIMEZONE') continue;
    if (unit.kind === 'BROKEN') {
      reject(unit.line, label(null, unit.line), 'VEVENT', unit.reason);
      continue;
    }
    const parsed = parseEvent(unit.lines);
    if (!(parsed instanceof ICAL.Component)) {
      const uidLine = unit.lines.find((l) => /^UID[;:]/i.test(l.text));
      const uid = uidLine ? uidLine.text.slice(uidLine.text.indexOf(':') + 1).trim() : null;
      reject(parsed.line, label(uid, unit.line), parsed.field, parsed.reason);
      continue;
    }
    const uidValue = parsed.getFirstPropertyValue('uid');
    const uid = typeof uidValue === 'string' && uidValue.trim() ? uidValue.trim() : null;
    if (!uid) {
      reject(
        unit.line,
        label(null, unit.line),
        'UID',
        'no UID (RFC 5545 §3.8.4.7): the event cannot be kept in step',
      );
      continue;
    }
    if (!parsed.hasProperty('dtstart')) {
      reject(unit.line, label(uid, unit.line), 'DTSTART', 'no DTSTART (RFC 5545 §3.6.1)');
      continue;
    }
    // Where a series problem is named: its RRULE (or RDATE, or RECURRENCE-ID) line.
    const ruleLine =
      unit.lines.find((l) => /^(RRULE|RDATE|RECURRENCE-ID)[;:]/i.test(l.text))?.line ?? unit.line;
    if (parsed.hasProperty('recurrence-id')) overrides.push({ comp: parsed, line: unit.line, uid, ruleLine });
    else if (parsed.hasProperty('rrule') || parsed.hasProperty('rdate')) {
      if (masters.has(uid)) reject(unit.line, label(uid, unit.line), 'UID', duplicateReason);
      else masters.set(uid, { comp: parsed, line: unit.line, uid, ruleLine });
    } else {
      const o = single(parsed, uid, uid);
      if (!o) reject(unit.line, label(uid, unit.line), 'DTSTART', 'could not be read as an event');
      else if (seen.has(o.externalId)) reject(unit.line, label(uid, unit.line), 'UID', duplicateReason);
      else if (inWindow(o)) {
        seen.add(o.externalId);
        yield o;
      } else seen.add(o.externalId);
    }
  }

  // Overrides go to their series; one without a series (an invitation to one instance) stands alone.
  const related = new Map<string, ICAL.Event>();
  for (const { comp, ruleLine, line, uid } of masters.values()) {
    try {
      const periodEnds = splitRdatePeriods(comp);
      jumpToWindow(comp, fromMs);
      related.set(uid, new ICAL.Event(comp));
      (comp as unknown as { periodEnds: Map<number, ICAL.Time> }).periodEnds = periodEnds;
    } catch {
      reject(ruleLine, label(uid, line), 'RRULE', 'could not be read as a recurring event');
    }
  }
  for (const h of overrides) {
    const master = related.get(h.uid);
    try {
      const ex = new ICAL.Event(h.comp);
      if (master) {
        master.relateException(ex);
        continue;
      }
      const rid = ex.recurrenceId;
      const o = single(h.comp, h.uid, `${h.uid}/${rid.isDate ? isoOf(rid) : rid.toJSDate().toISOString()}`);
      if (o && !seen.has(o.externalId)) {
        seen.add(o.externalId);
        if (inWindow(o)) yield o;
      }
    } catch {
      reject(
        h.line,
        label(h.uid, h.line),
        'RECURRENCE-ID',
        'expected a date or date-time matching the series',
      );
    }
  }
  for (const { line, uid, ruleLine } of masters.values()) {
    const ev = related.get(uid);
    if (!ev) continue;
    const found: IcsOccurrence[] = [];
    try {
      const periodEnds = (ev.component as unknown as { periodEnds: Map<number, ICAL.Time> }).periodEnds;
      const r = expandSeries((o) => found.push(o), uid, ev, { fromMs, toMs }, periodEnds, budget);
      if (r.cut)
        report.notices.push({
          file,
          line: ruleLine,
          event: label(uid, line),
          field: 'RRULE',
          reason: `series cut at ${MAX_INSTANCES_PER_EVENT} occurrences inside the sync window; later ones not imported`,
        });
    } catch (err) {
      const bound = err instanceof ExpansionBoundError;
      reject(
        ruleLine,
        label(uid, line),
        bound ? 'RRULE' : 'DTSTART',
        bound ? err.message : 'could not be expanded; expected valid DTSTART/DTEND/RRULE/RDATE/EXDATE values',
      );
      continue;
    }
    for (const o of found) {
      if (seen.has(o.externalId)) continue;
      seen.add(o.externalId);
      yield o;
    }
  }
}

const duplicateReason = 'a second event with the same UID (RFC 5545 §3.8.4.7); the first is kept';

function single(c: ICAL.Component, uid: string, externalId: string): IcsOccurrence | null {
  try {
    const ev = new ICAL.Event(c);
    const start = ev.startDate;
    if (!start) return null;
    const o = occurrence(uid, externalId, c, start, ev.endDate ?? start, false);
    return Number.isNaN(o.start.getTime()) || Number.isNaN(o.end.getTime()) ? null : o;
  } catch {
    return null;
  }
}

/**
 * Parse an ICS text and return every occurrence overlapping [from, to), sorted by start.
 * Throws FileRefusedError when the text is not an iCalendar object. An event with a bad value is left out
 * (pushed to `rejected` when given) and the other events are kept.
 * @example readIcsFeed(text, 'term.ics', { from: new Date('2026-09-01'), to: new Date('2027-08-31') })
 */
export function readIcsFeed(
  text: string | IcsSource,
  file: string,
  window: { from: Date; to: Date },
  rejected: IcsRejection[] = [],
  notices: IcsRejection[] = [],
): IcsOccurrence[] {
  const out = [...streamIcsFeed(text, file, window, { rejected, notices })];
  return out.sort(
    (a, b) => a.start.getTime() - b.start.getTime() || a.externalId.localeCompare(b.externalId),
  );
}
