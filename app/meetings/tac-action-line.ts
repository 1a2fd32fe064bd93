/**
 * One line of `tac actions` (issue 14 point 3): the action, its due date, the child by initials and year
 * group (docs/data-protection.md §5), the meeting by type and date, and the note id for `tac show`.
 */
import type { IsoDate } from '../../core/calendar/iso-date.ts';
import { formatDate } from '../../core/deadlines/nudges.ts';
import { meetingKindLabels } from '../../core/reminders/plan-meeting-reminders.ts';
import { studentLabel } from '../../core/students/student-label.ts';
import type { Hub } from '../container.ts';

export function tacActionLine(
  a: {
    what: string;
    dueOn: string;
    noteId: string;
    student: { givenName: string; familyName: string; yearGroup: string | null };
    meeting: { kind: string; startsAt: Date } | null;
  },
  hub: Hub,
): string {
  const day = (d: Date) =>
    new Intl.DateTimeFormat('en-GB', {
      timeZone: hub.config.env.TIME_ZONE,
      weekday: 'short',
      day: 'numeric',
      month: 'short',
      year: 'numeric',
    })
      .format(d)
      .replace(',', '');
  const meeting = a.meeting
    ? `${meetingKindLabels[a.meeting.kind] ?? 'Meeting'} ${day(a.meeting.startsAt)}`
    : 'notes without a meeting';
  return `${a.what} · due ${formatDate(a.dueOn as IsoDate)} · ${studentLabel(a.student)} · ${meeting} [note ${a.noteId}]`;
}
