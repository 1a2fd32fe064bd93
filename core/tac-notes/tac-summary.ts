/**
 * What a submitted TAC note becomes: a private summary for the staff who attended, a document for people
 * outside the hub (parents, external professionals), and the nudges for its actions. Pure functions.
 *
 * Minimisation (docs/data-protection.md §5): the summary goes 1:1 (audience 'private') and names the child by
 * initials and year group only. When consent to share was refused (§3A "Consent"; Information Sharing
 * Advice 2024, §3B), staff get the plan (actions, next meeting) but not the narrative sections.
 */
import { addWorkingDays, type HolidaySet } from '../calendar/working-days.ts';
import { zonedInstant } from '../calendar/zoned-time.ts';
import type { OutgoingMessageInput } from '../messages/outgoing-message.ts';
import type { ReminderSpec } from '../reminders/reminder.ts';
import { consentOptions, type TacNoteContent } from './tac-form.ts';

export interface TacActionView {
  id: string;
  what: string;
  ownerId: string | null;
  ownerName: string | null;
  /** Display name of the owner (staff display name, or the free-text name). */
  ownerLabel: string;
  dueOn: string;
  status: string;
}

export interface TacNoteView {
  id: string;
  orgId: string;
  meetingId: string | null;
  meetingKindLabel: string;
  /** Local date of the meeting, YYYY-MM-DD. */
  meetingOn: string;
  studentLabel: string;
  noteTakerName: string;
  version: number;
  content: TacNoteContent;
  actions: TacActionView[];
}

const consentLabel = (c: string) => consentOptions.find((o) => o.value === c)?.label ?? c;
const lines = (s: string) =>
  s
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);

export function actionLine(a: TacActionView): string {
  return `${a.what} (owner: ${a.ownerLabel}; due ${a.dueOn}${a.status === 'DONE' ? '; done' : ''})`;
}

export function tacSummaryMessage(n: TacNoteView): OutgoingMessageInput {
  const shareNarrative = n.content.consent !== 'refused';
  return {
    kind: 'tac_summary',
    audience: 'private',
    title: `${n.meetingKindLabel} notes for ${n.studentLabel}: ${n.meetingOn}${n.version > 1 ? ` (amended, v${n.version})` : ''}`,
    text: shareNarrative
      ? 'Summary of the notes. Please keep it to yourself: it is not for channels or email.'
      : 'Consent to share was refused: only the plan is shared. The full notes are held by the note-taker.',
    facts: [
      { label: 'Note-taker', value: n.noteTakerName },
      { label: 'Consent', value: consentLabel(n.content.consent) },
      { label: 'Next meeting', value: n.content.nextMeetingOn || 'not set' },
    ],
    sections: [
      ...(shareNarrative
        ? [
            { heading: 'Attended', lines: lines(n.content.attendees) },
            ...(n.content.apologies ? [{ heading: 'Apologies', lines: lines(n.content.apologies) }] : []),
            { heading: "Child's voice", lines: lines(n.content.childVoice) },
            { heading: 'What is working well', lines: lines(n.content.workingWell) },
            { heading: 'Worries', lines: lines(n.content.worries) },
          ]
        : []),
      {
        heading: 'Actions',
        lines: n.actions.length ? n.actions.map(actionLine) : ['No actions agreed.'],
      },
    ],
    subject: { type: 'tac_note', id: n.id },
  };
}

/**
 * The document for people outside the hub. `studentName` is given only by the export command (an
 * access-checked, audited request by someone entitled to see the record); the chat summary never has it.
 */
export function tacNoteMarkdown(n: TacNoteView, studentName: string, exportedAt: string): string {
  const para = (s: string) => (s.trim() ? s.trim() : '_None recorded._');
  const out = [
    `# ${n.meetingKindLabel}: notes`,
    '',
    `- **Child or young person:** ${studentName}`,
    `- **Meeting date:** ${n.meetingOn}`,
    `- **Note-taker:** ${n.noteTakerName}`,
    `- **Version:** ${n.version}`,
    `- **Consent for sharing:** ${consentLabel(n.content.consent)}`,
    ...(n.content.consentReason ? [`- **Reason recorded:** ${n.content.consentReason}`] : []),
    '',
    '## Attendees',
    '',
    para(n.content.attendees),
    '',
    '## Apologies',
    '',
    para(n.content.apologies),
    '',
    "## The child or young person's voice",
    '',
    para(n.content.childVoice),
    '',
    '## What is working well',
    '',
    para(n.content.workingWell),
    '',
    '## Worries',
    '',
    para(n.content.worries),
    '',
    '## Actions',
    '',
    ...(n.actions.length
      ? [
          '| What | Owner | Due | Status |',
          '|---|---|---|---|',
          ...n.actions.map(
            (a) =>
              `| ${a.what.replaceAll('|', '/')} | ${a.ownerLabel.replaceAll('|', '/')} | ${a.dueOn} | ${a.status.toLowerCase()} |`,
          ),
        ]
      : ['_No actions agreed._']),
    '',
    '## Next meeting',
    '',
    n.content.nextMeetingOn || '_Not set._',
    '',
    `_Exported ${exportedAt}. Official-sensitive: share only with those who have a role in supporting the child._`,
    '',
  ];
  return out.join('\n');
}

/** Each action owned by a member of staff becomes nudges: one now ("you have a new action"), one before it is due. */
export function actionNudgeSpecs(
  n: Pick<TacNoteView, 'orgId' | 'studentLabel' | 'meetingKindLabel' | 'meetingOn'>,
  actions: TacActionView[],
  opts: { now: Date; zone: string; holidays: HolidaySet },
): ReminderSpec[] {
  const out: ReminderSpec[] = [];
  for (const a of actions) {
    if (!a.ownerId || a.status !== 'OPEN') continue;
    // The nudge text stays in the reminder row (unencrypted): no note text, only the plan's facts.
    const msg = (when: string): OutgoingMessageInput => ({
      kind: 'action_nudge',
      audience: 'private',
      title: `${when}: your action from the ${n.meetingKindLabel} for ${n.studentLabel} is due ${a.dueOn}`,
      text: `Agreed at the meeting on ${n.meetingOn}. Type \`tac actions\` to read your open actions.`,
      facts: [
        { label: 'Due', value: a.dueOn },
        { label: 'Student', value: n.studentLabel },
      ],
      actions: [
        { verb: 'done', label: 'Done', style: 'primary', args: {} },
        { verb: 'snooze', label: 'Snooze a day', style: 'default', args: { days: '1' } },
      ],
      subject: { type: 'tac_action', id: a.id },
    });
    out.push({
      dedupeKey: `tac-action:${a.id}:assigned:${a.ownerId}`,
      orgId: n.orgId,
      kind: 'action_nudge',
      subject: { type: 'tac_action', id: a.id },
      recipientId: a.ownerId,
      dueAt: opts.now,
      message: msg('New action'),
      respectQuietHours: true,
    });
    // The working day before it is due, at 09:00 local time.
    const before = zonedInstant(addWorkingDays(a.dueOn, -1, opts.holidays), '09:00', opts.zone);
    if (before > opts.now) {
      out.push({
        dedupeKey: `tac-action:${a.id}:due:${a.ownerId}`,
        orgId: n.orgId,
        kind: 'action_nudge',
        subject: { type: 'tac_action', id: a.id },
        recipientId: a.ownerId,
        dueAt: before,
        message: msg('Due tomorrow'),
        respectQuietHours: true,
      });
    }
  }
  return out;
}

/** When the next meeting agreed in the notes is reminded: 2 working days before it, 09:00 local time. */
export const nextMeetingReminderAt = (on: string, zone: string, holidays: HolidaySet): Date =>
  zonedInstant(addWorkingDays(on, -2, holidays), '09:00', zone);

/**
 * The next meeting date agreed in the notes: reminded to each staff attendee 2 working days before, 09:00
 * (withdrawn by the meeting planner if the meeting appears in the calendar, which then reminds it).
 */
export function nextMeetingSpecs(
  n: Pick<TacNoteView, 'id' | 'orgId' | 'studentLabel' | 'meetingKindLabel' | 'content'>,
  staffIds: string[],
  opts: { now: Date; zone: string; holidays: HolidaySet },
): ReminderSpec[] {
  const on = n.content.nextMeetingOn;
  if (!on) return [];
  const dueAt = nextMeetingReminderAt(on, opts.zone, opts.holidays);
  if (dueAt <= opts.now) return [];
  return staffIds.map((staffId) => ({
    dedupeKey: `tac-next:${n.id}:${staffId}`,
    orgId: n.orgId,
    kind: 'meeting_reminder',
    subject: { type: 'tac_note', id: n.id },
    recipientId: staffId,
    dueAt,
    message: {
      kind: 'meeting_reminder',
      audience: 'private',
      title: `Next ${n.meetingKindLabel} for ${n.studentLabel}: ${on}`,
      text: 'Agreed at the last meeting. Check it is in your calendar and bring updates on your actions.',
      facts: [
        { label: 'Date', value: on },
        { label: 'Student', value: n.studentLabel },
      ],
      actions: [{ verb: 'done', label: 'Got it', style: 'primary', args: {} }],
      subject: { type: 'tac_note', id: n.id },
    },
  }));
}
