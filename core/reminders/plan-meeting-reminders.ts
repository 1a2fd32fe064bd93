import { addDays } from '../calendar/iso-date.ts';
import { addWorkingDays, type HolidaySet } from '../calendar/working-days.ts';
import { localDate, localTime, zonedInstant } from '../calendar/zoned-time.ts';
import type { OutgoingMessageInput } from '../messages/outgoing-message.ts';
import type { ReminderSpec } from './reminder.ts';

export const meetingKindLabels: Record<string, string> = {
  TAC: 'Team Around the Child meeting',
  CIN: 'Child in Need meeting',
  CP_CONFERENCE: 'Child protection conference',
  EHCP_ANNUAL_REVIEW: 'EHCP annual review',
  CPA: 'Care Programme Approach review',
  PEP: 'Personal Education Plan meeting',
  REINTEGRATION: 'Reintegration meeting',
  PANEL: 'Panel meeting',
  OTHER: 'Meeting',
};

/** A lead time before a meeting: "2 working days" or "1 hour" (config: `2wd`, `1h`, `30m`, `1d`). */
export type LeadTime = { unit: 'working_days' | 'days' | 'hours' | 'minutes'; amount: number; label: string };

export function parseLeadTime(text: string): LeadTime {
  const m = /^(\d+)\s*(wd|d|h|m)$/.exec(text.trim());
  if (!m) throw new Error(`lead time "${text}" must look like 2wd, 1d, 1h or 30m`);
  const amount = Number(m[1]);
  const unit = ({ wd: 'working_days', d: 'days', h: 'hours', m: 'minutes' } as const)[
    m[2] as 'wd' | 'd' | 'h' | 'm'
  ];
  return { unit, amount, label: text.trim() };
}

export interface MeetingForReminders {
  id: string;
  orgId: string;
  kind: string;
  startsAt: Date;
  joinUrl: string | null;
  /** e.g. "A.B. (Y7)"; null when the meeting is not linked to a student. */
  studentLabel: string | null;
  studentId?: string | null;
  attendeeStaffIds: string[];
  cancelled: boolean;
  /** Extra lines (open actions, deadlines before the next meeting), already minimised. */
  context?: string[];
  endsAt?: Date;
  /** The organiser, when they are staff in the hub. */
  organiserStaffId?: string | null;
  /** Who is prompted for notes (Meeting.noteTakerId; the organiser by default). */
  noteTakerId?: string | null;
  /** Notes for this meeting were submitted (no prompt, no overdue nudge). */
  notesSubmitted?: boolean;
}

export interface MeetingReminderOptions {
  leadTimes: LeadTime[];
  zone: string;
  holidays: HolidaySet;
}

/**
 * When to remind for one lead time. Working-day leads keep the meeting's local time of day, moved back
 * over weekends and bank holidays (a Monday 10:00 meeting with 2 working days' notice is reminded on the
 * Thursday before at 10:00).
 */
export function reminderTime(startsAt: Date, lead: LeadTime, opts: MeetingReminderOptions): Date {
  switch (lead.unit) {
    case 'minutes':
      return new Date(startsAt.getTime() - lead.amount * 60_000);
    case 'hours':
      return new Date(startsAt.getTime() - lead.amount * 3_600_000);
    case 'days':
    case 'working_days': {
      const day = localDate(startsAt, opts.zone);
      const time = localTime(startsAt, opts.zone);
      const target =
        lead.unit === 'days'
          ? new Date(Date.parse(`${day}T00:00:00Z`) - lead.amount * 86_400_000).toISOString().slice(0, 10)
          : addWorkingDays(day, -lead.amount, opts.holidays);
      return zonedInstant(target, time, opts.zone);
    }
  }
}

export function meetingReminderMessage(
  m: MeetingForReminders,
  zone: string,
  lead: LeadTime,
): OutgoingMessageInput {
  const label = meetingKindLabels[m.kind] ?? 'Meeting';
  const when = whenLabel(m.startsAt, zone);
  return {
    kind: 'meeting_reminder',
    audience: 'private',
    title: `${label}${m.studentLabel ? ` for ${m.studentLabel}` : ''}: ${when}`,
    text: `Reminder (${lead.label} before).`,
    facts: [
      { label: 'When', value: when },
      ...(m.studentLabel ? [{ label: 'Student', value: m.studentLabel }] : []),
    ],
    sections: m.context && m.context.length > 0 ? [{ heading: 'Before the meeting', lines: m.context }] : [],
    actions: [{ verb: 'done', label: 'Got it', style: 'primary', args: {} }],
    subject: { type: 'meeting', id: m.id },
    ...(m.joinUrl ? { link: { label: 'Join meeting', url: m.joinUrl } } : {}),
  };
}

const LATE_GRACE_MS = 10 * 60_000;

/**
 * The reminders a meeting should have: one per staff attendee per lead time, none for a cancelled meeting
 * or for lead times already past when planned (a meeting booked at 09:30 for 10:00 gets no "2 working
 * days before" reminder).
 */
export function planMeetingReminders(
  meetings: MeetingForReminders[],
  now: Date,
  opts: MeetingReminderOptions,
): ReminderSpec[] {
  const out: ReminderSpec[] = [];
  for (const m of meetings) {
    if (m.cancelled || m.startsAt <= now) continue;
    for (const lead of opts.leadTimes) {
      const dueAt = reminderTime(m.startsAt, lead, opts);
      // A lead time that passed before the meeting was seen is dropped, unless only just (the planner
      // runs every minute; a reminder due moments ago is still useful).
      if (dueAt.getTime() < now.getTime() - LATE_GRACE_MS) continue;
      for (const staffId of m.attendeeStaffIds) {
        out.push({
          dedupeKey: `meeting:${m.id}:${staffId}:${lead.label}`,
          orgId: m.orgId,
          kind: 'meeting_reminder',
          subject: { type: 'meeting', id: m.id },
          recipientId: staffId,
          dueAt,
          message: meetingReminderMessage(m, opts.zone, lead),
        });
      }
    }
  }
  return out;
}

/** Every reminder kind the meeting planner owns for a meeting subject (reconciled together). */
export const MEETING_REMINDER_KINDS = ['meeting_reminder', 'report_due', 'notes_prompt', 'notes_overdue'];

// One formatter per zone: building an Intl.DateTimeFormat costs far more than formatting with one, and the
// planner formats a time for every reminder of every meeting in its window at each tick.
const whenFormats = new Map<string, Intl.DateTimeFormat>();

/** "Tue 1 Dec, 10:00" in `zone`. */
export function whenLabel(d: Date, zone: string): string {
  let fmt = whenFormats.get(zone);
  if (!fmt) {
    fmt = new Intl.DateTimeFormat('en-GB', {
      timeZone: zone,
      weekday: 'short',
      day: 'numeric',
      month: 'short',
      hour: '2-digit',
      minute: '2-digit',
    });
    whenFormats.set(zone, fmt);
  }
  return fmt.format(d);
}

/** "Wed 6 Jan 2027" for a YYYY-MM-DD date. */
const dayFormat = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'UTC',
  weekday: 'short',
  day: 'numeric',
  month: 'short',
  year: 'numeric',
});

export const dayLabel = (date: string) => {
  const parts = dayFormat.formatToParts(new Date(`${date}T12:00:00Z`));
  const p = (t: string) => parts.find((x) => x.type === t)?.value ?? '';
  return `${p('weekday')} ${p('day')} ${p('month')} ${p('year')}`;
};

/** The person asked for notes: the named note-taker, else the organiser, else the first staff attendee. */
export const noteTakerOf = (m: MeetingForReminders): string | null =>
  m.noteTakerId ?? m.organiserStaffId ?? m.attendeeStaffIds[0] ?? null;

/**
 * After a meeting of a kind configured for notes ends, its note-taker is prompted privately with a button
 * that opens the notes form; if the notes are not submitted within `overdueWorkingDays` working days
 * (issue 8: 2), they are nudged (in working hours). Submitted notes, or a cancelled meeting, remove both.
 */
export function planNotesPrompts(
  meetings: MeetingForReminders[],
  now: Date,
  opts: MeetingReminderOptions & { notesKinds: string[]; overdueWorkingDays: number },
): ReminderSpec[] {
  const out: ReminderSpec[] = [];
  for (const m of meetings) {
    const ends = m.endsAt ?? m.startsAt;
    if (m.cancelled || m.notesSubmitted || !opts.notesKinds.includes(m.kind)) continue;
    const taker = noteTakerOf(m);
    if (!taker) continue;
    const label = meetingKindLabels[m.kind] ?? 'Meeting';
    const base = {
      audience: 'private' as const,
      facts: [
        { label: 'Meeting', value: whenLabel(m.startsAt, opts.zone) },
        ...(m.studentLabel ? [{ label: 'Student', value: m.studentLabel }] : []),
      ],
      actions: [
        { verb: 'open_notes_form' as const, label: 'Write the notes', style: 'primary' as const, args: {} },
      ],
      subject: { type: 'meeting', id: m.id },
    };
    const overdueDay = addWorkingDays(localDate(ends, opts.zone), opts.overdueWorkingDays, opts.holidays);
    const overdueAt = zonedInstant(overdueDay, localTime(ends, opts.zone), opts.zone);
    // Once the notes are overdue, one message is enough (a note-taker named late gets only the nudge).
    if (overdueAt > now) {
      out.push({
        dedupeKey: `notes-prompt:${m.id}:${taker}`,
        orgId: m.orgId,
        kind: 'notes_prompt',
        subject: { type: 'meeting', id: m.id },
        recipientId: taker,
        dueAt: ends,
        respectQuietHours: true,
        message: {
          ...base,
          kind: 'notes_prompt',
          title: `Notes for the ${label}${m.studentLabel ? ` for ${m.studentLabel}` : ''}`,
          text: `The meeting has ended. Please record the notes (you can save a draft and finish later), or type \`tac\`. To hand them to a colleague: \`tac notetaker ${m.id} <their email>\`.`,
        },
      });
    }
    out.push({
      dedupeKey: `notes-overdue:${m.id}:${taker}`,
      orgId: m.orgId,
      kind: 'notes_overdue',
      subject: { type: 'meeting', id: m.id },
      recipientId: taker,
      dueAt: overdueAt,
      respectQuietHours: true,
      message: {
        ...base,
        kind: 'notes_prompt',
        title: `Notes still to submit: ${label}${m.studentLabel ? ` for ${m.studentLabel}` : ''}`,
        text: `Notes are not yet submitted ${opts.overdueWorkingDays} working days after the meeting. Type \`tac\` or press the button.`,
      },
    });
  }
  return out;
}

/**
 * Reports due before a meeting, nudged to their authors. EHCP annual review: the person arranging the
 * meeting must obtain advice from the invitees and circulate it **at least two weeks before** the meeting
 * (SEND Regulations 2014 reg 20(4); invitations with two weeks' notice, reg 20(2)-(3); Children and
 * Families Act 2014 s.44; CoP 9.176; R4-R5 in docs/deadlines.md). Staff invitees are asked for their advice
 * `authorLead` before that date (09:00 local); the organiser is reminded to circulate it on the day.
 */
export function planReportNudges(
  meetings: MeetingForReminders[],
  now: Date,
  opts: MeetingReminderOptions & { authorLeadWorkingDays: number },
): ReminderSpec[] {
  const out: ReminderSpec[] = [];
  for (const m of meetings) {
    if (m.cancelled || m.kind !== 'EHCP_ANNUAL_REVIEW') continue;
    const meetingDay = localDate(m.startsAt, opts.zone);
    // "At least two weeks before": 14 calendar days (CW) before the meeting day.
    const circulateBy = addDays(meetingDay, -14);
    if (circulateBy < localDate(now, opts.zone)) continue;
    const askAt = zonedInstant(
      addWorkingDays(circulateBy, -opts.authorLeadWorkingDays, opts.holidays),
      '09:00',
      opts.zone,
    );
    const label = meetingKindLabels[m.kind] ?? 'Meeting';
    const who = m.studentLabel ? ` for ${m.studentLabel}` : '';
    const facts = [
      { label: 'Meeting', value: whenLabel(m.startsAt, opts.zone) },
      { label: 'Advice circulated by', value: dayLabel(circulateBy) },
      ...(m.studentLabel ? [{ label: 'Student', value: m.studentLabel }] : []),
    ];
    for (const staffId of m.attendeeStaffIds) {
      const organiser = staffId === m.organiserStaffId;
      out.push({
        dedupeKey: `report-due:${m.id}:${staffId}:${circulateBy}`,
        orgId: m.orgId,
        kind: 'report_due',
        subject: { type: 'meeting', id: m.id },
        recipientId: staffId,
        dueAt: organiser ? zonedInstant(circulateBy, '09:00', opts.zone) : askAt,
        respectQuietHours: true,
        message: {
          kind: 'report_due',
          audience: 'private',
          title: organiser
            ? `Circulate the advice for the ${label}${who} today`
            : `Your advice for the ${label}${who} is due by ${dayLabel(circulateBy)}`,
          text: 'Advice and information must be circulated at least two weeks before an annual review meeting (SEND Regulations 2014 reg 20(4)).',
          facts,
          actions: [
            { verb: 'done', label: organiser ? 'Circulated' : 'Sent', style: 'primary', args: {} },
            { verb: 'snooze', label: 'Snooze a day', style: 'default', args: { days: '1' } },
          ],
          subject: { type: 'meeting', id: m.id },
        },
      });
    }
  }
  return out;
}

/**
 * The earliest instant after `now` at which the planners above (planMeetingReminders, planReportNudges,
 * planNotesPrompts, and the calendar's replacement of a next-meeting reminder) could plan something else
 * for these meetings with the same inputs; null if never. Until then a planner that sees no change in its
 * inputs may skip the tick: re-planning would produce the same reminders. Keep in step with the planners'
 * uses of `now` (the test plans at instants before and at the result and compares).
 */
export function nextPlanChange(
  meetings: MeetingForReminders[],
  now: Date,
  opts: MeetingReminderOptions & { notesKinds: string[]; overdueWorkingDays: number },
): Date | null {
  const t = now.getTime();
  let next = Number.POSITIVE_INFINITY;
  const at = (ms: number) => {
    if (ms > t && ms < next) next = ms;
  };
  const today = localDate(now, opts.zone);
  for (const m of meetings) {
    if (m.cancelled) continue;
    // planMeetingReminders: nothing once the meeting has started; a lead time drops out after its grace.
    if (m.startsAt.getTime() > t) {
      at(m.startsAt.getTime());
      for (const lead of opts.leadTimes) at(reminderTime(m.startsAt, lead, opts).getTime() + LATE_GRACE_MS);
    }
    // planReportNudges: nothing once the local day after the circulation date has begun.
    if (m.kind === 'EHCP_ANNUAL_REVIEW') {
      const circulateBy = addDays(localDate(m.startsAt, opts.zone), -14);
      if (circulateBy >= today) at(zonedInstant(addDays(circulateBy, 1), '00:00', opts.zone).getTime());
    }
    // planNotesPrompts: the prompt gives way to the overdue nudge once the notes are overdue.
    if (!m.notesSubmitted && opts.notesKinds.includes(m.kind) && noteTakerOf(m)) {
      const ends = m.endsAt ?? m.startsAt;
      const overdueDay = addWorkingDays(localDate(ends, opts.zone), opts.overdueWorkingDays, opts.holidays);
      at(zonedInstant(overdueDay, localTime(ends, opts.zone), opts.zone).getTime());
    }
  }
  return Number.isFinite(next) ? new Date(next) : null;
}
