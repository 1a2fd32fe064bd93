/**
 * Who a submitted TAC note's summary goes to, and who may read it besides the SENDCo, the note-taker and
 * the key worker (core/access/policy.ts canViewTacNote): the staff the note records as attending (matched
 * by name or e-mail in the form's "attendees" text), the owners of its actions, and the named officer of
 * the child's open cases. A calendar invitee the note does not record as attending gets no summary (UK
 * GDPR Art. 5(1)(c), data minimisation). Pure functions.
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
