/**
 * A submitted TAC note's recipients (core/tac-notes/tac-recipients.ts), read from the stores: the active
 * staff the note records as attending, the note-taker, the owners of its actions and the named officers of
 * the child's open cases. They get the private summary and may read and export the note
 * (core/access/policy.ts canViewTacNote).
 */
import { recordedAttendeeIds, tacNoteRecipients } from '../../core/tac-notes/tac-recipients.ts';
import type { TacMeetingRepository } from '../../store/tac-meeting-repository.ts';
import type { StoredNote } from '../../store/tac-note-repository.ts';
import type { Hub } from '../container.ts';

export async function tacRecipientIds(
  hub: Hub,
  meetings: TacMeetingRepository,
  note: StoredNote,
): Promise<string[]> {
  const [staff, officers] = await Promise.all([
    hub.staff.all(note.orgId),
    meetings.caseOfficerIds(note.orgId, note.studentId),
  ]);
  const active = staff.filter((s) => s.active);
  return tacNoteRecipients({
    recordedAttendeeIds: recordedAttendeeIds(note.content?.attendees ?? '', active),
    noteTakerId: note.noteTakerId,
    actionOwnerIds: note.actions.map((a) => a.ownerId),
    caseOfficerIds: officers,
  });
}
