/**
 * Deadline nudges (issue 3 "Nudges"): the owner is nudged at lead times (default 10 and 3 working days
 * before, and on the day); an overdue deadline escalates to the owner's line manager the next working day
 * and weekly while open. Pure: returns the desired ReminderSpecs; the planner reconciles them.
 * Messages are private and name the child by initials and year group only (domain.md §3C).
 */
import { addDays, type IsoDate } from '../calendar/iso-date.ts';
import { addWorkingDays, type HolidaySet } from '../calendar/working-days.ts';
import { zonedInstant as toInstant } from '../calendar/zoned-time.ts';
import type { MessageAction } from '../messages/outgoing-message.ts';
import type { ReminderSpec } from '../reminders/reminder.ts';
import { leadDate, memoOnCalendar } from './arithmetic.ts';
import type { DeadlineStatus } from './engine.ts';
import type { Rule } from './types.ts';

export const NUDGE_KIND = 'deadline_nudge';
export const ESCALATION_KIND = 'deadline_escalation';
export const DEADLINE_REMINDER_KINDS = [NUDGE_KIND, ESCALATION_KIND];

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
}

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

const fmt = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'UTC',
  weekday: 'short',
  day: 'numeric',
  month: 'short',
  year: 'numeric',
});
/** "Mon 12 Apr 2027" */
export const formatDate = (d: IsoDate): string => fmt.format(new Date(`${d}T00:00:00Z`)).replace(',', '');

export function deadlineActions(rule: Rule, forManager = false): MessageAction[] {
  const actions: MessageAction[] = [{ verb: 'done', label: 'Done (met today)', style: 'primary', args: {} }];
  if (!forManager)
    actions.push({ verb: 'snooze', label: 'Snooze 2 days', style: 'default', args: { days: '2' } });
  actions.push({ verb: 'reassign', label: 'Reassign', style: 'default', args: {} });
  if (rule.exceptions?.length)
    actions.push({ verb: 'pause', label: 'Paused: exception', style: 'default', args: {} });
  return actions;
}

function facts(i: NudgeItem) {
  return [
    { label: 'Student', value: i.studentLabel },
    { label: 'Case', value: i.caseRef },
    { label: 'Due', value: `${formatDate(i.dueOn)} (end of day)` },
    { label: 'Safe target', value: formatDate(i.safeTargetOn) },
    { label: 'Rule', value: `${i.rule.name} (${i.rule.status})` },
    { label: 'Source', value: i.rule.source },
    ...(i.lowConfidence
      ? [{ label: 'Note', value: 'No term dates for part of this period: counted as working days (check)' }]
      : []),
  ];
}

/** Keep future dates in the window, plus only the most recent past one. */
function window(dates: IsoDate[], today: IsoDate, o: NudgeOptions): IsoDate[] {
  const until = addDays(today, o.horizonDays);
  const from = addDays(today, -o.lookbackDays);
  const inRange = [...new Set(dates)].filter((d) => d >= from && d <= until).sort();
  const past = inRange.filter((d) => d < today);
  return [...(past.length ? [past[past.length - 1]!] : []), ...inRange.filter((d) => d >= today)];
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

export function planDeadlineNudges(items: NudgeItem[], today: IsoDate, o: NudgeOptions): ReminderSpec[] {
  const specs: ReminderSpec[] = [];
  // Time-zone conversion is the costly step (Intl); a tick asks for the same few dates thousands of times.
  const instants = new Map<IsoDate, Date>();
  const zonedInstant = (d: IsoDate, time: string, zone: string): Date => {
    let v = instants.get(d);
    if (!v) {
      v = toInstant(d, time, zone);
      instants.set(d, v);
    }
    return new Date(v.getTime());
  };
  const until = addDays(today, o.horizonDays);
  for (const i of items) {
    if (i.status !== 'OPEN') continue;
    const subject = { type: 'deadline', id: i.deadlineId };
    const quiet = !i.rule.ignoreQuietHours;
    if (i.ownerId) {
      const leads = i.rule.leadTimes ?? o.leadTimes;
      const byDate = new Map<IsoDate, string>();
      for (const lead of leads) {
        const d = leadDate(i.dueOn, lead, o.holidays);
        if (!i.snoozedUntil || d >= i.snoozedUntil) byDate.set(d, lead);
      }
      if (i.snoozedUntil && i.snoozedUntil <= i.dueOn) byDate.set(i.snoozedUntil, 'snooze');
      for (const d of window([...byDate.keys()], today, o)) {
        const lead = byDate.get(d)!;
        const onDay = d >= i.dueOn;
        specs.push({
          dedupeKey: `deadline:${i.deadlineId}:${i.dueOn}:${lead}`,
          orgId: i.orgId,
          kind: NUDGE_KIND,
          subject,
          recipientId: i.ownerId,
          dueAt: zonedInstant(d, o.sendAt, o.zone),
          priority: 4,
          respectQuietHours: quiet,
          message: {
            kind: 'deadline_nudge',
            audience: 'private',
            title: i.rule.window
              ? `${i.rule.name}: closes ${onDay ? 'today' : formatDate(i.dueOn)}`
              : `${i.rule.name}: due ${onDay ? 'today' : formatDate(i.dueOn)}`,
            text: `For ${i.studentLabel}, case ${i.caseRef}.`,
            facts: facts(i),
            actions: i.rule.window ? [] : deadlineActions(i.rule),
            subject,
          },
        });
      }
    }
    const escalate = i.rule.escalate ?? i.rule.status === 'statutory';
    if (escalate && !i.rule.window && i.escalateToId && today > i.dueOn) {
      for (const d of window(escalationDates(i.dueOn, until, o.holidays), today, o)) {
        specs.push({
          dedupeKey: `deadline:${i.deadlineId}:${i.dueOn}:escalation:${d}`,
          orgId: i.orgId,
          kind: ESCALATION_KIND,
          subject,
          recipientId: i.escalateToId,
          dueAt: zonedInstant(d, o.sendAt, o.zone),
          priority: 3,
          respectQuietHours: quiet,
          message: {
            kind: 'deadline_escalation',
            audience: 'private',
            title: `Overdue: ${i.rule.name} (was due ${formatDate(i.dueOn)})`,
            text: `${i.ownerName} owns this deadline for ${i.studentLabel}, case ${i.caseRef}. You are told as their line manager.`,
            facts: facts(i),
            actions: deadlineActions(i.rule, true),
            subject,
            urgent: false,
          },
        });
      }
    }
  }
  return specs;
}
