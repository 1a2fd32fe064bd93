/**
 * Issue 13 point 2 through the real Slack and Teams adapters (signed requests over loopback HTTP): a concern
 * form is checked field by field on submit, each error next to its own field (Slack `response_action:
 * errors`, the Teams card redrawn with the error under the field); a pupil not found gets the closest names
 * and a way on ("Not on our roll?": Yes), and the concern then reaches the DSL marked "not on roll", with
 * initials only, the name stored encrypted.
 */
import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { postForm, postInteraction, type SlackHub, TEAM } from '../slack/support.ts';
import { providers } from '../support/db.ts';
import { activity, cardOf, cardText, type TeamsTestHub } from '../teams/support.ts';
import {
  type SlackPost,
  slashConcern,
  startSlackSchool,
  startTeamsSchool,
  TESS as TESS_IN_TEAMS,
  type View,
} from './chat-school.ts';
import { receiptOf } from './intake-support.ts';
import { ACTIONS_TEXT, CONCERN_TEXT, type School } from './support.ts';

const KAI = 'Kai Hospital-Patient';
/** A slip of the keyboard for a pupil who is on the roll (seedSchool: Zephyrine Quillborough). */
const TYPO = 'Zephyrine Quilborough';

// ── Slack: /send concern → modal → view_submission ──

function submission(view: View, viewId: string, v: Record<string, string>, notOnRoll = false) {
  const text = (value: string) => ({ v: { type: 'plain_text_input', value } });
  return {
    type: 'view_submission',
    team: { id: TEAM, domain: 'school' },
    user: { id: 'U0TEACHER', username: 'tess', name: 'tess', team_id: TEAM },
    api_app_id: 'A0SENDHUB',
    token: 'legacy',
    trigger_id: '7.8.submit',
    view: {
      id: viewId,
      type: 'modal',
      hash: '1764000000.abc',
      callback_id: view.callback_id,
      private_metadata: view.private_metadata,
      blocks: view.blocks,
      state: {
        values: {
          student: text(v.student ?? ''),
          notOnRoll: {
            v: { type: 'checkboxes', selected_options: notOnRoll ? [{ value: 'true' }] : [] },
          },
          notOnRollYear: text(v.notOnRollYear ?? ''),
          category: { v: { type: 'static_select', selected_option: { value: 'Neglect' } } },
          what: text(v.what ?? ''),
          when: { v: { type: 'datetimepicker', selected_date_time: null } },
          immediateRisk: { v: { type: 'checkboxes', selected_options: [] } },
          actionsTaken: text(ACTIONS_TEXT),
        },
      },
    },
    response_urls: [],
    is_enterprise_install: false,
    enterprise: null,
  };
}

describe.each(providers)('a pupil not on the roll, through the Slack modal, on %s', (provider) => {
  let h: SlackHub;
  let posts: SlackPost[];
  let opened: View[];

  beforeEach(async () => {
    ({ h, posts, opened } = await startSlackSchool(provider));
  });
  afterEach(async () => {
    await h.close();
    nock.cleanAll();
  });

  it('errors sit next to each field; a typo is offered the closest name; "Not on our roll" sends it to the DSL', async () => {
    expect((await postForm(h, slashConcern('D0TEACHER', 'U0TEACHER'))).status).toBe(200);
    await h.slack.idle();
    const view = opened.at(-1)!;
    expect(view.blocks.some((b) => b.block_id === 'notOnRoll')).toBe(true);
    // An optional year group for a pupil not on the roll, so the DSL can find the child.
    expect(view.blocks.some((b) => b.block_id === 'notOnRollYear')).toBe(true);

    // Two fields wrong at once: each error on its own field; the pupil's error offers the way on.
    const first = await postInteraction(h, submission(view, 'V100', { student: KAI, what: 'x' }));
    const errors = (first.json as { response_action: string; errors: Record<string, string> }) ?? {};
    expect(errors.response_action).toBe('errors');
    expect(errors.errors.what).toBe('Write what you saw or heard, in your own words.');
    expect(errors.errors.student).toContain("No pupil on your school's roll has that name, UPN or id.");
    expect(errors.errors.student).toContain('choose "Yes" under "Not on our roll?"');
    expect(errors.errors.student).not.toContain(KAI);

    // A slip of the keyboard is offered the pupil it most likely means (private to the raiser).
    const typo = await postInteraction(h, submission(view, 'V100', { student: TYPO, what: CONCERN_TEXT }));
    expect((typo.json as { errors: Record<string, string> }).errors.student).toContain(
      'Closest on the roll: Zephyrine Quillborough (Year 8), UPN A123456789012: type one of these.',
    );
    expect(await h.hub.dbh.db.concern.count()).toBe(0);

    // A year group that is not one is refused under its own field.
    const badYear = await postInteraction(
      h,
      submission(view, 'V100', { student: KAI, what: CONCERN_TEXT, notOnRollYear: 'blue class' }, true),
    );
    expect((badYear.json as { errors: Record<string, string> }).errors).toEqual({
      notOnRollYear: 'Give the year group like 5, Y5, Year 5, R or N1, or leave it empty.',
    });
    expect(await h.hub.dbh.db.concern.count()).toBe(0);

    // Confirmed with the year group: recorded as given, marked "not on roll", and sent to the DSL.
    const sent = await postInteraction(
      h,
      submission(view, 'V100', { student: KAI, what: CONCERN_TEXT, notOnRollYear: 'Year 5' }, true),
    );
    const done = JSON.stringify(sent.json);
    expect(done).toContain('"response_action":"update"');
    expect(receiptOf(done)?.[1]).toBe('Dana Lead (DSL)');
    expect(done).toContain('The pupil is not on the roll');
    const c = (await h.hub.dbh.db.concern.findFirst())!;
    expect(c.studentId).toBeNull();
    expect(c.notOnRollNameEnc).toBeTruthy();
    expect(c.notOnRollNameEnc).not.toContain('Kai');
    expect(c.notOnRollYear).toBe('5');
    await h.t.tickAndDeliver();
    const toDsl = posts.filter((p) => p.channel === 'U0DSL');
    expect(toDsl).toHaveLength(1);
    expect(toDsl[0]!.text).toContain('for K.H. (not on roll, Y5)');
    expect(JSON.stringify(toDsl)).not.toContain('Hospital-Patient');
  });
});

// ── Teams: the concern card (Action.Execute invokes through /api/messages) ──

const { user: TESS, conversation: TESS_CONV } = TESS_IN_TEAMS;

describe.each(providers)('a pupil not on the roll, through the Teams card, on %s', (provider) => {
  let t: TeamsTestHub;
  let s: School;
  const toTess: unknown[] = [];

  beforeEach(async () => {
    toTess.length = 0;
    ({ t, s } = await startTeamsSchool(provider, 'teacher', TESS_IN_TEAMS, (b) => toTess.push(b)));
  });
  afterEach(async () => {
    nock.cleanAll();
    await t.close();
  });

  const invoke = (data: Record<string, unknown>, v: Record<string, string>, replyToId: string) =>
    activity('invoke', {
      from: TESS,
      conversation: TESS_CONV,
      name: 'adaptiveCard/action',
      replyToId,
      value: {
        action: {
          type: 'Action.Execute',
          verb: 'sendhub.form',
          data: {
            ...data,
            category: 'Neglect',
            when__date: '2026-11-24',
            when__time: '08:40',
            immediateRisk: 'no',
            actionsTaken: ACTIONS_TEXT,
            ...v,
          },
        },
      },
    });

  it('the card is redrawn with each error under its field; "Not on our roll: Yes" sends it to the DSL', async () => {
    const r = await t.post(activity('message', { from: TESS, conversation: TESS_CONV, text: 'concern' }));
    expect(r.status).toBe(200);
    const card = cardOf(toTess.at(-1)) as {
      body: { id?: string }[];
      actions: { type: string; data?: Record<string, unknown> }[];
    };
    expect(cardText(card)).toContain('"id":"notOnRoll"');
    expect(cardText(card)).toContain('"id":"notOnRollYear"');
    const data = card.actions.find((a) => a.type === 'Action.Execute')!.data!;

    const bad = await t.post(invoke(data, { student: KAI, what: 'x', when__time: '23:59' }, 'card-1'));
    const body = (bad.body as { value: { type: string; body: Record<string, unknown>[] } }).value.body;
    const after = (id: string) => body[body.findIndex((e) => e.id === id) + 2] as { text?: string };
    // Each error right under its own input (after the field's hint where it has one).
    expect(JSON.stringify(body)).toContain("No pupil on your school's roll has that name, UPN or id.");
    expect(after('student').text).toContain('choose "Yes" under "Not on our roll?"');
    expect(JSON.stringify(body)).toContain('Write what you saw or heard, in your own words.');
    expect(JSON.stringify(body)).toContain('That time is in the future.');
    // The errors never repeat what was typed (the card keeps it in the input, for the raiser to correct).
    const errorTexts = body.filter((e) => e.color === 'attention').map((e) => String(e.text));
    expect(errorTexts).toHaveLength(3);
    expect(errorTexts.join(' ')).not.toContain('Hospital-Patient');
    expect(await t.hub.dbh.db.concern.count()).toBe(0);

    const ok = await t.post(
      invoke(
        data,
        { student: KAI, notOnRoll: 'yes', notOnRollYear: 'Y5', what: CONCERN_TEXT, when__time: '08:40' },
        'card-1',
      ),
    );
    const receipt = cardText((ok.body as { value: unknown }).value);
    expect(receiptOf(receipt)?.[1]).toBe('Dana Lead (DSL)');
    expect(receipt).toContain('The pupil is not on the roll');
    const c = (await t.hub.dbh.db.concern.findFirst())!;
    expect(c.studentId).toBeNull();
    expect(c.notOnRollYear).toBe('5');
    await t.tickAndDeliver();
    const toDsl = t.console
      .transcript()
      .filter((m) => m.staffId === s.staff.dsl && m.message.kind === 'concern_escalation');
    expect(toDsl).toHaveLength(1);
    expect(toDsl[0]!.message.title).toContain('for K.H. (not on roll, Y5)');
    expect(JSON.stringify(toDsl)).not.toContain('Hospital-Patient');
  });
});
