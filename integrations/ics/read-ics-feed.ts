/**
 * Reads an iCalendar feed (RFC 5545) with ical.js and expands it into concrete occurrences inside a window:
 * RRULE/RDATE with EXDATE, RECURRENCE-ID overrides (moved or cancelled instances), VTIMEZONE-aware times
 * (Europe/London is supplied when a feed names it without defining it), all-day events (DTEND exclusive,
 * RFC 5545 §3.6.1), and STATUS:CANCELLED.
 */
import ICAL from 'ical.js';
import { addDays, type IsoDate } from '../../core/calendar/iso-date.ts';
import { FileRefusedError } from '../exports/errors.ts';
import { EUROPE_LONDON_VTIMEZONE } from './europe-london.ts';

export interface IcsOccurrence {
  uid: string;
  /** Stable per occurrence: the UID, plus "/<recurrence id>" for an instance of a recurring event. */
  externalId: string;
  summary: string;
  categories: string[];
  allDay: boolean;
  start: Date;
  end: Date;
  /** All-day events only: first day and last day (inclusive; DTEND is exclusive in iCalendar). */
  startDate?: IsoDate;
  lastDate?: IsoDate;
  cancelled: boolean;
  organiserEmail: string | null;
  attendees: { email: string; optional: boolean }[];
  joinUrl: string | null;
}

/** One event left out of an import: the feed, the event (UID or position) and the field, never the value. */
export interface IcsRejection {
  file: string;
  /** 1-based line of the event's BEGIN:VEVENT in the feed. */
  line: number;
  event: string;
  field: string;
  reason: string;
}

/** Properties whose values ical.js parses lazily (and throws on); checked before an event is used. */
const CHECKED_PROPS = ['dtstart', 'dtend', 'duration', 'rrule', 'exdate', 'rdate', 'recurrence-id'] as const;

/**
 * Parse every checked property of one VEVENT now, so a bad value rejects this event with a named field
 * instead of throwing later from inside the expansion. Returns the reason, or null when the event is usable.
 */
function badField(c: ICAL.Component): { field: string; reason: string } | null {
  for (const name of CHECKED_PROPS) {
    for (const p of c.getAllProperties(name)) {
      const field = name.toUpperCase();
      const tzid = p.getParameter('tzid');
      if (typeof tzid === 'string' && tzid && !ICAL.TimezoneService.has(tzid))
        return {
          field,
          reason: 'unknown time zone (TZID); expected one defined in the feed or Europe/London',
        };
      let values: unknown[];
      try {
        values = p.getValues();
      } catch {
        return { field, reason: expectedFor(name) };
      }
      for (const v of values) {
        if (v instanceof ICAL.Time) {
          if (v.year < 1900 || v.year > 2200 || Number.isNaN(v.toJSDate().getTime()))
            return { field, reason: expectedFor(name) };
        } else if (v instanceof ICAL.Recur) {
          if (!v.freq || (v.count !== null && v.count !== undefined && v.count < 1) || v.interval < 1)
            return { field, reason: expectedFor(name) };
        } else if (v instanceof ICAL.Duration) {
          if (Number.isNaN(v.toSeconds())) return { field, reason: expectedFor(name) };
        }
      }
    }
  }
  return null;
}

function expectedFor(prop: string): string {
  if (prop === 'rrule') return 'expected a recurrence rule like FREQ=WEEKLY;COUNT=10 (RFC 5545 §3.3.10)';
  if (prop === 'duration') return 'expected a duration like PT1H';
  return 'expected a date like 20261124 (with VALUE=DATE) or a date-time like 20261124T093000Z';
}

/** A recurring series is expanded at most this far: guards against FREQ=SECONDLY-style feeds. */
const MAX_INSTANCES_PER_EVENT = 5000;
/** And for at most this long (ical.js may step through many candidates between two instances). */
const MAX_EXPANSION_MS = 2000;
/** How far past the window an instance's original date may lie and still be moved into it. */
const OVERRIDE_SLACK_MS = 31 * 86_400_000;

let londonRegistered = false;
function ensureLondon(): void {
  if (londonRegistered || ICAL.TimezoneService.has('Europe/London')) return;
  const comp = new ICAL.Component(ICAL.parse(EUROPE_LONDON_VTIMEZONE) as unknown[]);
  ICAL.TimezoneService.register(comp);
  londonRegistered = true;
}

const mailto = (v: unknown): string | null => {
  if (typeof v !== 'string') return null;
  const s = v
    .replace(/^mailto:/i, '')
    .trim()
    .toLowerCase();
  return s.includes('@') ? s : null;
};

function textProps(c: ICAL.Component, name: string): string[] {
  return c
    .getAllProperties(name)
    .flatMap((p) => p.getValues())
    .map((v) => String(v).trim())
    .filter(Boolean);
}

function joinUrlOf(c: ICAL.Component): string | null {
  for (const name of [
    'x-microsoft-onlinemeetingurl',
    'x-microsoft-skypeteamsmeetingurl',
    'url',
    'location',
  ]) {
    const v = c.getFirstPropertyValue(name);
    if (typeof v === 'string' && /^https:\/\//i.test(v.trim())) return v.trim();
  }
  const desc = c.getFirstPropertyValue('description');
  const m =
    typeof desc === 'string' ? /https:\/\/teams\.microsoft\.com\/l\/meetup-join\/\S+/.exec(desc) : null;
  return m ? m[0].replace(/[>)\]]+$/, '') : null;
}

function isoOf(t: ICAL.Time): IsoDate {
  return `${String(t.year).padStart(4, '0')}-${String(t.month).padStart(2, '0')}-${String(t.day).padStart(2, '0')}`;
}

function occurrence(
  uid: string,
  externalId: string,
  item: ICAL.Event,
  start: ICAL.Time,
  end: ICAL.Time,
  masterCancelled: boolean,
): IcsOccurrence {
  const c = item.component;
  const status = String(c.getFirstPropertyValue('status') ?? '').toUpperCase();
  const allDay = start.isDate;
  const attendees = c
    .getAllProperties('attendee')
    .map((p) => ({
      email: mailto(p.getFirstValue()),
      optional: String(p.getParameter('role') ?? '').toUpperCase() === 'OPT-PARTICIPANT',
    }))
    .filter((a): a is { email: string; optional: boolean } => a.email !== null);
  const o: IcsOccurrence = {
    uid,
    externalId,
    summary: String(c.getFirstPropertyValue('summary') ?? '').trim(),
    categories: textProps(c, 'categories'),
    allDay,
    start: start.toJSDate(),
    end: end.toJSDate(),
    cancelled: masterCancelled || status === 'CANCELLED',
    organiserEmail: mailto(c.getFirstPropertyValue('organizer')),
    attendees,
    joinUrl: joinUrlOf(c),
  };
  if (allDay) {
    o.startDate = isoOf(start);
    // DTEND is exclusive for all-day events; a missing DTEND means one day.
    const endIso = isoOf(end);
    o.lastDate = endIso > o.startDate ? addDays(endIso, -1) : o.startDate;
    o.start = new Date(`${o.startDate}T00:00:00Z`);
    o.end = new Date(`${addDays(o.lastDate, 1)}T00:00:00Z`);
  }
  return o;
}

/**
 * Parse an ICS text and return every occurrence overlapping [from, to).
 * Throws FileRefusedError when the text is not an iCalendar object. An event with a bad value is left out
 * (pushed to `rejected` when given) and the other events are kept.
 * @example readIcsFeed(text, 'term.ics', { from: new Date('2026-09-01'), to: new Date('2027-08-31') })
 */
export function readIcsFeed(
  text: string,
  file: string,
  window: { from: Date; to: Date },
  rejected: IcsRejection[] = [],
): IcsOccurrence[] {
  ensureLondon();
  const trimmed = text.replace(/^\uFEFF/, '').trimStart();
  if (!/^BEGIN:VCALENDAR/i.test(trimmed))
    throw new FileRefusedError(file, 'not an iCalendar file (no BEGIN:VCALENDAR)');
  if (!/END:VCALENDAR\s*$/i.test(trimmed))
    throw new FileRefusedError(file, 'truncated iCalendar file (no END:VCALENDAR)');
  let root: ICAL.Component;
  let vevents: ICAL.Component[];
  try {
    const jcal = ICAL.parse(trimmed) as unknown[];
    // A damaged BEGIN/END line leaves ical.js a component with no subcomponent list (or several roots).
    if (!Array.isArray(jcal) || jcal[0] !== 'vcalendar' || !Array.isArray(jcal[1]) || !Array.isArray(jcal[2]))
      throw new Error('not one VCALENDAR component');
    root = new ICAL.Component(jcal);
    for (const tz of root.getAllSubcomponents('vtimezone')) {
      const id = String(tz.getFirstPropertyValue('tzid') ?? '');
      if (id && !ICAL.TimezoneService.has(id)) ICAL.TimezoneService.register(tz);
    }
    vevents = root.getAllSubcomponents('vevent');
  } catch (err) {
    if (err instanceof FileRefusedError) throw err;
    throw new FileRefusedError(file, `unreadable iCalendar: ${(err as Error).message}`, { cause: err });
  }
  const fromMs = window.from.getTime();
  const toMs = window.to.getTime();
  const overlaps = (o: IcsOccurrence) => o.start.getTime() < toMs && o.end.getTime() > fromMs;

  const masters = new Map<string, ICAL.Event>();
  const exceptions: ICAL.Event[] = [];
  // Lines of each BEGIN:VEVENT (ical.js keeps the file's order), so a rejection names where the event is.
  const veventLines: number[] = [];
  text
    .replace(/^\uFEFF/, '')
    .split(/\r\n|\n|\r/)
    .forEach((l, i) => {
      if (/^BEGIN:VEVENT\s*$/i.test(l)) veventLines.push(i + 1);
    });
  const lineOf = (ve: ICAL.Component) => veventLines[vevents.indexOf(ve)] ?? 0;
  const reject = (ve: ICAL.Component, event: string, field: string, reason: string) =>
    rejected.push({ file, line: lineOf(ve), event, field, reason });
  const label = (uid: string | null, n: number) => (uid ? `event UID ${uid.slice(0, 80)}` : `event #${n}`);
  vevents.forEach((ve, n) => {
    const uidValue = ve.getFirstPropertyValue('uid');
    const uid = typeof uidValue === 'string' && uidValue.trim() ? uidValue : null;
    const bad = badField(ve);
    if (bad) {
      reject(ve, label(uid, n + 1), bad.field, bad.reason);
      return;
    }
    if (!uid) return;
    try {
      const ev = new ICAL.Event(ve);
      if (ev.isRecurrenceException()) exceptions.push(ev);
      else masters.set(uid, ev);
    } catch {
      reject(ve, label(uid, n + 1), 'VEVENT', 'could not be read as an event');
    }
  });
  for (const ex of exceptions) {
    try {
      masters.get(ex.uid)?.relateException(ex);
    } catch {
      reject(ex.component, label(ex.uid, 0), 'RECURRENCE-ID', expectedFor('recurrence-id'));
    }
  }

  const out: IcsOccurrence[] = [];
  for (const [uid, ev] of masters) {
    const found: IcsOccurrence[] = [];
    try {
      expandInto(found, uid, ev, toMs, overlaps);
      out.push(...found);
    } catch (err) {
      const field = err instanceof ExpansionBoundError ? 'RRULE' : 'DTSTART';
      const reason =
        err instanceof ExpansionBoundError
          ? err.message
          : 'could not be expanded; expected valid DTSTART/DTEND/RRULE/EXDATE values';
      reject(ev.component, label(uid, 0), field, reason);
    }
  }
  return out.sort(
    (a, b) => a.start.getTime() - b.start.getTime() || a.externalId.localeCompare(b.externalId),
  );
}

class ExpansionBoundError extends Error {}

/**
 * ical.js tests candidates in a loop inside one `next()` call; a rule no date can satisfy (FREQ=HOURLY with
 * BYMONTH=2;BYMONTHDAY=30) never leaves it, so no check between calls can stop it. Count the candidates
 * it tests during our expansion and stop the event once its budget (or time) is spent.
 */
const MAX_CANDIDATES_PER_EVENT = 1_000_000;
let candidateBudget: { left: number; deadline: number } | null = null;
const recurProto = ICAL.RecurIterator.prototype as unknown as { check_contracting_rules: () => boolean };
const checkContractingRules = recurProto.check_contracting_rules;
recurProto.check_contracting_rules = function (this: unknown): boolean {
  const b = candidateBudget;
  if (b) {
    b.left--;
    if (b.left <= 0 || (b.left % 4096 === 0 && performance.now() > b.deadline))
      throw new ExpansionBoundError(
        'recurrence rule matches no date or is too costly to expand; expected a rule like FREQ=WEEKLY;COUNT=10',
      );
  }
  return checkContractingRules.call(this);
};

function expandInto(
  out: IcsOccurrence[],
  uid: string,
  ev: ICAL.Event,
  toMs: number,
  overlaps: (o: IcsOccurrence) => boolean,
): void {
  const masterCancelled =
    String(ev.component.getFirstPropertyValue('status') ?? '').toUpperCase() === 'CANCELLED';
  const usable = (o: IcsOccurrence) =>
    !Number.isNaN(o.start.getTime()) && !Number.isNaN(o.end.getTime()) && overlaps(o);
  if (!ev.isRecurring()) {
    if (!ev.startDate) return;
    const end = ev.endDate ?? ev.startDate;
    const o = occurrence(uid, uid, ev, ev.startDate, end, masterCancelled);
    if (usable(o)) out.push(o);
    return;
  }
  const deadline = performance.now() + MAX_EXPANSION_MS;
  candidateBudget = { left: MAX_CANDIDATES_PER_EVENT, deadline };
  try {
    expandSeries(out, uid, ev, toMs, usable, masterCancelled, deadline);
  } finally {
    candidateBudget = null;
  }
}

function expandSeries(
  out: IcsOccurrence[],
  uid: string,
  ev: ICAL.Event,
  toMs: number,
  usable: (o: IcsOccurrence) => boolean,
  masterCancelled: boolean,
  deadline: number,
): void {
  const it = ev.iterator();
  for (let i = 0, next = it.next(); next && i < MAX_INSTANCES_PER_EVENT; i++, next = it.next()) {
    if (performance.now() > deadline)
      throw new ExpansionBoundError(`recurrence too costly to expand (over ${MAX_EXPANSION_MS} ms)`);
    // Stop on the instance's own (recurrence-id) date, not its moved start: an override moved far ahead
    // must not end the series early. The slack lets an instance moved back into the window be seen.
    const t = next.toJSDate().getTime();
    if (Number.isNaN(t) || t >= toMs + OVERRIDE_SLACK_MS) break;
    const d = ev.getOccurrenceDetails(next);
    const rid = d.recurrenceId;
    const ridKey = rid.isDate ? isoOf(rid) : rid.toJSDate().toISOString();
    const o = occurrence(uid, `${uid}/${ridKey}`, d.item, d.startDate, d.endDate, masterCancelled);
    if (usable(o)) out.push(o);
  }
}
