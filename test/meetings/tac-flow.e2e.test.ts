/**
 * Issue 8 end to end, on the real ICS path (syncIcsFeed), the real scheduler and outbox, and the console
 * channel: a TAC meeting in the feed → reminders at the right times → after the meeting the note-taker is
 * prompted → opens the form from the button, saves a draft, submits → actions become nudges for their
 * owners → the summary reaches the staff who attended → the next meeting is reminded.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DeadlineService } from '../../app/deadlines/service.ts';
import { syncIcsFeed } from '../../app/imports/sync-ics-feed.ts';
import { buildIcs } from '../integrations/support/ics-builder.ts';
import { providers } from '../support/db.ts';
import { capturedLogLines, startTestHub, type TestHub } from '../support/hub.ts';
import { type School, seedSchool, shown, UPN } from './support.ts';

const tac = (over: Partial<Parameters<typeof buildIcs>[0][number]> = {}) => ({
  uid: 'tac-1@school.example',
  summary: `TAC meeting ${UPN}`,
  start: '20261130T100000',
  end: '20261130T110000',
  organizer: 'olive@school.example',
  attendees: ['olive@school.example', 'ken@school.example', 'parent@home.example'],
  url: 'https://teams.example/meet/tac-1',
  ...over,
});
const nextTac = {
  ...tac(),
  uid: 'tac-2@school.example',
  summary: `TAC review ${UPN}`,
  start: '20270111T100000',
  end: '20270111T110000',
  url: 'https://teams.example/meet/tac-2',
};

const fullNotes = (olive: string, ken: string): Record<string, string> => ({
  attendees: 'Olive Organiser (SENDCo)\nKen Keyworker (key worker)\nParent',
  apologies: 'School nurse',
  childVoice: 'Says lunchtimes are noisy and she likes art club.',
  workingWell: 'Attendance up to 96%.',
  worries: 'Anxiety before PE.',
  'actions.0.what': 'Ask the school nurse about a health plan',
  'actions.0.owner': ken,
  'actions.0.due': '2026-12-10',
  'actions.1.what': 'Share the reading plan with home',
  'actions.1.owner': olive,
  'actions.1.due': '2026-12-18',
  'actions.2.what': 'Try the parenting course',
  'actions.2.ownerOther': 'Parent',
  'actions.2.due': '2027-01-08',
  nextMeetingOn: '2027-01-11',
  consent: 'given',
});

describe.each(providers)('TAC meeting flow on %s', (provider) => {
  let t: TestHub;
  let s: School;

  beforeEach(async () => {
    t = await startTestHub(provider, { now: '2026-11-24T09:00:00Z' });
    s = await seedSchool(t.hub);
  });
  afterEach(async () => {
    await t.close();
  });

  const at = async (iso: string) => {
    t.clock.set(iso);
    await t.tickAndDeliver();
  };

  it('reminds before, prompts after, turns submitted notes into nudges, a summary and the next reminder', async () => {
    const db = t.hub.dbh.db;
    // An EHC needs assessment opened through the deadline engine (issue 3): its open deadlines falling
    // before a meeting are carried (rule name and date, nothing about the child) in that meeting's reminders.
    const deadlines = t.hub.services.get('deadlines') as DeadlineService;
    const kase = await deadlines.openCase({
      orgId: s.orgId,
      studentId: s.studentId,
      kind: 'EHC_NEEDS_ASSESSMENT',
      startDate: '2026-10-05',
      ownerId: s.olive.staffId,
    });
    const { rulePack } = await db.case.findUniqueOrThrow({ where: { id: kase.caseId } });
    const deadlineLine = (d: { ruleId: string; dueOn: string }) =>
      `Case deadline (ehc needs assessment): ${deadlines.ruleFor('EHC_NEEDS_ASSESSMENT', rulePack, d.ruleId)?.name ?? d.ruleId}, due ${d.dueOn}`;
    const deadlinesBy = (day: string) =>
      kase.deadlines.filter((d) => d.status === 'OPEN' && d.dueOn <= day).map(deadlineLine);
    expect(deadlinesBy('2026-11-30')).toHaveLength(1);
    expect(deadlinesBy('2026-11-30')[0]).not.toContain(', E');

    const sync = await syncIcsFeed(t.hub, {
      orgId: s.orgId,
      source: 'sendco',
      text: buildIcs([tac()]),
    });
    expect(sync.meetings.created).toBe(1);
    const meeting = await db.meeting.findFirstOrThrow({ where: { externalId: 'tac-1@school.example' } });
    expect(meeting).toMatchObject({ kind: 'TAC', studentId: s.studentId });

    await at('2026-11-24T09:00:00Z');
    expect(shown(t, s.olive.staffId, 'meeting_reminder')).toHaveLength(0);

    // 2 working days before Mon 30 Nov 10:00 (GMT) is Thu 26 Nov 10:00, to the two attendees who are staff.
    await at('2026-11-26T09:59:00Z');
    expect(shown(t, s.olive.staffId, 'meeting_reminder')).toHaveLength(0);
    await at('2026-11-26T10:00:00Z');
    for (const who of [s.olive, s.ken]) {
      const [r] = shown(t, who.staffId, 'meeting_reminder');
      expect(r?.message.title).toMatch(/^Team Around the Child meeting for A\.B\. \(Y7\): Mon 30 Nov/);
      expect(r?.message.link?.url).toBe('https://teams.example/meet/tac-1');
      expect(r?.message.sections[0]?.lines).toEqual(deadlinesBy('2026-11-30'));
    }
    expect(shown(t, s.outsider.staffId)).toHaveLength(0);
    // One hour before.
    await at('2026-11-30T09:00:00Z');
    expect(shown(t, s.ken.staffId, 'meeting_reminder')).toHaveLength(2);
    expect(shown(t, s.olive.staffId, 'notes_prompt')).toHaveLength(0);

    // The meeting ends: the organiser (the default note-taker) is prompted privately, with the form button.
    await at('2026-11-30T11:00:00Z');
    const [prompt] = shown(t, s.olive.staffId, 'notes_prompt');
    expect(prompt?.message.actions.map((a) => a.verb)).toEqual(['open_notes_form']);
    expect(shown(t, s.ken.staffId, 'notes_prompt')).toHaveLength(0);

    // The button opens the form (what Teams, Slack and the console do with it).
    const act = prompt!.message.actions[0]!;
    const opened = await t.hub.actions.dispatch({
      actor: s.olive,
      via: 'CONSOLE',
      verb: act.verb,
      subject: prompt!.message.subject!,
      args: act.args,
    });
    const form = opened.form!;
    expect(form.formId).toBe('tac_notes');
    expect(form.allowDraft).toBe(true);
    expect(form.fields.map((f) => f.id)).toEqual(
      expect.arrayContaining([
        'attendees',
        'apologies',
        'childVoice',
        'workingWell',
        'worries',
        'actions.0.what',
        'actions.0.owner',
        'actions.0.due',
        'nextMeetingOn',
        'consent',
      ]),
    );

    // A draft, finished later through the `tac` command.
    const draft = await t.hub.forms.submit(
      s.olive,
      {
        formId: 'tac_notes',
        context: form.context,
        values: { attendees: 'Olive, Ken, Parent' },
        intent: 'draft',
      },
      'CONSOLE',
    );
    expect(draft).toMatchObject({ ok: true });
    const resumed = await t.hub.commands.run('tac', s.olive, 'CONSOLE');
    expect(resumed.kind).toBe('form');
    if (resumed.kind !== 'form') return;
    expect(resumed.form.fields.find((f) => f.id === 'attendees')?.initial).toBe('Olive, Ken, Parent');

    // Validation names the fields.
    const values = fullNotes('olive@school.example', 'ken@school.example');
    const bad = await t.hub.forms.submit(
      s.olive,
      {
        formId: 'tac_notes',
        context: resumed.form.context,
        values: { ...values, childVoice: '', 'actions.0.owner': 'nobody@school.example' },
        intent: 'submit',
      },
      'CONSOLE',
    );
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(Object.keys(bad.errors)).toEqual(['childVoice']);
    const badOwner = await t.hub.forms.submit(
      s.olive,
      {
        formId: 'tac_notes',
        context: resumed.form.context,
        values: { ...values, 'actions.0.owner': 'nobody@school.example' },
        intent: 'submit',
      },
      'CONSOLE',
    );
    expect(badOwner.ok).toBe(false);
    if (!badOwner.ok) expect(Object.keys(badOwner.errors)).toEqual(['actions.0.owner']);

    const ok = await t.hub.forms.submit(
      s.olive,
      { formId: 'tac_notes', context: resumed.form.context, values, intent: 'submit' },
      'CONSOLE',
    );
    expect(ok).toMatchObject({ ok: true });
    const note = await db.tacNote.findFirstOrThrow({ where: { meetingId: meeting.id } });
    expect(note.status).toBe('SUBMITTED');
    expect(note.contentEnc).not.toContain('lunchtimes');

    // Delivered: each owner in the hub gets a nudge with done/snooze; attendees who are staff get the summary.
    await t.tickAndDeliver();
    const [kenNudge] = shown(t, s.ken.staffId, 'action_nudge');
    expect(kenNudge?.message.title).toContain('due 2026-12-10');
    expect(kenNudge?.message.actions.map((a) => a.verb)).toEqual(['done', 'snooze']);
    expect(shown(t, s.olive.staffId, 'action_nudge')).toHaveLength(1);
    for (const who of [s.olive, s.ken]) {
      const [summary] = shown(t, who.staffId, 'tac_summary');
      expect(summary?.message.audience).toBe('private');
      expect(summary?.message.title).toBe('Team Around the Child meeting notes for A.B. (Y7): 2026-11-30');
      expect(summary?.message.sections.find((x) => x.heading === "Child's voice")?.lines).toEqual([
        'Says lunchtimes are noisy and she likes art club.',
      ]);
      expect(summary?.message.sections.find((x) => x.heading === 'Actions')?.lines).toHaveLength(3);
    }
    expect(shown(t, s.outsider.staffId)).toHaveLength(0);
    // No more notes prompts for this meeting (the overdue nudge is withdrawn).
    const pendingPrompts = await db.reminder.count({
      where: { subjectId: meeting.id, kind: { in: ['notes_prompt', 'notes_overdue'] }, status: 'PENDING' },
    });
    expect(pendingPrompts).toBe(0);

    // Ken answers "done" in the console: the action is complete and its later nudge withdrawn.
    await t.console.handleLine(`done ${kenNudge!.ref}`);
    expect(t.consoleOut.text()).toContain(`[${kenNudge!.ref}] Done: marked by Ken Keyworker on 2026-11-30`);
    const kenAction = await db.tacAction.findFirstOrThrow({ where: { ownerId: s.ken.staffId } });
    expect(kenAction.status).toBe('DONE');
    expect(await db.reminder.count({ where: { subjectId: kenAction.id, status: 'PENDING' } })).toBe(0);
    expect(await db.auditEvent.count({ where: { action: 'tac.action_done', subjectId: kenAction.id } })).toBe(
      1,
    );

    // The next meeting date from the notes is reminded 2 working days before (Thu 7 Jan, 09:00) ...
    const nextRows = () =>
      db.reminder.findMany({
        where: { subjectType: 'tac_note', kind: 'meeting_reminder' },
        select: { recipientId: true, dueAt: true, status: true },
      });
    expect((await nextRows()).map((r) => [r.dueAt.toISOString(), r.status])).toEqual([
      ['2027-01-07T09:00:00.000Z', 'PENDING'],
      ['2027-01-07T09:00:00.000Z', 'PENDING'],
    ]);
    // ... until the coordinator books it: then the calendar reminds it (once), with the last TAC's open actions.
    t.clock.set('2026-12-01T09:00:00Z');
    await syncIcsFeed(t.hub, { orgId: s.orgId, source: 'sendco', text: buildIcs([tac(), nextTac]) });
    expect((await nextRows()).map((r) => r.status)).toEqual(['CANCELLED', 'CANCELLED']);
    await at('2027-01-07T09:00:00Z');
    expect(
      shown(t, s.ken.staffId, 'meeting_reminder').filter((m) => m.message.title.startsWith('Next ')),
    ).toEqual([]);
    await at('2027-01-07T10:00:00Z');
    const cal = shown(t, s.ken.staffId, 'meeting_reminder').find((m) =>
      m.message.title.includes('Mon 11 Jan'),
    );
    expect(cal?.message.sections[0]?.lines).toEqual([
      'Open actions from the last TAC (2026-11-30): 2',
      'Action for Olive Organiser: due 2026-12-18',
      'Action for someone outside the hub: due 2027-01-08',
      ...deadlinesBy('2027-01-11'),
    ]);

    // Every step is audited; no child's name reached a log line or the console.
    const actions = (await db.auditEvent.findMany({ select: { action: true } })).map((a) => a.action);
    expect(actions).toEqual(
      expect.arrayContaining([
        'calendar.synced',
        'tac.form_opened',
        'tac.draft_saved',
        'tac.submitted',
        'tac.distributed',
        'tac.action_done',
      ]),
    );
    expect(t.consoleOut.text()).not.toMatch(/Amelia|Brown/);
    expect(capturedLogLines.join('')).not.toMatch(/Amelia|lunchtimes/);
  });

  it('a moved meeting moves its reminders and a cancelled one reminds nobody', async () => {
    const db = t.hub.dbh.db;
    const b = { ...tac(), uid: 'tac-b@school.example', start: '20261201T100000', end: '20261201T110000' };
    await syncIcsFeed(t.hub, { orgId: s.orgId, source: 'sendco', text: buildIcs([tac(), b]) });
    const [ma, mb] = await Promise.all(
      ['tac-1@school.example', 'tac-b@school.example'].map((externalId) =>
        db.meeting.findFirstOrThrow({ where: { externalId } }),
      ),
    );
    const pending = async (meetingId: string, kind = 'meeting_reminder') =>
      (
        await db.reminder.findMany({
          where: { subjectId: meetingId, kind, status: 'PENDING' },
          select: { dueAt: true },
          orderBy: { dueAt: 'asc' },
        })
      ).map((r) => r.dueAt.toISOString());
    expect(await pending(ma!.id)).toEqual([
      '2026-11-26T10:00:00.000Z',
      '2026-11-26T10:00:00.000Z',
      '2026-11-30T09:00:00.000Z',
      '2026-11-30T09:00:00.000Z',
    ]);
    expect(await pending(mb!.id)).toHaveLength(4);

    // A's and B's "2 working days before" reminders (Thu 26 and Fri 27 Nov, 10:00) are handed to the outbox
    // but not yet sent (a throttled or retrying channel) when the feed changes.
    t.clock.set('2026-11-26T10:00:00Z');
    await t.hub.scheduler.tick();
    t.clock.set('2026-11-27T10:00:00Z');
    await t.hub.scheduler.tick();
    expect(await db.outboxMessage.count({ where: { state: 'PENDING' } })).toBe(4);

    // The feed changes: A moves to Wed 2 Dec 14:00, B is cancelled. The sync's event re-plans at once, and
    // withdraws the unsent messages (A's would give the old time; B's is for a cancelled meeting).
    const moved = tac({ start: '20261202T140000', end: '20261202T150000' });
    await syncIcsFeed(t.hub, {
      orgId: s.orgId,
      source: 'sendco',
      text: buildIcs([moved, { ...b, status: 'CANCELLED' }]),
    });
    expect(await pending(ma!.id)).toEqual([
      '2026-11-30T14:00:00.000Z',
      '2026-11-30T14:00:00.000Z',
      '2026-12-02T13:00:00.000Z',
      '2026-12-02T13:00:00.000Z',
    ]);
    expect(await pending(mb!.id)).toEqual([]);
    expect(await pending(mb!.id, 'notes_prompt')).toEqual([]);

    expect(await db.outboxMessage.count({ where: { state: 'CANCELLED' } })).toBe(4);
    await t.hub.deliverer.drainAll();
    expect(t.console.transcript()).toEqual([]);
    for (const when of [
      '2026-11-27T10:00:00Z',
      '2026-11-30T09:00:00Z',
      '2026-11-30T14:00:00Z',
      '2026-12-01T09:00:00Z',
      '2026-12-01T11:00:00Z',
      '2026-12-02T13:00:00Z',
      '2026-12-02T15:00:00Z',
    ])
      await at(when);
    const all = t.console.transcript();
    expect(all.filter((m) => m.message.subject?.id === mb!.id)).toEqual([]);
    const aReminders = all.filter(
      (m) => m.message.subject?.id === ma!.id && m.message.kind === 'meeting_reminder',
    );
    expect(aReminders).toHaveLength(4);
    expect(aReminders.every((m) => m.message.title.includes('Wed 2 Dec'))).toBe(true);
    expect(shown(t, s.olive.staffId, 'notes_prompt')).toHaveLength(1);

    // Notes not submitted within 2 working days (Wed 15:00 → Fri 15:00): the note-taker is nudged.
    await at('2026-12-04T14:59:00Z');
    expect(shown(t, s.olive.staffId, 'notes_prompt')).toHaveLength(1);
    await at('2026-12-04T15:00:00Z');
    const prompts = shown(t, s.olive.staffId, 'notes_prompt');
    expect(prompts.map((p) => p.message.title)).toEqual([
      'Notes for the Team Around the Child meeting for A.B. (Y7)',
      'Notes still to submit: Team Around the Child meeting for A.B. (Y7)',
    ]);

    // Reassigned to Ken with the command: Ken is prompted, `tac` opens his form.
    const r = await t.hub.commands.run(`tac notetaker ${ma!.id} ken@school.example`, s.olive, 'CONSOLE');
    expect(r.kind === 'message' && r.message.title).toBe(
      'Notes reassigned to Ken Keyworker by Olive Organiser',
    );
    await t.tickAndDeliver();
    expect(shown(t, s.ken.staffId, 'notes_prompt').map((p) => p.message.title)).toEqual([
      'Notes still to submit: Team Around the Child meeting for A.B. (Y7)',
    ]);
    const kenForm = await t.hub.commands.run('tac', s.ken, 'CONSOLE');
    expect(kenForm.kind === 'form' && kenForm.form.context.meetingId).toBe(ma!.id);
  });
});
