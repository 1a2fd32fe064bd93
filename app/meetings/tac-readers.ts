/**
 * A submitted TAC note's recipients (core/tac-notes/tac-recipients.ts), read from the stores: the active
 * staff the note records as attending, the note-taker, the owners of its actions and the named officers of
 * the child's open cases. They get the private summary and may read and export the note; so may the roles
 * with a right to it (core/access/policy.ts canViewTacNote: the SENDCo; the safeguarding leads when the
 * notes are safeguarding information). Every read path (`tac show`, `tac history`, `send-hub tac export`)
 * checks `tacReadFacts`.
 */
import { isRestrictedCaseKind } from '../../core/access/policy.ts';
import { recordedAttendeeIds, tacNoteRecipients } from '../../core/tac-notes/tac-recipients.ts';
import type { MeetingFacts, TacMeetingRepository } from '../../store/tac-meeting-repository.ts';
import type { StoredNote } from '../../store/tac-note-repository.ts';
import type { Hub } from '../container.ts';

async function readers(hub: Hub, meetings: TacMeetingRepository, note: StoredNote) {
  const [staff, cases] = await Promise.all([
    hub.staff.all(note.orgId),
    meetings.openCases(note.orgId, note.studentId),
  ]);
  const active = staff.filter((s) => s.active);
  const recipientIds = tacNoteRecipients({
    recordedAttendeeIds: recordedAttendeeIds(note.content?.attendees ?? '', active),
    noteTakerId: note.noteTakerId,
    actionOwnerIds: note.actions.map((a) => a.ownerId),
    caseOfficerIds: cases.officerIds,
  });
  return { recipientIds, caseKinds: cases.kinds };
}

export async function tacRecipientIds(
  hub: Hub,
  meetings: TacMeetingRepository,
  note: StoredNote,
): Promise<string[]> {
  return (await readers(hub, meetings, note)).recipientIds;
}

/** What canViewTacNote reads, and whom the calendar invited (to tell an absent invitee why not). */
export async function tacReadFacts(
  hub: Hub,
  meetings: TacMeetingRepository,
  note: StoredNote,
  meeting: MeetingFacts | null,
) {
  const r = await readers(hub, meetings, note);
  return {
    orgId: note.orgId,
    noteTakerId: note.noteTakerId,
    noteTakerName: note.noteTakerName,
    recipientIds: r.recipientIds,
    safeguarding:
      r.caseKinds.some(isRestrictedCaseKind) ||
      meeting?.kind === 'CP_CONFERENCE' ||
      note.content?.consent === 'not_required_risk',
    invitedIds: meeting?.attendeeStaffIds ?? [],
  };
}
