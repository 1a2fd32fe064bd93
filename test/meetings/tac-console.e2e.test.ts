/**
 * The console's guided prompt for the TAC form, typed line by line as a person would: the notes prompt's
 * button opens it, "!draft" saves a draft, `tac` resumes it with the draft kept, an empty action row ends
 * the actions, and the notes are submitted. A date typed day first (25/12/2026) is caught at its own
 * question and offered back as YYYY-MM-DD, and an error found on submit names the question, not its id.
 */
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { syncIcsFeed } from '../../app/imports/sync-ics-feed.ts';
import { buildIcs } from '../integrations/support/ics-builder.ts';
import { providers } from '../support/db.ts';
import { startTestHub, type TestHub } from '../support/hub.ts';
import { type School, seedSchool, shown, UPN } from './support.ts';

describe.each(providers)('TAC notes in the console on %s', (provider) => {
  let t: TestHub;
  let s: School;
  let input: PassThrough;
  let seen = 0;

  beforeEach(async () => {
    t = await startTestHub(provider, { now: '2026-11-24T09:00:00Z' });
    s = await seedSchool(t.hub);
    input = new PassThrough();
    t.console.listen(input);
    seen = 0;
  });
  afterEach(async () => {
    await t.close();
  });

  /** Wait until the console has printed `text` (after what was already consumed), then type `line`. */
  const answer = async (text: string, line: string) => {
    for (let i = 0; i < 2000; i++) {
      const out = t.consoleOut.text();
      const at = out.indexOf(text, seen);
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
      if (t.consoleOut.text().indexOf(text, seen) >= 0) return;
      await new Promise((r) => setTimeout(r, 5));
    }
    throw new Error(`the console never printed "${text}":\n${t.consoleOut.text().slice(seen)}`);
  };

  it('draft from the button, finished with `tac`, submitted', async () => {
    await syncIcsFeed(t.hub, {
      orgId: s.orgId,
      source: 'sendco',
      text: buildIcs([
        {
          uid: 'tac-c@school.example',
          summary: `TAC ${UPN}`,
          start: '20261123T140000',
          end: '20261123T150000',
          organizer: 'olive@school.example',
          attendees: ['olive@school.example', 'ken@school.example'],
        },
      ]),
    });
    await t.tickAndDeliver();
    const [prompt] = shown(t, s.olive.staffId, 'notes_prompt');
    expect(prompt).toBeDefined();

    input.write(`open-notes-form ${prompt!.ref}\n`);
    await answer('Attendees (name, role, agency): ', 'Olive Organiser, Ken Keyworker');
    await answer('Apologies (optional): ', '');
    await answer("The child or young person's voice: ", '!draft');
    await printed('Draft saved.');

    await answer('Draft saved.', 'as olive@school.example');
    await answer('Acting as Olive Organiser.', 'tac');
    await answer('Attendees (name, role, agency) {Olive Organiser, Ken Keyworker}: ', '');
    await answer('Apologies (optional): ', '');
    await answer("The child or young person's voice: ", 'Enjoys forest school.');
    await answer('What is working well: ', 'Attendance.');
    await answer('Worries: ', 'Sleep.');
    await answer('Action 1: what needs to happen (optional): ', 'Ask the GP about sleep');
    await answer('Action 1: owner (a colleague) (optional)', 'ken@school.example');
    await answer('Action 1: or owner outside the hub (optional)', '');
    await answer('Action 1: due date (optional): ', '2026-12-02');
    await answer('Action 2: what needs to happen (optional): ', '');
    // The empty row ends the actions: the next question is the next meeting.
    await answer('Next meeting date (optional): ', '');
    await answer('Consent for sharing [given/refused/not_required_risk]: ', 'given');
    await answer('Reason for sharing without consent (if so) (optional): ', '');
    await printed('Notes submitted.');

    const note = await t.hub.dbh.db.tacNote.findFirstOrThrow({ include: { actions: true } });
    expect(note.status).toBe('SUBMITTED');
    expect(note.actions.map((a) => [a.ownerId, a.dueOn])).toEqual([[s.ken.staffId, '2026-12-02']]);
    expect(t.consoleOut.text()).not.toContain('Action 3:');
    await t.tickAndDeliver();
    expect(shown(t, s.ken.staffId, 'action_nudge')).toHaveLength(1);
  });
  it('a day-first due date is caught at its question; a submit error names the question', async () => {
    await syncIcsFeed(t.hub, {
      orgId: s.orgId,
      source: 'sendco',
      text: buildIcs([
        {
          uid: 'tac-d@school.example',
          summary: `TAC ${UPN}`,
          start: '20261123T140000',
          end: '20261123T150000',
          organizer: 'olive@school.example',
          attendees: ['olive@school.example', 'ken@school.example'],
        },
      ]),
    });
    await t.tickAndDeliver();
    input.write('as olive@school.example\n');
    await answer('Acting as Olive Organiser.', 'tac');
    await answer('Attendees (name, role, agency): ', 'Olive Organiser, Ken Keyworker');
    await answer('Apologies (optional): ', '');
    await answer("The child or young person's voice: ", 'Enjoys forest school.');
    await answer('What is working well: ', 'Attendance.');
    await answer('Worries: ', 'Sleep.');
    await answer('Action 1: what needs to happen (optional): ', 'Ask the GP about sleep');
    await answer('Action 1: owner (a colleague) (optional)', 'ken@school.example');
    await answer('Action 1: or owner outside the hub (optional)', '');
    // Day first, as people in England write it: asked again at once, never stored as given or guessed.
    await answer('Action 1: due date (optional): ', '02/12/2026');
    await answer('a date as YYYY-MM-DD: type yes for 2026-12-02, or type the date again', 'yes');
    await answer('Action 2: what needs to happen (optional): ', '');
    await answer('Next meeting date (optional): ', '31/02/2027');
    await answer('a date as YYYY-MM-DD, e.g. 2027-01-15', '-');
    // Not one of the choices: the core refuses it on submit, under the question's own words.
    await answer('Consent for sharing [given/refused/not_required_risk]: ', 'maybe');
    await answer('Reason for sharing without consent (if so) (optional): ', '');
    await answer('  Consent for sharing: choose given, refused or not_required_risk\n', 'given');
    await printed('Notes submitted.');

    const out = t.consoleOut.text();
    expect(out).not.toContain('consent: choose');
    expect(out).not.toContain('actions.0.due');
    const note = await t.hub.dbh.db.tacNote.findFirstOrThrow({ include: { actions: true } });
    expect(note.status).toBe('SUBMITTED');
    expect(note.actions.map((a) => [a.ownerId, a.dueOn])).toEqual([[s.ken.staffId, '2026-12-02']]);
  });
});
