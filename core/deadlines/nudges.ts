/**
 * Deadline nudges (issue 3 "Nudges"): the owner is nudged at lead times (default 10 and 3 working days
 * before, and on the day); an overdue deadline escalates to the owner's line manager the next working day
 * and weekly while open. Pure: returns the desired ReminderSpecs; the planner reconciles them.
 * Messages are private and name the child by initials and year group only (docs/data-protection.md §5); what
 * they say is built in nudge-message.ts. Here: which slots are due, and each slot's fingerprint.
 */
import { addDays, type IsoDate } from '../calendar/iso-date.ts';
import { addWorkingDays, type HolidaySet } from '../calendar/working-days.ts';
import { zonedInstant as toInstant } from '../calendar/zoned-time.ts';
import type { ReminderSpec } from '../reminders/reminder.ts';
import { leadDate, memoOnCalendar } from './arithmetic.ts';
import { ESCALATION_KIND, NUDGE_KIND, type NudgeItem, type NudgeSlot, renderNudge } from './nudge-message.ts';
import { LA_LATE_LEAD } from './ownership.ts';
import type { Rule } from './types.ts';

// The wording lives in nudge-message.ts; re-exported so importers keep one module for nudges.
export {
  deadlineActions,
  ESCALATION_KIND,
  formatDate,
  NUDGE_KIND,
  type NudgeItem,
  type NudgeSlot,
  renderNudge,
} from './nudge-message.ts';

export const DEADLINE_REMINDER_KINDS = [NUDGE_KIND, ESCALATION_KIND];

export interface NudgeOptions {
  leadTimes: string[];
  holidays: HolidaySet;
  zone: string;
  /** Local time nudges are due ("08:00"); quiet hours still apply at delivery. */
  sendAt: string;
  horizonDays: number;
  /** Past nudges younger than this still go out (a case recorded late); older ones are dropped. */
  lookbackDays: number;
}

/**
 * Keep future dates in the window [from, until], plus only the most recent past one, which is sent (and
 * read) today: not when today has a date of its own, so one person gets one message per deadline a day (a
 * lead nudge sent late, after the hub was down, and the on-the-day nudge would both arrive today).
 */
function window(dates: IsoDate[], today: IsoDate, from: IsoDate, until: IsoDate): IsoDate[] {
  const inRange = [...new Set(dates)].filter((d) => d >= from && d <= until).sort();
  const past = inRange.filter((d) => d < today);
  const ahead = inRange.filter((d) => d >= today);
  return [...(past.length && ahead[0] !== today ? [past[past.length - 1]!] : []), ...ahead];
}

export function escalationDates(dueOn: IsoDate, until: IsoDate, holidays: HolidaySet): IsoDate[] {
  return memoOnCalendar(holidays, `esc|${dueOn}|${until}`, () =>
    computeEscalationDates(dueOn, until, holidays),
  );
}

function computeEscalationDates(dueOn: IsoDate, until: IsoDate, holidays: HolidaySet): IsoDate[] {
  const out: IsoDate[] = [];
  for (let d = addWorkingDays(dueOn, 1, holidays); d <= until; d = addDays(d, 7)) out.push(d);
  return out;
}

/** cyrb53: a fast 53-bit string hash (change detection only, never security). */
export function hash53(str: string, seed = 0): string {
  hashStart(seed);
  hashFeed(str);
  return hashEnd();
}

/**
 * cyrb53 fed piece by piece: hashStart, hashFeed(a), hashFeed(b), hashEnd() equals hash53(a + b), without
 * building the string (a tick fingerprints ~40,000 slots). One hash at a time (module state, synchronous).
 */
let H1 = 0;
let H2 = 0;
function hashStart(seed = 0): void {
  H1 = 0xdeadbeef ^ seed;
  H2 = 0x41c6ce57 ^ seed;
}
function hashFeed(str: string): void {
  let h1 = H1;
  let h2 = H2;
  for (let i = 0; i < str.length; i++) {
    const ch = str.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  H1 = h1;
  H2 = h2;
}
function hashEnd(): string {
  let h1 = H1;
  let h2 = H2;
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return base36(4294967296 * (2097151 & h2) + (h1 >>> 0));
}

const DIGITS36 = '0123456789abcdefghijklmnopqrstuvwxyz';
/** n.toString(36) for an integer 0 <= n < 2^53 (the same digits; V8's radix conversion is slow). */
function base36(n: number): string {
  if (n === 0) return '0';
  let out = '';
  while (n > 0) {
    const r = n % 36; // exact for doubles, and so is dividing the multiple of 36 left
    out = DIGITS36[r]! + out;
    n = (n - r) / 36;
  }
  return out;
}

const ruleHashes = new WeakMap<Rule, string>();
const ruleHash = (r: Rule): string => {
  let h = ruleHashes.get(r);
  if (h === undefined) {
    h = hash53(JSON.stringify(r));
    ruleHashes.set(r, h);
  }
  return h;
};

/**
 * The fingerprint of a slot: hash53 of
 * `${TEMPLATE}|${ruleHash}|${deadlineId}|${orgId}|${caseRef}|${dueOn}|${safeTargetOn}|${lowConfidence}|${studentLabel}`
 * (what every message of the deadline says: facts, title, actions, text) followed by
 * `|n|${ownerId}|${dueAt ms}|${onDay}` for a nudge or `|e|${escalateToId}|${ownerName}|${dueAt ms}` for an
 * escalation. Hashed piece by piece; the common part's state is kept per deadline (`common`).
 */
function hashCommon(i: NudgeItem): [number, number] {
  const rh = ruleHash(i.rule); // before hashStart: on a miss it hashes too
  hashStart();
  hashFeed(TEMPLATE);
  hashFeed('|');
  hashFeed(rh);
  hashFeed('|');
  hashFeed(i.deadlineId);
  hashFeed('|');
  hashFeed(i.orgId);
  hashFeed('|');
  hashFeed(i.caseRef);
  hashFeed('|');
  hashFeed(i.dueOn);
  hashFeed('|');
  hashFeed(i.safeTargetOn);
  hashFeed(i.lowConfidence ? '|true|' : '|false|');
  hashFeed(i.studentLabel);
  return [H1, H2];
}

function nudgeFingerprint(common: [number, number], ownerId: string, dueAt: number, onDay: boolean): string {
  H1 = common[0];
  H2 = common[1];
  hashFeed('|n|');
  hashFeed(ownerId);
  hashFeed('|');
  hashFeed(String(dueAt));
  hashFeed(onDay ? '|true' : '|false');
  return hashEnd();
}

function escalationFingerprint(
  common: [number, number],
  escalateToId: string,
  ownerName: string,
  dueAt: number,
): string {
  H1 = common[0];
  H2 = common[1];
  hashFeed('|e|');
  hashFeed(escalateToId);
  hashFeed('|');
  hashFeed(ownerName);
  hashFeed('|');
  hashFeed(String(dueAt));
  return hashEnd();
}

/** Which nudges and escalations the open deadlines call for now (within the horizon), without messages. */
export function planNudgeSlots(items: NudgeItem[], today: IsoDate, o: NudgeOptions): NudgeSlot[] {
  const slots: NudgeSlot[] = [];
  // Time-zone conversion is the costly step (Intl); a tick asks for the same few dates thousands of times.
  const instants = new Map<IsoDate, Date>();
  const instant = (d: IsoDate): Date => {
    let v = instants.get(d);
    if (!v) {
      v = toInstant(d, o.sendAt, o.zone);
      instants.set(d, v);
    }
    return new Date(v.getTime());
  };
  const until = addDays(today, o.horizonDays);
  const from = addDays(today, -o.lookbackDays);
  // The lead dates of one due date and lead list, shared by the many deadlines due that day.
  const leadCache = new Map<string, [IsoDate, string][]>();
  const windowCache = new Map<string, [IsoDate, string][]>();
  const escalationCache = new Map<IsoDate, IsoDate[]>();
  // A lead list (a rule's or the default) joined once, not once per deadline.
  const leadsKeys = new Map<string[], string>();
  for (const i of items) {
    if (i.status !== 'OPEN') continue;
    // The LA's duty (Rule.owner): shown on the case, never nudged or escalated to the case owner as theirs.
    // It is watched: the owner (and `alsoTellIds`: the DSL on a child-protection case) is told once, the day
    // after it passes, to chase them. The owner's key is the deadline's; another recipient's adds their id.
    if (i.rule.owner === 'la') {
      const d = addDays(i.dueOn, 1);
      if (d < from || d > until) continue;
      const told = i.ownerId ? [i.ownerId] : [];
      for (const id of i.alsoTellIds ?? []) if (!told.includes(id)) told.push(id);
      if (told.length === 0) continue;
      const dueAt = instant(d);
      const common = hashCommon(i);
      for (const recipientId of told)
        slots.push({
          dedupeKey: `deadline:${i.deadlineId}:${i.dueOn}:${LA_LATE_LEAD}${recipientId === i.ownerId ? '' : `:${recipientId}`}`,
          kind: NUDGE_KIND,
          item: i,
          recipientId,
          dueAt: new Date(dueAt.getTime()),
          day: d,
          readOn: d < today ? today : d,
          onDay: true,
          fingerprint: nudgeFingerprint(common, recipientId, dueAt.getTime(), true),
        });
      continue;
    }
    // What every message of this deadline says (facts, title, actions, text), for the fingerprint.
    // Built only for a deadline with a slot today (most open deadlines have none).
    let common: [number, number] | undefined;
    if (i.ownerId) {
      const leads = i.rule.leadTimes ?? o.leadTimes;
      let lk = leadsKeys.get(leads);
      if (lk === undefined) {
        lk = leads.join(',');
        leadsKeys.set(leads, lk);
      }
      const ck = `${i.dueOn}|${lk}`;
      let leadDates = leadCache.get(ck);
      if (!leadDates) {
        leadDates = leads.map((lead) => [leadDate(i.dueOn, lead, o.holidays), lead]);
        leadCache.set(ck, leadDates);
      }
      let due: [IsoDate, string][];
      if (i.snoozedUntil) {
        const byDate = new Map<IsoDate, string>();
        for (const [d, lead] of leadDates) if (d >= i.snoozedUntil) byDate.set(d, lead);
        if (i.snoozedUntil <= i.dueOn) byDate.set(i.snoozedUntil, 'snooze');
        due = window([...byDate.keys()], today, from, until).map((d) => [d, byDate.get(d)!]);
      } else {
        // Not snoozed: the windowed lead dates depend on the due date and lead list only.
        let w = windowCache.get(ck);
        if (!w) {
          const byDate = new Map<IsoDate, string>(leadDates);
          w = window([...byDate.keys()], today, from, until).map((d) => [d, byDate.get(d)!]);
          windowCache.set(ck, w);
        }
        due = w;
      }
      for (const [d, lead] of due) {
        const onDay = d >= i.dueOn;
        const dueAt = instant(d);
        common ??= hashCommon(i);
        slots.push({
          dedupeKey: `deadline:${i.deadlineId}:${i.dueOn}:${lead}`,
          kind: NUDGE_KIND,
          item: i,
          recipientId: i.ownerId,
          dueAt,
          day: d,
          readOn: d < today ? today : d,
          onDay,
          // A lead day already past is sent (and read) today. Not in the fingerprint: the message is
          // rendered when the slot is first planned, and a slot already planned is never re-sent.
          fingerprint: nudgeFingerprint(common, i.ownerId, dueAt.getTime(), onDay),
        });
      }
    }
    const escalate = i.rule.escalate ?? i.rule.status === 'statutory';
    if (escalate && !i.rule.window && i.escalateToId && today > i.dueOn) {
      let dates = escalationCache.get(i.dueOn);
      if (!dates) {
        dates = window(escalationDates(i.dueOn, until, o.holidays), today, from, until);
        escalationCache.set(i.dueOn, dates);
      }
      for (const d of dates) {
        const dueAt = instant(d);
        common ??= hashCommon(i);
        slots.push({
          dedupeKey: `deadline:${i.deadlineId}:${i.dueOn}:escalation:${d}`,
          kind: ESCALATION_KIND,
          item: i,
          recipientId: i.escalateToId,
          dueAt,
          day: d,
          readOn: d < today ? today : d,
          onDay: false,
          fingerprint: escalationFingerprint(common, i.escalateToId, i.ownerName, dueAt.getTime()),
        });
      }
    }
  }
  return slots;
}

export function planDeadlineNudges(items: NudgeItem[], today: IsoDate, o: NudgeOptions): ReminderSpec[] {
  return planNudgeSlots(items, today, o).map(renderNudge);
}

/**
 * A signature of the message templates themselves: sample nudges and escalations rendered once at load.
 * Part of every fingerprint, so a change to the wording re-renders the stored pending reminders.
 */
const TEMPLATE = (() => {
  const rule: Rule = {
    id: 'T',
    name: 'Template',
    caseKinds: ['LOCAL'],
    anchor: { events: ['x'], pick: 'first' },
    offset: { unit: 'CD', n: 1 },
    status: 'statutory',
    source: 'template',
    exceptions: [{ code: 'c', label: 'l', source: 's' }],
  };
  const item: NudgeItem = {
    deadlineId: 'd',
    orgId: 'o',
    caseRef: 'r',
    rule,
    dueOn: '2000-01-03',
    safeTargetOn: '2000-01-02',
    lowConfidence: true,
    status: 'OPEN',
    snoozedUntil: null,
    ownerId: 'w',
    ownerName: 'n',
    escalateToId: 'm',
    studentLabel: 's',
  };
  const samples: NudgeSlot[] = [];
  for (const r of [rule, { ...rule, window: true, exceptions: [] }])
    for (const kind of [NUDGE_KIND, ESCALATION_KIND] as const)
      for (const onDay of [true, false])
        samples.push({
          dedupeKey: 'k',
          kind,
          item: { ...item, rule: r },
          recipientId: 'w',
          dueAt: new Date(0),
          day: '2000-01-03',
          onDay,
          fingerprint: '',
        });
  return hash53(JSON.stringify(samples.map(renderNudge)));
})();
