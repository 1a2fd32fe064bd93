/**
 * One sample of every card the Teams bot produces, built through the same functions as production
 * (messageCard, formCard, resolvedCard) and, where the feature modules are in, from their own message
 * builders and FormSpecs (safeguarding escalation / channel notice / concern form, TAC notes form).
 * Used by the renderer test and `npm run cards:preview`. Fictional data; channel samples carry initials
 * and year group only.
 */
import { concernFormSpec } from '../../app/safeguarding/concern-form.ts';
import { type Card, formCard, messageCard, resolvedCard } from '../../bots/teams/cards.ts';
import { channelNotice, escalationMessage, handledMessage } from '../../core/escalations/concern-messages.ts';
import type { FormSpec } from '../../core/forms/form-spec.ts';
import { message } from '../../core/messages/outgoing-message.ts';
import { tacFormSpec } from '../../core/tac-notes/tac-form.ts';

const concern = {
  id: 'cmconcern000001',
  studentLabel: 'C.D. (Y9)',
  category: 'Neglect',
  immediateRisk: false,
  raisedAt: '10:17',
};

const tacForm: FormSpec = {
  formId: 'tac_notes',
  title: 'TAC meeting notes: A.B. (Y7)',
  submitLabel: 'Save notes',
  context: { meetingId: 'm1' },
  allowDraft: true,
  fields: [
    { id: 'attendees', label: 'Who attended', kind: 'text', required: true },
    {
      id: 'summary',
      label: 'Summary',
      kind: 'multiline',
      required: true,
      maxLength: 4000,
      hint: 'Facts, not opinions.',
    },
    { id: 'nextMeeting', label: 'Next meeting', kind: 'datetime', required: true },
    { id: 'actions.0.what', label: 'Action', kind: 'text', required: false },
    { id: 'actions.0.owner', label: 'Owner', kind: 'staff', required: false },
    { id: 'actions.0.due', label: 'Due', kind: 'date', required: false },
    { id: 'actions.1.what', label: 'Action', kind: 'text', required: false },
    { id: 'actions.1.owner', label: 'Owner', kind: 'staff', required: false },
    { id: 'actions.1.due', label: 'Due', kind: 'date', required: false },
    { id: 'consent', label: 'Family consented to sharing', kind: 'boolean', required: false },
  ],
};

const concernForm: FormSpec = {
  formId: 'concern',
  title: 'Raise a safeguarding concern',
  submitLabel: 'Send to the DSL',
  context: {},
  allowDraft: false,
  fields: [
    { id: 'student', label: 'Pupil', kind: 'student', required: true },
    {
      id: 'category',
      label: 'Category',
      kind: 'select',
      required: true,
      options: [
        { value: 'neglect', label: 'Neglect' },
        { value: 'physical', label: 'Physical abuse' },
        { value: 'emotional', label: 'Emotional abuse' },
        { value: 'sexual', label: 'Sexual abuse' },
        { value: 'other', label: 'Other' },
      ],
    },
    { id: 'what', label: 'What did you see or hear?', kind: 'multiline', required: true },
    { id: 'when', label: 'When', kind: 'datetime', required: true },
    { id: 'immediateRisk', label: 'The child is at immediate risk', kind: 'boolean', required: false },
  ],
};

export function cardGallery(): Record<string, Card> {
  const realTac = tacFormSpec({
    meetingId: 'm1',
    title: 'TAC meeting notes: A.B. (Y7), Tue 8 Dec',
    staff: [
      { email: 'jo.smith@example.sch.uk', displayName: 'Jo Smith' },
      { email: 'dana.lead@example.sch.uk', displayName: 'Dana Lead' },
    ],
  });
  return {
    'safeguarding-escalation-real': messageCard(escalationMessage(concern, 1, false)),
    'safeguarding-handled': messageCard(handledMessage(concern, 'Dana Lead', '10:42')),
    'safeguarding-channel-notice': messageCard(channelNotice()),
    'concern-form-real': formCard(concernFormSpec({})),
    'tac-notes-form-real': formCard(realTac),
    'meeting-reminder': messageCard(
      message({
        kind: 'meeting_reminder',
        audience: 'private',
        title: 'Annual review for A.B. (Y7) on Tue 8 Dec at 10:00',
        text: 'Please send your *report* two weeks before the meeting.',
        facts: [
          { label: 'When', value: 'Tue 8 Dec 2026, 10:00' },
          { label: 'Where', value: 'Room 4' },
        ],
        subject: { type: 'reminder', id: 'r1' },
        actions: [
          { verb: 'done', label: 'Done', style: 'primary', args: { reminderId: 'r1' } },
          { verb: 'snooze', label: 'Remind me tomorrow', args: { reminderId: 'r1', days: '1' } },
        ],
        link: { label: 'Join the meeting', url: 'https://teams.microsoft.com/l/meetup-join/example' },
      }),
    ),
    'deadline-nudge': messageCard(
      message({
        kind: 'deadline_nudge',
        audience: 'private',
        title: 'Decision to assess due in 3 working days: A.B. (Y7)',
        text: 'The 6-week decision (SEND Regulations 2014, reg. 5(1)) is due on *Fri 27 Nov*.',
        facts: [
          { label: 'Due', value: 'Fri 27 Nov 2026' },
          { label: 'Case', value: 'EHC-2026-014' },
        ],
        subject: { type: 'deadline', id: 'd1' },
        actions: [
          { verb: 'done', label: 'Done', style: 'primary' },
          { verb: 'snooze', label: 'Snooze 2 days', args: { days: '2' } },
          { verb: 'reassign', label: 'Reassign' },
          { verb: 'pause', label: 'Paused (exception)' },
        ],
      }),
    ),
    'safeguarding-escalation': messageCard(
      message({
        kind: 'concern_escalation',
        audience: 'private',
        urgent: true,
        title: 'Safeguarding concern not yet acknowledged: C.D. (Y9)',
        text: 'Raised 25 minutes ago. Please acknowledge or take ownership.',
        facts: [{ label: 'Raised', value: '10:17' }],
        subject: { type: 'concern', id: 'c1' },
        actions: [
          { verb: 'acknowledge', label: 'Acknowledge', style: 'primary' },
          { verb: 'take_ownership', label: 'Take ownership' },
          { verb: 'escalate', label: 'Escalate', style: 'danger' },
        ],
      }),
    ),
    'escalation-acknowledged': resolvedCard(
      'Safeguarding concern not yet acknowledged: C.D. (Y9)',
      'Acknowledged by J. Smith at 10:42',
    ),
    'caseload-digest': messageCard(
      message({
        kind: 'digest',
        audience: 'private',
        title: 'Your caseload this week',
        sections: [
          { heading: 'Overdue', lines: ['A.B. (Y7): decision to assess (2 days)'] },
          {
            heading: 'Due this week',
            lines: ['E.F. (Y3): annual review report', 'G.H. (Y11): TAC meeting notes'],
          },
          { heading: 'Paused', lines: [] },
        ],
      }),
    ),
    'channel-notice': messageCard(
      message({
        kind: 'concern_channel_notice',
        audience: 'channel',
        title: 'A concern about a Y9 pupil is with the DSL',
        text: 'No action needed from this channel.',
      }),
    ),
    welcome: messageCard(
      message({
        kind: 'welcome',
        audience: 'private',
        title: 'Hello from SEND Hub',
        text: 'I will remind you of meetings and deadlines. Type *help* at any time.',
        sections: [
          { heading: 'Commands', lines: ['help - what I can do', 'due [days] - what is due for you'] },
        ],
      }),
    ),
    'tac-notes-form': formCard(tacForm),
    'tac-notes-form-errors': formCard(
      tacForm,
      { attendees: 'J. Smith, parent' },
      { summary: 'Write a short summary.' },
    ),
    'concern-form': formCard(concernForm),
  };
}
