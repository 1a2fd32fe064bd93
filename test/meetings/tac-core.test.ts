/** The pure parts of issue 8: the form's validation, the summary's minimisation, and the planners' dates. */
import { describe, expect, it } from 'vitest';
import type { HolidaySet } from '../../core/calendar/working-days.ts';
import {
  type MeetingForReminders,
  parseLeadTime,
  planMeetingReminders,
  planNotesPrompts,
  planReportNudges,
} from '../../core/reminders/plan-meeting-reminders.ts';
import { parseTacSubmission, tacFormSpec } from '../../core/tac-notes/tac-form.ts';
import { actionNudgeSpecs, tacSummaryMessage } from '../../core/tac-notes/tac-summary.ts';

const holidays: HolidaySet = { has: (d) => ['2026-12-25', '2026-12-28', '2027-01-01'].includes(d) };
const zone = 'Europe/London';
const opts = { leadTimes: ['2wd', '1h'].map(parseLeadTime), zone, holidays };

const meeting = (over: Partial<MeetingForReminders> = {}): MeetingForReminders => ({
  id: 'm1',
  orgId: 'o1',
  kind: 'TAC',
  startsAt: new Date('2026-12-29T10:00:00Z'),
  endsAt: new Date('2026-12-29T11:00:00Z'),
  joinUrl: null,
  studentLabel: 'A.B. (Y7)',
  attendeeStaffIds: ['s1', 's2'],
  cancelled: false,
  organiserStaffId: 's1',
  noteTakerId: null,
  notesSubmitted: false,
  ...over,
});

const good = {
  attendees: 'A, B',
  childVoice: 'Views',
  workingWell: 'Good',
  worries: 'None',
  consent: 'given',
};

describe('the TAC form', () => {
  it('is one channel-neutral spec with repeatable action rows and drafts', () => {
    const spec = tacFormSpec({ meetingId: 'm1', title: 'TAC notes' });
    expect(spec.allowDraft).toBe(true);
    expect(spec.context).toEqual({ meetingId: 'm1' });
    expect(spec.fields.filter((f) => /^actions\.\d+\.what$/.test(f.id))).toHaveLength(6);
    expect(spec.fields.find((f) => f.id === 'consent')?.options?.map((o) => o.value)).toEqual([
      'given',
      'refused',
      'not_required_risk',
    ]);
  });

  it('names the failing fields, row by row, and ignores empty rows', () => {
    const r = parseTacSubmission({
      ...good,
      worries: ' ',
      'actions.0.what': 'Refer',
      'actions.0.owner': 'ken@school.example',
      'actions.0.due': '2026-13-01',
      'actions.2.what': 'Ask',
      'actions.2.due': '2026-12-01',
      nextMeetingOn: 'next week',
    });
    expect(r).toEqual({
      ok: false,
      errors: {
        worries: 'record the worries (or "none")',
        'actions.0.due': 'a date as YYYY-MM-DD',
        'actions.2.owner': 'say who will do it',
        nextMeetingOn: 'a date as YYYY-MM-DD',
      },
    });
    const ok = parseTacSubmission({
      ...good,
      'actions.1.what': 'Ask',
      'actions.1.ownerOther': 'Parent',
      'actions.1.due': '2026-12-01',
    });
    expect(ok.ok && ok.content.actions).toEqual([{ what: 'Ask', owner: 'Parent', due: '2026-12-01' }]);
    // A colleague and an owner outside the hub on one action: both kept, never one dropped.
    const both = parseTacSubmission({
      ...good,
      'actions.0.what': 'Ask',
      'actions.0.owner': 'ken@school.example',
      'actions.0.ownerOther': 'Social worker (CSC)',
      'actions.0.due': '2026-12-01',
    });
    expect(both.ok && both.content.actions).toEqual([
      { what: 'Ask', owner: 'ken@school.example', ownerOther: 'Social worker (CSC)', due: '2026-12-01' },
    ]);
  });

  it('sharing without consent needs the reason recorded (Information Sharing Advice 2024)', () => {
    expect(parseTacSubmission({ ...good, consent: 'not_required_risk' })).toEqual({
      ok: false,
      errors: { consentReason: 'record why information is shared without consent' },
    });
    expect(
      parseTacSubmission({ ...good, consent: 'not_required_risk', consentReason: 'Risk of harm' }).ok,
    ).toBe(true);
  });
});

describe('the summary', () => {
  const view = (consent: 'given' | 'refused') => ({
    id: 'n1',
    orgId: 'o1',
    meetingId: 'm1',
    meetingKindLabel: 'Team Around the Child meeting',
    meetingOn: '2026-11-30',
    studentLabel: 'A.B. (Y7)',
    noteTakerName: 'Olive',
    version: 1,
    content: {
      ...good,
      consent,
      apologies: '',
      actions: [],
      nextMeetingOn: '',
      consentReason: '',
      childVoice: 'Secret words',
    },
    actions: [
      {
        id: 'a1',
        what: 'Refer',
        ownerId: 's2',
        ownerName: null,
        ownerLabel: 'Ken',
        dueOn: '2026-12-10',
        status: 'OPEN',
      },
    ],
  });

  it('is private, initials only, and leaves out the narrative when consent was refused', () => {
    const given = tacSummaryMessage(view('given'));
    expect(given.audience).toBe('private');
    expect(JSON.stringify(given)).toContain('Secret words');
    const refused = tacSummaryMessage(view('refused'));
    expect(JSON.stringify(refused)).not.toContain('Secret words');
    expect(refused.sections?.map((s) => s.heading)).toEqual(['Actions']);
  });

  it('nudges owners in the hub now and the working day before the due date; not people outside it', () => {
    const v = view('given');
    const specs = actionNudgeSpecs(
      v,
      [
        { ...v.actions[0]!, dueOn: '2026-12-29' },
        {
          id: 'a2',
          what: 'Course',
          ownerId: null,
          ownerName: 'Parent',
          ownerLabel: 'Parent',
          dueOn: '2027-01-08',
          status: 'OPEN',
        },
      ],
      { now: new Date('2026-11-30T12:00:00Z'), zone, holidays },
    );
    // Tue 29 Dec: the working day before is Thu 24 Dec (25 and 28 Dec are bank holidays).
    expect(specs.map((s) => [s.recipientId, s.dueAt.toISOString(), s.respectQuietHours])).toEqual([
      ['s2', '2026-11-30T12:00:00.000Z', true],
      ['s2', '2026-12-24T09:00:00.000Z', true],
    ]);
  });
});

describe('the meeting planner', () => {
  const now = new Date('2026-12-01T09:00:00Z');

  it('reminds staff attendees 2 working days (over Christmas) and 1 hour before; a cancelled meeting nobody', () => {
    const specs = planMeetingReminders([meeting()], now, opts);
    // Tue 29 Dec 10:00: the working days before are Thu 24 and Wed 23 Dec (25 and 28 Dec are bank holidays).
    expect(specs.map((s) => [s.recipientId, s.dueAt.toISOString()])).toEqual([
      ['s1', '2026-12-23T10:00:00.000Z'],
      ['s2', '2026-12-23T10:00:00.000Z'],
      ['s1', '2026-12-29T09:00:00.000Z'],
      ['s2', '2026-12-29T09:00:00.000Z'],
    ]);
    expect(planMeetingReminders([meeting({ cancelled: true })], now, opts)).toEqual([]);
  });

  it('prompts the note-taker after a notes meeting, nudges 2 working days later, and stops once submitted', () => {
    const o = { ...opts, notesKinds: ['TAC'], overdueWorkingDays: 2 };
    const specs = planNotesPrompts([meeting({ noteTakerId: 's2' })], now, o);
    expect(specs.map((s) => [s.kind, s.recipientId, s.dueAt.toISOString()])).toEqual([
      ['notes_prompt', 's2', '2026-12-29T11:00:00.000Z'],
      ['notes_overdue', 's2', '2026-12-31T11:00:00.000Z'],
    ]);
    expect(planNotesPrompts([meeting({ notesSubmitted: true })], now, o)).toEqual([]);
    expect(planNotesPrompts([meeting({ kind: 'PEP' })], now, o)).toEqual([]);
    expect(planNotesPrompts([meeting({ cancelled: true })], now, o)).toEqual([]);
    // Past the overdue time (a note-taker named late): one message, the nudge.
    const late = planNotesPrompts([meeting()], new Date('2027-01-05T09:00:00Z'), o);
    expect(late.map((s) => s.kind)).toEqual(['notes_overdue']);
  });

  it('asks for annual review advice before the two-week deadline, and not once it has passed', () => {
    const ar = meeting({ kind: 'EHCP_ANNUAL_REVIEW', startsAt: new Date('2027-01-20T10:00:00Z') });
    const o = { ...opts, authorLeadWorkingDays: 5 };
    const specs = planReportNudges([ar], now, o);
    expect(specs.map((s) => [s.recipientId, s.dueAt.toISOString()])).toEqual([
      ['s1', '2027-01-06T09:00:00.000Z'],
      ['s2', '2026-12-29T09:00:00.000Z'],
    ]);
    expect(planReportNudges([ar], new Date('2027-01-07T09:00:00Z'), o)).toEqual([]);
    expect(planReportNudges([meeting()], now, o)).toEqual([]);
  });
});
