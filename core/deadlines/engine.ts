/**
 * The deadline engine: a case's key dates (events) in, its deadlines out. Pure (habit: no I/O, no clock).
 * `evaluateCase` computes what the rules say; `diffDeadlines` compares that with the stored deadlines and
 * says what to create and update. It never applies an exception: a PAUSED deadline stays paused until a
 * person acts, and a deadline met by a person stays met.
 */
import type { IsoDate } from '../calendar/iso-date.ts';
import { type CalendarContext, dueFrom, safeTarget } from './arithmetic.ts';
import type { RuleBook } from './registry.ts';
import type { CaseKind, Rule } from './types.ts';

export interface CaseEventFact {
  id: string;
  kind: string;
  occurredOn: IsoDate;
}

export interface CaseFacts {
  kind: CaseKind;
  rulePack: string;
  events: CaseEventFact[];
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
  const events = [...c.events].sort(byDate);
  const out: ComputedDeadline[] = [];
  for (const rule of book.rulesFor(c.kind, c.rulePack)) {
    const anchors = events.filter((e) => rule.anchor.events.includes(e.kind)).slice(rule.anchor.skip ?? 0);
    if (anchors.length === 0) continue;
    const chosen =
      rule.anchor.pick === 'each'
        ? anchors
        : rule.anchor.pick === 'first'
          ? [anchors[0]!]
          : [anchors[anchors.length - 1]!];
    for (const a of chosen) {
      const { dueOn, lowConfidence } = dueFrom(a.occurredOn, rule.offset, ctx);
      const met = rule.metBy?.length
        ? events.find((e) => e.id !== a.id && rule.metBy!.includes(e.kind) && e.occurredOn >= a.occurredOn)
        : undefined;
      out.push({
        key: rule.anchor.pick === 'each' ? `${rule.id}#${a.id}` : rule.id,
        rule,
        anchorOn: a.occurredOn,
        anchorEventId: a.id,
        dueOn,
        safeTargetOn: safeTarget(dueOn, ctx.holidays),
        lowConfidence,
        ...(met ? { metOn: met.occurredOn } : {}),
      });
    }
  }
  return out;
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
  const byKey = new Map(stored.map((s) => [s.ruleId, s]));
  const wanted = new Set<string>();
  for (const c of computed) {
    wanted.add(c.key);
    const s = byKey.get(c.key);
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
    if (s.dueOn !== c.dueOn) data.dueOn = c.dueOn;
    if (c.metOn && (s.status === 'OPEN' || s.status === 'PAUSED')) {
      data.status = 'MET';
      data.metOn = c.metOn;
    } else if (s.status === 'CANCELLED') {
      data.status = c.metOn ? 'MET' : 'OPEN';
      data.metOn = c.metOn ?? null;
    }
    if (Object.keys(data).length > 0) updates.push({ id: s.id, data });
  }
  for (const s of stored)
    if (!wanted.has(s.ruleId) && (s.status === 'OPEN' || s.status === 'PAUSED'))
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
