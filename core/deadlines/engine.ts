/**
 * The deadline engine: a case's key dates (events) in, its deadlines out. Pure (habit: no I/O, no clock).
 * `evaluateCase` computes what the rules say; `diffDeadlines` compares that with the stored deadlines and
 * says what to create and update. It never applies an exception: a PAUSED deadline stays paused until a
 * person acts, and a deadline met by a person stays met.
 */
import type { IsoDate } from '../calendar/iso-date.ts';
import { type CalendarContext, dueFrom, safeTarget } from './arithmetic.ts';
import { DERIVE_EVENTS } from './derived-events.ts';
import { ruleHeldBy } from './ownership.ts';
import type { RuleBook } from './registry.ts';
import type { CaseKind, Rule } from './types.ts';

export interface CaseEventFact {
  id: string;
  kind: string;
  occurredOn: IsoDate;
  /**
   * Derived anchors only: the earliest date an event meets a deadline anchored here (default: the
   * anchor's own date). Health needs: education arranged before a planned admission (health-needs.ts).
   */
  metFrom?: IsoDate;
}

export interface CaseFacts {
  kind: CaseKind;
  rulePack: string;
  events: CaseEventFact[];
  /**
   * The key dates of the same pupil's other cases of this kind in the organisation (open or closed), where
   * a duty adds them up: a pupil's suspensions in a term (core/deadlines/suspension.ts, reg 6(3)(b)).
   */
  others?: readonly CaseEventFact[][];
}

export interface ComputedDeadline {
  /** Stored as Deadline.ruleId: the rule id, plus "#<event id>" for per-event rules. */
  key: string;
  rule: Rule;
  anchorOn: IsoDate;
  anchorEventId: string;
  dueOn: IsoDate;
  safeTargetOn: IsoDate;
  lowConfidence: boolean;
  /** Met by a recorded event (the earliest qualifying one). */
  metOn?: IsoDate;
}

const byDate = (a: CaseEventFact, b: CaseEventFact) =>
  a.occurredOn < b.occurredOn ? -1 : a.occurredOn > b.occurredOn ? 1 : a.id < b.id ? -1 : 1;

export const ruleIdOfKey = (key: string): string => key.split('#')[0] ?? key;

export function evaluateCase(c: CaseFacts, book: RuleBook, ctx: CalendarContext): ComputedDeadline[] {
  // Read-only below: a case with one key date (most) needs no sorted copy.
  // Suspensions: the duties their key dates imply (6th school day, over 15 days in a term) as events.
  // Health needs: each spell of absence of 15 school days or more (core/deadlines/health-needs.ts).
  const derive = DERIVE_EVENTS[c.kind];
  const facts = derive ? [...c.events, ...derive(c.events, ctx.schoolDays, c.others, ctx.today)] : c.events;
  const events = facts.length > 1 ? [...facts].sort(byDate) : facts;
  const out: ComputedDeadline[] = [];
  for (const packed of book.rulesFor(c.kind, c.rulePack)) {
    // At a local authority its own duties are its officer's (core/deadlines/ownership.ts).
    const rule = ruleHeldBy(packed, ctx.localAuthority);
    const kinds = rule.anchor.events;
    const skip = rule.anchor.skip ?? 0;
    const pick = rule.anchor.pick;
    // The qualifying key dates in date order, the first `skip` left out: 'each' takes all of them, 'first'
    // the first, otherwise the last (without building the list for the last two).
    let seen = 0;
    let one: CaseEventFact | undefined;
    let each: CaseEventFact[] | undefined;
    for (const e of events) {
      if (!kinds.includes(e.kind) || seen++ < skip) continue;
      if (pick === 'each') {
        each ??= [];
        each.push(e);
      } else {
        one = e;
        if (pick === 'first') break;
      }
    }
    // A key date that ends the rule (Rule.endedBy: the final plan issued, a transfer to post-16): its
    // deadlines not yet met no longer apply; one met before stays met.
    const ended = rule.endedBy !== undefined && endedBy(rule.endedBy, events);
    if (pick === 'each') {
      if (each)
        for (const a of each) {
          const d = computed(rule, a, events, ctx);
          if (!ended || d.metOn) out.push(d);
        }
    } else if (one) {
      const d = computed(rule, one, events, ctx);
      if (!ended || d.metOn) out.push(d);
    }
  }
  return out;
}

/** The first recorded key date of one of `kinds` (planned dates are stored `planned:<kind>`: never one). */
export function endedBy<E extends { kind: string }>(
  kinds: readonly string[],
  events: readonly E[],
): E | undefined {
  for (const e of events) if (kinds.includes(e.kind)) return e;
  return undefined;
}

function computed(
  rule: Rule,
  a: CaseEventFact,
  events: CaseEventFact[],
  ctx: CalendarContext,
): ComputedDeadline {
  const { dueOn, lowConfidence } = dueFrom(a.occurredOn, rule.offset, ctx);
  const from = a.metFrom ?? a.occurredOn;
  const met = rule.metBy?.length
    ? events.find((e) => e.id !== a.id && rule.metBy!.includes(e.kind) && e.occurredOn >= from)
    : undefined;
  const d: ComputedDeadline = {
    key: rule.anchor.pick === 'each' ? `${rule.id}#${a.id}` : rule.id,
    rule,
    anchorOn: a.occurredOn,
    anchorEventId: a.id,
    dueOn,
    safeTargetOn: safeTarget(dueOn, ctx.holidays),
    lowConfidence,
  };
  if (met) d.metOn = met.occurredOn; // absent, not undefined, when unmet (as before)
  return d;
}

export type DeadlineStatus = 'OPEN' | 'MET' | 'PAUSED' | 'CANCELLED';

export interface StoredDeadline {
  id: string;
  ruleId: string;
  dueOn: IsoDate;
  status: DeadlineStatus;
  metOn: IsoDate | null;
}

export interface DeadlineCreate {
  ruleId: string;
  dueOn: IsoDate;
  status: DeadlineStatus;
  metOn: IsoDate | null;
}

export interface DeadlineUpdate {
  id: string;
  data: { dueOn?: IsoDate; status?: DeadlineStatus; metOn?: IsoDate | null };
}

/** What to write so the stored deadlines of one case match the computed ones. */
export function diffDeadlines(
  computed: ComputedDeadline[],
  stored: StoredDeadline[],
): { creates: DeadlineCreate[]; updates: DeadlineUpdate[] } {
  const creates: DeadlineCreate[] = [];
  const updates: DeadlineUpdate[] = [];
  // A case has a handful of deadlines: scans, not a Map and a Set per case (the last row of a key wins, as
  // in a Map built from the rows).
  for (const c of computed) {
    let s: StoredDeadline | undefined;
    for (const x of stored) if (x.ruleId === c.key) s = x;
    if (!s) {
      creates.push({
        ruleId: c.key,
        dueOn: c.dueOn,
        status: c.metOn ? 'MET' : 'OPEN',
        metOn: c.metOn ?? null,
      });
      continue;
    }
    const data: DeadlineUpdate['data'] = {};
    let changed = false;
    if (s.dueOn !== c.dueOn) {
      data.dueOn = c.dueOn;
      changed = true;
    }
    if (c.metOn && (s.status === 'OPEN' || s.status === 'PAUSED')) {
      data.status = 'MET';
      data.metOn = c.metOn;
      changed = true;
    } else if (s.status === 'CANCELLED') {
      data.status = c.metOn ? 'MET' : 'OPEN';
      data.metOn = c.metOn ?? null;
      changed = true;
    }
    if (changed) updates.push({ id: s.id, data });
  }
  for (const s of stored)
    if ((s.status === 'OPEN' || s.status === 'PAUSED') && !computed.some((c) => c.key === s.ruleId))
      updates.push({ id: s.id, data: { status: 'CANCELLED' } });
  return { creates, updates };
}

/** Met on time, met late (by how many days), or still open and overdue. */
export function lateness(
  dueOn: IsoDate,
  metOn: IsoDate | null,
  today: IsoDate,
): { late: boolean; days: number } {
  const end = metOn ?? today;
  const days = Math.round((Date.parse(`${end}T00:00:00Z`) - Date.parse(`${dueOn}T00:00:00Z`)) / 86_400_000);
  return { late: days > 0, days: Math.max(0, days) };
}
