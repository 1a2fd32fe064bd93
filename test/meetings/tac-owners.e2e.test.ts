/**
 * Audit finding (TAC action owners): the key worker writes the notes in the console as a person would. An
 * owner typed as a first name is the colleague it fits ("Sian" → Sian Pryce, who attended), several fitting
 * are listed and asked again, a name fitting nobody becomes an owner outside the hub only on `yes`, and an
 * answer that reads as a date at "or owner outside the hub" is asked about, not dropped. A due date in the
 * past is refused; one on a bank holiday or a weekend, and a next meeting on a Saturday, are warnings the
 * key worker accepts. The reply says what was recorded; `tac actions` as Sian lists her action. The same
 * rules hold for a card or modal submission (the Teams and Slack forms share submitForm).
 */
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { syncIcsFeed } from '../../app/imports/sync-ics-feed.ts';
import { TAC_FORM_ID } from '../../core/tac-notes/tac-form.ts';
import { buildIcs } from '../integrations/support/ics-builder.ts';
import { providers } from '../support/db.ts';
import { startTestHub, type TestHub } from '../support/hub.ts';
import { type School, seedSchool, UPN } from './support.ts';

describe.each(providers)('TAC action owners and dates in the console on %s', (provider) => {
  let t: TestHub;
  let s: School;
  let input: PassThrough;
  let seen = 0;
  const ids: Record<string, string> = {};

  beforeEach(async () => {
    // Monday 7 December 2026; the TAC meeting was on Friday 4 December, organised by the key worker.
    t = await startTestHub(provider, { now: '2026-12-07T09:00:00Z' });
    s = await seedSchool(t.hub);
    for (const [name, email] of [
      ['Sian Pryce', 'sian@school.example'],
      ['Sam Patel', 'sam.patel@school.example'],
      ['Sam Smith', 'sam.smith@school.example'],
    ] as const) {
      const row = await t.hub.dbh.db.staff.create({
        data: { orgId: s.orgId, displayName: name, email, roles: { create: [{ role: 'STAFF' }] } },
      });
      ids[email] = row.id;
    }
    await syncIcsFeed(t.hub, {
      orgId: s.orgId,
      source: 'keyworker',
      text: buildIcs([
        {
          uid: 'tac-owners@school.example',
          summary: `TAC ${UPN}`,
          start: '20261204T140000',
          end: '20261204T150000',
          organizer: 'ken@school.example',
          attendees: ['ken@school.example', 'sian@school.example', 'sam.patel@school.example'],
        },
      ]),
    });
    await t.tickAndDeliver();
    input = new PassThrough();
    t.console.listen(input);
    seen = 0;
  });
  afterEach(async () => {
    await t.close();
  });

  const answer = async (text: string, line: string) => {
    for (let i = 0; i < 2000; i++) {
      const at = t.consoleOut.text().indexOf(text, seen);
      if (at >= 0) {
        seen = at + text.length;
        input.write(`${line}\n`);
        return;
      }
      await new Promise((r) => setTimeout(r, 5));
    }
    throw new Error(`the console never printed "${text}"; it printed:\n${t.consoleOut.text().slice(seen)}`);
  };
  const printed = async (text: string) => {
    for (let i = 0; i < 2000; i++) {
      const at = t.consoleOut.text().indexOf(text, seen);
      if (at >= 0) {
        seen = at + text.length;
        return;
      }
      await new Promise((r) => setTimeout(r, 5));
    }
    throw new Error(`the console never printed "${text}":\n${t.consoleOut.text().slice(seen)}`);
  };

  it('a first name is the colleague who attended; nothing typed is dropped; dates are checked', async () => {
    input.write('as ken@school.example\n');
    await answer('Acting as Ken Keyworker.', 'tac');
    await answer('Attendees (name, role, agency): ', 'Ken Keyworker, Sian Pryce (TA), Sam Patel (SALT), Mum');
    await answer('Apologies (optional): ', '');
    await answer("The child or young person's voice: ", 'Likes the quiet room.');
    await answer('What is working well: ', 'Mornings.');
    await answer('Worries: ', 'Lunchtimes.');

    await answer('Action 1: what needs to happen (optional): ', 'Lunchtime buddy plan');
    await answer('Action 1: owner (a colleague) (optional)', 'Sian');
    await printed('"Sian" is Sian Pryce (sian@school.example): they will be nudged.');
    // The answer the audit saw dropped: asked about, then cleared by the key worker.
    await answer('Action 1: or owner outside the hub (optional)', 'Friday');
    await answer('"Friday" reads as a date, not a person: the due date is the next question.', '-');
    await answer('Action 1: due date (optional): ', '2026-12-04');
    await answer('Fri 4 Dec 2026 is in the past: give today (Mon 7 Dec 2026) or a later date', '2026-12-25');
    await answer(
      'Fri 25 Dec 2026 is a bank holiday: type yes to keep it, or type another date',
      '2026-12-11',
    );

    await answer('Action 2: what needs to happen (optional): ', 'Speech and language check');
    await answer('Action 2: owner (a colleague) (optional)', 'S');
    await answer(
      '"S" could be Sam Patel (sam.patel@school.example) or Sian Pryce (sian@school.example): type their full name or email',
      'Sam',
    );
    await printed(
      '"Sam" is Sam Patel (sam.patel@school.example), recorded as attending: they will be nudged.',
    );
    await answer('Action 2: or owner outside the hub (optional)', 'Mum');
    await printed('Sam Patel and "Mum" both own action 2: Sam Patel is nudged.');
    await answer('Action 2: due date (optional): ', '2026-12-19');
    await answer('Sat 19 Dec 2026 is a Saturday: type yes to keep it, or type another date', 'yes');

    await answer('Action 3: what needs to happen (optional): ', 'Ask the GP about sleep');
    await answer('Action 3: owner (a colleague) (optional)', 'Dr Khan');
    await answer('no colleague in the hub is called "Dr Khan"', 'yes');
    await answer('Action 3: or owner outside the hub (optional) {Dr Khan}: ', '');
    await printed(
      '"Dr Khan" is recorded as an owner outside the hub: nobody in the hub is nudged for action 3.',
    );
    await answer('Action 3: due date (optional): ', '2027-01-08');
    await answer('Action 4: what needs to happen (optional): ', '');

    await answer('Next meeting date (optional): ', '2026-12-26');
    await answer('Sat 26 Dec 2026 is a Saturday: type yes to keep it, or type another date', 'yes');
    await answer('Consent for sharing [given/refused/not_required_risk]: ', 'given');
    await answer('Reason for sharing without consent (if so) (optional): ', '');
    await printed('Notes submitted.');
    await printed('Action 1: Sian Pryce (nudged), due Fri 11 Dec 2026.');
    await printed(
      'Action 2: Sam Patel (nudged) with "Mum" (outside the hub), due Sat 19 Dec 2026: Sat 19 Dec 2026 is a Saturday.',
    );
    await printed('Action 3: "Dr Khan" (outside the hub, nobody nudged), due Fri 8 Jan 2027.');
    await printed('Next meeting Sat 26 Dec 2026: Sat 26 Dec 2026 is a Saturday.');

    const note = await t.hub.dbh.db.tacNote.findFirstOrThrow({
      include: { actions: { orderBy: { dueOn: 'asc' } } },
    });
    expect(note.actions.map((a) => [a.ownerId, a.ownerName, a.dueOn])).toEqual([
      [ids['sian@school.example'], null, '2026-12-11'],
      [ids['sam.patel@school.example'], 'Mum', '2026-12-19'],
      [null, 'Dr Khan', '2027-01-08'],
    ]);

    // Sian's own list holds her action (the nudge goes to her, not to an outside "Sian").
    input.write('as sian@school.example\n');
    await answer('Acting as Sian Pryce.', 'tac actions');
    await printed('Your open TAC actions');
    await printed('Lunchtime buddy plan · due Fri 11 Dec 2026');

    // A week later the key worker amends the notes: the due date now past is kept as recorded, not refused.
    t.clock.set('2026-12-14T09:00:00Z');
    const from = t.consoleOut.text().length;
    input.write('as ken@school.example\n');
    await answer('Acting as Ken Keyworker.', `tac ${note.meetingId}`);
    for (const q of [
      'Attendees (name, role, agency)',
      'Apologies (optional)',
      "The child or young person's voice",
      'What is working well',
      'Worries',
      'Action 1: what needs to happen (optional)',
      'Action 1: owner (a colleague) (optional)',
      'Action 1: or owner outside the hub (optional)',
      'Action 1: due date (optional)',
      'Action 2: what needs to happen (optional)',
      'Action 2: owner (a colleague) (optional)',
      'Action 2: or owner outside the hub (optional)',
    ])
      await answer(q, '');
    await answer('Action 2: due date (optional)', '');
    await answer('Sat 19 Dec 2026 is a Saturday: type yes to keep it', 'yes');
    for (const q of [
      'Action 3: what needs to happen (optional)',
      'Action 3: owner (a colleague) (optional)',
      'Action 3: or owner outside the hub (optional)',
      'Action 3: due date (optional)',
      'Action 4: what needs to happen (optional)',
      'Next meeting date (optional)',
    ])
      await answer(q, '');
    await answer('Sat 26 Dec 2026 is a Saturday: type yes to keep it', 'yes');
    await answer('Consent for sharing', '');
    await answer('Reason for sharing without consent (if so) (optional)', '');
    await printed('Notes amended (version 2)');
    expect(t.consoleOut.text().slice(from)).not.toContain('is in the past');
  });

  it('a card or modal submission: a name fitting nobody and a past due date are refused under their fields; a holiday is a warning', async () => {
    const meeting = await t.hub.dbh.db.meeting.findFirstOrThrow();
    const values = {
      attendees: 'Ken Keyworker, Sian Pryce',
      childVoice: 'Likes the quiet room.',
      workingWell: 'Mornings.',
      worries: 'Lunchtimes.',
      'actions.0.what': 'Lunchtime buddy plan',
      'actions.0.owner': 'Siobhan',
      'actions.0.ownerOther': '',
      'actions.0.due': '2026-12-01',
      consent: 'given',
    };
    const submit = (v: Record<string, string>) =>
      s.service.submitForm(
        s.ken,
        { formId: TAC_FORM_ID, context: { meetingId: meeting.id }, values: v, intent: 'submit' },
        'TEAMS',
      );
    const bad = await submit(values);
    expect(bad).toEqual({
      ok: false,
      errors: {
        'actions.0.owner': expect.stringContaining('no colleague in the hub is called "Siobhan"'),
        'actions.0.due': 'Tue 1 Dec 2026 is in the past: give today (Mon 7 Dec 2026) or a later date',
      },
    });
    // The school's term dates: autumn term ends Fri 18 Dec. A due date in the holiday is kept, with a warning.
    await t.hub.dbh.db.termDate.create({
      data: { orgId: s.orgId, kind: 'TERM', startDate: '2026-09-03', endDate: '2026-12-18' },
    });
    await t.hub.dbh.db.termDate.create({
      data: { orgId: s.orgId, kind: 'TERM', startDate: '2027-01-05', endDate: '2027-03-26' },
    });
    const ok = await submit({ ...values, 'actions.0.owner': 'sian', 'actions.0.due': '2026-12-22' });
    expect(ok.ok && ok.reply).toContain(
      'Action 1: Sian Pryce (nudged), due Tue 22 Dec 2026: Tue 22 Dec 2026 is not a school day (a school holiday or closure in the term dates).',
    );
    const action = await t.hub.dbh.db.tacAction.findFirstOrThrow();
    expect(action.ownerId).toBe(ids['sian@school.example']);
  });
});
