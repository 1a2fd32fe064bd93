/**
 * Who a submitted TAC note's summary goes to, and so who may read it besides the roles with a right to it
 * (core/access/policy.ts canViewTacNote: the SENDCo; the safeguarding leads for safeguarding notes): the
 * staff the note records as attending (matched by name or e-mail in the form's "attendees" text), the
 * note-taker, the owners of its actions, and the named officers of the child's open cases. A calendar
 * invitee the note does not record as attending gets no summary and may not read it (UK GDPR Art. 5(1)(c),
 * data minimisation); they are told who can share it (tacReadRefusal). Pure functions.
 */

export interface StaffForMatch {
  id: string;
  displayName: string;
  email: string;
}

const norm = (s: string) =>
  s
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-z0-9@.'+-]+/g, ' ')
    .trim();

/**
 * The staff a free-text attendee list names: one entry a line, or separated by ";" or ",". An entry names
 * a member of staff when it holds their e-mail, or their full display name as whole words ("Priya Shah
 * SENDCo"). An entry naming two members of staff equally (two people of one name) names neither: a
 * summary is not sent on a guess.
 */
export function recordedAttendeeIds(attendees: string, staff: readonly StaffForMatch[]): string[] {
  const out = new Set<string>();
  const people = staff
    .map((s) => ({ id: s.id, name: norm(s.displayName), email: s.email.toLowerCase() }))
    .filter((s) => s.name.length > 0);
  for (const raw of attendees.split(/[\n;,]+/)) {
    const entry = ` ${norm(raw)} `;
    if (entry.trim() === '') continue;
    const byEmail = people.filter((s) => s.email && entry.includes(` ${s.email} `));
    const byName = people.filter((s) => s.name.includes(' ') && entry.includes(` ${s.name} `));
    const hits = byEmail.length ? byEmail : byName;
    if (hits.length === 1) out.add(hits[0]!.id);
  }
  return [...out];
}

/**
 * The note's recipients: the recorded attendees, the note-taker, the action owners in the hub and the
 * named officers of the child's open cases, once each, in that order.
 */
export function tacNoteRecipients(r: {
  recordedAttendeeIds: readonly string[];
  noteTakerId: string;
  actionOwnerIds: readonly (string | null)[];
  caseOfficerIds: readonly (string | null)[];
}): string[] {
  const ids = [...r.recordedAttendeeIds, r.noteTakerId, ...r.actionOwnerIds, ...r.caseOfficerIds];
  return [...new Set(ids.filter((id): id is string => !!id))];
}

/**
 * Why a member of staff may not read a note, in words they can act on. A calendar invitee the notes record
 * as absent is told so, and who can share what they need (the note-taker, or the SENDCo, who may export
 * the notes); anyone else gets the usual refusal.
 */
export function tacReadRefusal(
  actorId: string,
  facts: { invitedIds: readonly string[]; noteTakerName: string },
  what: 'read' | 'export' = 'read',
): { title: string; text?: string } {
  if (!facts.invitedIds.includes(actorId))
    return { title: `Sorry, your role does not allow you to ${what} these notes.` };
  return {
    title: `You cannot ${what} these notes: they record you as absent from the meeting.`,
    text:
      "You were invited, but TAC notes are for the people who attended, the owners of their actions and the child's case officers. " +
      `Ask ${facts.noteTakerName}, who took the notes, or the SENDCo to share what you need.`,
  };
}

/** The audit's word for a refused read: 'recorded_absent' (invited, not recorded as attending) or 'no_part'. */
export const refusalReason = (actorId: string, facts: { invitedIds: readonly string[] }) =>
  facts.invitedIds.includes(actorId) ? 'recorded_absent' : 'no_part';
