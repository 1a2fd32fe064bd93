/** core/tac-notes/tac-recipients.ts: matching the recorded attendees to staff, and the recipients. */
import { describe, expect, it } from 'vitest';
import { recordedAttendeeIds, tacNoteRecipients } from '../../core/tac-notes/tac-recipients.ts';

const staff = [
  { id: 'p', displayName: 'Priya Shah', email: 'sendco@elmfield.example' },
  { id: 's', displayName: 'Sian Pryce', email: 's.pryce@hhts.example' },
  { id: 'e', displayName: 'Ellie Marsh', email: 'e.marsh@elmfield.example' },
  { id: 'a1', displayName: 'Alex Kay', email: 'alex1@elmfield.example' },
  { id: 'a2', displayName: 'Alex Kay', email: 'alex2@elmfield.example' },
  { id: 'm', displayName: 'Mum', email: 'mum@elmfield.example' },
];

describe('recordedAttendeeIds', () => {
  it('matches a full name as whole words, or an e-mail, one entry per line or ";" or ","', () => {
    expect(recordedAttendeeIds('Priya Shah SENDCo; Sian Pryce ECC HHTS; Mum', staff)).toEqual(['p', 's']);
    expect(recordedAttendeeIds('priya shah\ne.marsh@elmfield.example', staff)).toEqual(['p', 'e']);
  });
  it('names nobody on a guess: a part of a name, a one-word name, two people of one name', () => {
    expect(recordedAttendeeIds('Priya; Marsh; Sian Pryces', staff)).toEqual([]);
    expect(recordedAttendeeIds('Alex Kay', staff)).toEqual([]);
    expect(recordedAttendeeIds('alex2@elmfield.example (Alex Kay)', staff)).toEqual(['a2']);
  });
});

describe('tacNoteRecipients', () => {
  it('attendees, the note-taker, action owners and case officers, once each', () => {
    expect(
      tacNoteRecipients({
        recordedAttendeeIds: ['p', 's'],
        noteTakerId: 'p',
        actionOwnerIds: ['s', null, 'k'],
        caseOfficerIds: ['o', 's'],
      }),
    ).toEqual(['p', 's', 'k', 'o']);
  });
});
