/**
 * What a deadline nudge or escalation says (issue 3 "Nudges"): the reminder kinds, the deadline item and
 * slot a message is built from, the date wording, the facts and buttons, and the rendered ReminderSpec.
 * Pure. Messages are private and name the child by initials and year group only
 * (docs/data-protection.md §5). Planning which slots are due lives in nudges.ts.
 */
import { daysBetween, formatDate, type IsoDate } from '../calendar/iso-date.ts';
import type { MessageAction, OutgoingMessageInput } from '../messages/outgoing-message.ts';
import type { ReminderSpec } from '../reminders/reminder.ts';
import type { CalendarContext } from './arithmetic.ts';
import { STAFF_ALLEGATION_LABEL } from './case-label.ts';
import { dayFlag, isSchoolRule } from './day-flags.ts';
import type { DeadlineStatus } from './engine.ts';
import type { Rule } from './types.ts';

export const NUDGE_KIND = 'deadline_nudge';
export const ESCALATION_KIND = 'deadline_escalation';
export interface NudgeItem {
  deadlineId: string;
  orgId: string;
  caseRef: string;
  rule: Rule;
  dueOn: IsoDate;
  safeTargetOn: IsoDate;
  lowConfidence: boolean;
  status: DeadlineStatus;
  snoozedUntil: IsoDate | null;
  ownerId: string | null;
  ownerName: string;
  /** The owner's line manager (or the organisation's fallback manager). */
  escalateToId: string | null;
  /** Initials and year group, e.g. "A.B. (Y7)". */
  studentLabel: string;
  /** The case's calendars: a due date on a day nobody works is flagged in the message (issue 14). */
  calendar?: CalendarContext;
  /**
   * Told too, besides the owner, when the LA's date passes (Rule.owner 'la'): on a child-protection case,
   * the organisation's DSL (KCSIE 2025 Part 2: the DSL liaises with children's social care).
   */
  alsoTellIds?: readonly string[];
}

export { formatDate } from '../calendar/iso-date.ts';

export function deadlineActions(rule: Rule, forManager = false): MessageAction[] {
  const actions: MessageAction[] = [{ verb: 'done', label: 'Done (met today)', style: 'primary', args: {} }];
  if (!forManager)
    actions.push({ verb: 'snooze', label: 'Snooze 2 days', style: 'default', args: { days: '2' } });
  actions.push({ verb: 'reassign', label: 'Reassign', style: 'default', args: {} });
  if (rule.exceptions?.length)
    actions.push({ verb: 'pause', label: 'Paused: exception', style: 'default', args: {} });
  return actions;
}

const flagOf = (i: NudgeItem) => (i.calendar ? dayFlag(i.dueOn, i.rule, i.calendar) : null);
/**
 * The flag beside a due date on a day nobody works. `day` is the day the message goes out: a day to aim
 * for that is already past when it is read (a nudge on a Sunday for a Sunday date) is said to have passed,
 * never offered as an aim.
 */
const dueFlag = (i: NudgeItem, day: IsoDate) => {
  const f = flagOf(i);
  if (!f) return '';
  const school = isSchoolRule(i.rule);
  if (f.target < day)
    return ` ⚠ ${f.reason}, and ${formatDate(f.target)}, the ${school ? 'school' : 'working'} day before it, has passed`;
  return ` ⚠ ${f.reason}: ${school ? 'hold it by' : 'aim for'} ${formatDate(f.target)}`;
};

function facts(i: NudgeItem, day: IsoDate) {
  const target = flagOf(i)?.target ?? i.safeTargetOn;
  return [
    { label: i.studentLabel === STAFF_ALLEGATION_LABEL ? 'Case' : 'Student', value: i.studentLabel },
    { label: 'Case', value: i.caseRef },
    { label: 'Due', value: `${formatDate(i.dueOn)} (end of day)${dueFlag(i, day)}` },
    // A safe target is the school's own margin on its own work: the LA's date has none for the school.
    ...(i.rule.owner === 'la'
      ? []
      : [{ label: 'Safe target', value: `${formatDate(target)}${target < day ? ' (passed)' : ''}` }]),
    { label: 'Rule', value: `${i.rule.name} (${i.rule.status})` },
    { label: 'Source', value: i.rule.source },
    ...(i.lowConfidence
      ? [{ label: 'Note', value: 'No term dates for part of this period: counted as working days (check)' }]
      : []),
  ];
}

/**
 * One nudge or escalation the planner wants stored, before its message is built. A steady tick compares
 * `fingerprint` (and the due time and recipient) with what is stored and renders only the slots that are
 * new or changed: building tens of thousands of messages per tick to find them unchanged was most of it.
 */
export interface NudgeSlot {
  dedupeKey: string;
  kind: typeof NUDGE_KIND | typeof ESCALATION_KIND;
  item: NudgeItem;
  recipientId: string;
  dueAt: Date;
  /** The day the nudge goes out (nudge) or the escalation date. */
  day: IsoDate;
  /** The day the message is read: `day`, or today when `day` is already past (sent late). */
  readOn?: IsoDate;
  onDay: boolean;
  /** Everything the rendered reminder depends on beyond its key, hashed. */
  fingerprint: string;
}

/** The reminder a slot stands for, with its message: a nudge to the officer or an escalation to their manager. */
export function renderNudge(slot: NudgeSlot): ReminderSpec {
  const i = slot.item;
  const nudge = slot.kind === NUDGE_KIND;
  return {
    dedupeKey: slot.dedupeKey,
    orgId: i.orgId,
    kind: nudge ? NUDGE_KIND : ESCALATION_KIND,
    subject: { type: 'deadline', id: i.deadlineId },
    recipientId: slot.recipientId,
    dueAt: slot.dueAt,
    priority: nudge ? 4 : 3,
    respectQuietHours: !i.rule.ignoreQuietHours,
    message: nudge ? nudgeMessage(slot) : escalationMessage(slot),
  };
}

/**
 * The due date as the nudge's reader sees it: `due today`, `due <date>`, or, for a nudge read after the date
 * (a case recorded after its date had passed, a lead day already gone), how late it is: `3 days overdue
 * (was due Thu 3 Dec 2026)`; a window says `closes` / `closed`.
 */
function whenDue(i: NudgeItem, slot: NudgeSlot): string {
  const read = slot.readOn ?? slot.day;
  if (read > i.dueOn) {
    const n = daysBetween(i.dueOn, read);
    const ago = `${n} day${n === 1 ? '' : 's'}`;
    return i.rule.window
      ? `closed ${formatDate(i.dueOn)}, ${ago} ago`
      : `${ago} overdue (was due ${formatDate(i.dueOn)})`;
  }
  const on = slot.onDay ? 'today' : formatDate(i.dueOn);
  return i.rule.window ? `closes ${on}` : `due ${on}`;
}

function nudgeMessage(slot: NudgeSlot): OutgoingMessageInput {
  const i = slot.item;
  const subject = { type: 'deadline', id: i.deadlineId };
  if (i.rule.owner === 'la') {
    // The LA's duty watched from a school: the LA is late, the owner (and for child protection the DSL)
    // may chase them. A duty of children's social care (Working Together 2023: no Rule.laOfficer) says so.
    const whose = i.rule.laOfficer
      ? "the local authority's duty, not the school's"
      : "children's social care's duty (the local authority's), not the school's";
    return {
      kind: 'deadline_nudge',
      audience: 'private',
      title: `The LA's date has passed: ${i.rule.name} (was due ${formatDate(i.dueOn)})`,
      text: `For ${i.studentLabel}, case ${i.caseRef}: ${whose}, and nothing is recorded. You may chase the LA; record it when they have done it.`,
      facts: facts(i, slot.readOn ?? slot.day),
      actions: [{ verb: 'done', label: 'The LA has done it (today)', style: 'primary', args: {} }],
      subject,
      why:
        slot.recipientId === i.ownerId
          ? `you hold this case for the school; the date is ${i.rule.laOfficer ? "the local authority's" : "children's social care's"}, not yours`
          : "you are the school's DSL; the child-protection date is children's social care's, not the school's",
    };
  }
  return {
    kind: 'deadline_nudge',
    audience: 'private',
    title: `${i.rule.name}: ${whenDue(i, slot)}`,
    text: `For ${i.studentLabel}, case ${i.caseRef}.`,
    facts: facts(i, slot.readOn ?? slot.day),
    actions: i.rule.window ? [] : deadlineActions(i.rule),
    subject,
  };
}

function escalationMessage(slot: NudgeSlot): OutgoingMessageInput {
  const i = slot.item;
  return {
    kind: 'deadline_escalation',
    audience: 'private',
    title: `Overdue: ${i.rule.name} (was due ${formatDate(i.dueOn)})`,
    text: `${i.ownerName} owns this deadline for ${i.studentLabel}, case ${i.caseRef}. You are told as their line manager.`,
    facts: facts(i, slot.readOn ?? slot.day),
    actions: deadlineActions(i.rule, true),
    subject: { type: 'deadline', id: i.deadlineId },
    urgent: false,
  };
}
