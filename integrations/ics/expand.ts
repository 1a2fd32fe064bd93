/**
 * Expanding one event into the occurrences that overlap the sync window, with bounds that hold whatever the
 * feed says: at most MAX_INSTANCES_PER_EVENT instances from the window's start, at most
 * MAX_CANDIDATES_PER_EVENT candidate dates tested by ical.js, at most MAX_EXPANSION_MS of time, and the
 * feed's own budget (ExpansionBudget) shared by all its events. A simple rule (no BY… parts) starting long
 * before the window is moved forward to the window arithmetically instead of being stepped through from 1970.
 */
import ICAL from 'ical.js';
import { addDays, type IsoDate } from '../../core/calendar/iso-date.ts';

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

/** A recurring series is expanded to at most this many instances (counted from the window's start). */
export const MAX_INSTANCES_PER_EVENT = 5000;
/** And for at most this long (ical.js may step through many candidates between two instances). */
const MAX_EXPANSION_MS = 5000;
/** Candidate dates ical.js may test for one event (a rule no date satisfies never yields). */
const MAX_CANDIDATES_PER_EVENT = 200_000;
/** How far past the window an instance's original date may lie and still be moved into it. */
export const OVERRIDE_SLACK_MS = 31 * 86_400_000;

/**
 * Per feed: the time and candidate dates all its recurring events may spend together. Only the time spent
 * expanding counts (a streamed feed's reading and database writes between two series do not).
 */
export class ExpansionBudget {
  candidatesLeft = 20_000_000;
  msLeft: number;
  constructor(ms = 30_000) {
    this.msLeft = ms;
  }
  spent(): boolean {
    return this.candidatesLeft <= 0 || this.msLeft <= 0;
  }
}

export class ExpansionBoundError extends Error {}

/**
 * ical.js tests candidates in a loop inside one `next()` call; a rule no date can satisfy (FREQ=HOURLY with
 * BYMONTH=2;BYMONTHDAY=30) never leaves it, so no check between calls can stop it. Count the candidates
 * it tests during an expansion and stop the event once its budget (or time) is spent.
 */
let candidateBudget: { left: number; deadline: number; feed: ExpansionBudget } | null = null;
const recurProto = ICAL.RecurIterator.prototype as unknown as { check_contracting_rules: () => boolean };
const checkContractingRules = recurProto.check_contracting_rules;
recurProto.check_contracting_rules = function (this: unknown): boolean {
  const b = candidateBudget;
  if (b) {
    b.left--;
    b.feed.candidatesLeft--;
    if (b.left <= 0 || (b.left % 4096 === 0 && performance.now() > b.deadline))
      throw new ExpansionBoundError(
        'recurrence rule matches no date or is too costly to expand; expected a rule like FREQ=WEEKLY;COUNT=10',
      );
  }
  return checkContractingRules.call(this);
};

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

export function isoOf(t: ICAL.Time): IsoDate {
  return `${String(t.year).padStart(4, '0')}-${String(t.month).padStart(2, '0')}-${String(t.day).padStart(2, '0')}`;
}

export function occurrence(
  uid: string,
  externalId: string,
  c: ICAL.Component,
  start: ICAL.Time,
  end: ICAL.Time,
  masterCancelled: boolean,
): IcsOccurrence {
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

const SECONDS: Record<string, number> = {
  SECONDLY: 1,
  MINUTELY: 60,
  HOURLY: 3600,
  DAILY: 86_400,
  WEEKLY: 604_800,
};

/**
 * Move a simple rule's DTSTART (and DTEND) forward by whole periods to shortly before `fromMs` (less the
 * event's own length and the override slack), and lower its COUNT by the instances skipped; the instances from
 * there on (and their RECURRENCE-IDs) are the same. Only for rules without BY… parts, where every period
 * holds exactly one instance.
 */
export function jumpToWindow(c: ICAL.Component, fromMs: number): void {
  const rrules = c.getAllProperties('rrule');
  if (rrules.length !== 1 || c.hasProperty('exrule')) return;
  const rule = rrules[0]?.getFirstValue() as ICAL.Recur;
  const unit = SECONDS[rule.freq];
  const start = c.getFirstPropertyValue('dtstart');
  if (!unit || !(start instanceof ICAL.Time) || Object.keys(rule.parts ?? {}).length > 0) return;
  if (start.isDate && unit < 86_400) return;
  const periodS = unit * rule.interval;
  const dtend = c.getFirstPropertyValue('dtend');
  const duration = c.getFirstPropertyValue('duration');
  const lengthS =
    dtend instanceof ICAL.Time
      ? dtend.toUnixTime() - start.toUnixTime()
      : duration instanceof ICAL.Duration
        ? duration.toSeconds()
        : 0;
  // Margin for clock changes (sub-daily steps count wall-clock time) and for an instance moved into the
  // window by an override (not for sub-daily rules: a month of seconds is millions of instances).
  const subDaily = unit < 86_400;
  const marginMs = subDaily ? Math.max(periodS * 1000, 2 * 3_600_000) : OVERRIDE_SLACK_MS + 2 * 86_400_000;
  const targetMs = fromMs - marginMs - Math.max(0, lengthS) * 1000;
  const gapS = (targetMs - start.toJSDate().getTime()) / 1000;
  const k = Math.floor(gapS / periodS);
  if (!(k > 0)) return;
  if (rule.count) {
    if (k >= rule.count) {
      // The whole rule ends before the window: only DTSTART and RDATEs remain.
      c.removeProperty('rrule');
      return;
    }
    rule.count -= k;
    rrules[0]?.setValue(rule);
  }
  const shift = (t: ICAL.Time) => {
    const n = t.clone();
    if (unit >= 86_400) n.adjust((k * periodS) / 86_400, 0, 0, 0);
    else n.adjust(0, 0, 0, k * periodS);
    return n;
  };
  c.updatePropertyWithValue('dtstart', shift(start));
  if (dtend instanceof ICAL.Time) c.updatePropertyWithValue('dtend', shift(dtend));
}

export interface SeriesResult {
  /** The series was cut at MAX_INSTANCES_PER_EVENT inside the window. */
  cut: boolean;
}

/**
 * Each occurrence of a recurring event that overlaps [fromMs, toMs), within the bounds; throws
 * ExpansionBoundError when the event's or the feed's budget is spent.
 */
export function expandSeries(
  emit: (o: IcsOccurrence) => void,
  uid: string,
  ev: ICAL.Event,
  window: { fromMs: number; toMs: number },
  periodEnds: Map<number, ICAL.Time>,
  feed: ExpansionBudget,
): SeriesResult {
  if (feed.spent())
    throw new ExpansionBoundError("the feed's expansion budget is spent (too many recurring events)");
  const masterCancelled =
    String(ev.component.getFirstPropertyValue('status') ?? '').toUpperCase() === 'CANCELLED';
  const began = performance.now();
  const deadline = began + Math.min(MAX_EXPANSION_MS, feed.msLeft);
  candidateBudget = { left: MAX_CANDIDATES_PER_EVENT, deadline, feed };
  try {
    const it = ev.iterator();
    let kept = 0;
    const plain = periodEnds.size === 0 && Object.keys(ev.exceptions).length === 0;
    const lengthMs = ev.duration.toSeconds() * 1000;
    for (let next = it.next(); next; next = it.next()) {
      if (performance.now() > deadline)
        throw new ExpansionBoundError(`recurrence too costly to expand (over ${MAX_EXPANSION_MS} ms)`);
      // Stop on the instance's own (recurrence-id) date, not its moved start: an override moved far ahead
      // must not end the series early. The slack lets an instance moved back into the window be seen.
      const t = next.toJSDate().getTime();
      if (Number.isNaN(t) || t >= window.toMs + OVERRIDE_SLACK_MS) break;
      // Wholly before the window, and nothing can move it (no override, no period of its own): skipped.
      if (plain && t + lengthMs <= window.fromMs) continue;
      const d = ev.getOccurrenceDetails(next);
      const rid = d.recurrenceId;
      const ridKey = rid.isDate ? isoOf(rid) : rid.toJSDate().toISOString();
      let end = d.endDate;
      const periodEnd = d.item === ev ? periodEnds.get(rid.toUnixTime()) : undefined;
      if (periodEnd) end = periodEnd;
      const o = occurrence(uid, `${uid}/${ridKey}`, d.item.component, d.startDate, end, masterCancelled);
      const s = o.start.getTime();
      const e = o.end.getTime();
      if (Number.isNaN(s) || Number.isNaN(e) || !(s < window.toMs && e > window.fromMs)) continue;
      if (kept >= MAX_INSTANCES_PER_EVENT) return { cut: true };
      emit(o);
      kept++;
    }
    return { cut: false };
  } finally {
    candidateBudget = null;
    feed.msLeft -= performance.now() - began;
  }
}
