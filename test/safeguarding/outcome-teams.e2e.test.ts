/**
 * Issue 13 point 3 in Teams (signed Bot Framework invokes through the real HTTP server): the DSL's outcome
 * card offers the outcomes as a choice set with one "Record outcome" button; pressed with no choice, nothing is
 * recorded and the valid outcomes are listed; with a choice, that outcome is recorded.
 */
import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { providers } from '../support/db.ts';
import { activity, cardOf, type TeamsTestHub } from '../teams/support.ts';
import { DANA as DANA_IN_TEAMS, startTeamsSchool } from './chat-school.ts';
import { ACTIONS_TEXT, CONCERN_TEXT, type School } from './support.ts';

const { user: DANA, conversation: DANA_CONV } = DANA_IN_TEAMS;

type Card = {
  body: Record<string, unknown>[];
  actions?: { type: string; title: string; data?: Record<string, unknown> }[];
};

describe.each(providers)('the DSL records an outcome from a Teams card, on %s', (provider) => {
  let t: TeamsTestHub;
  let s: School;
  const cards: Card[] = [];

  beforeEach(async () => {
    cards.length = 0;
    ({ t, s } = await startTeamsSchool(provider, 'dsl', DANA_IN_TEAMS, (b) => cards.push(cardOf(b) as Card)));
  });
  afterEach(async () => {
    nock.cleanAll();
    await t.close();
  });

  const press = (data: Record<string, unknown>, extra: Record<string, string>, id: string) =>
    t.post(
      activity('invoke', {
        from: DANA,
        conversation: DANA_CONV,
        name: 'adaptiveCard/action',
        replyToId: id,
        value: { action: { type: 'Action.Execute', verb: 'sendhub.action', data: { ...data, ...extra } } },
      }),
    );

  it('outcomes are a choice set; no choice records nothing; a choice records that outcome', async () => {
    const teacher = (await t.hub.staff.actorForStaff(s.staff.teacher))!;
    const raised = await t.hub.forms.submit(
      teacher,
      {
        formId: 'concern',
        context: {},
        values: {
          student: 'A123456789012',
          what: CONCERN_TEXT,
          immediateRisk: 'no',
          actionsTaken: ACTIONS_TEXT,
        },
        intent: 'submit',
      },
      'CONSOLE',
    );
    expect(raised.ok).toBe(true);
    await t.tickAndDeliver();
    const alert = cards.find((c) => c.actions?.some((a) => a.title === 'Acknowledge'))!;
    const ack = alert.actions!.find((a) => a.title === 'Acknowledge')!.data!;
    expect((await press(ack, {}, 'msg-ack')).status).toBe(200);
    await t.tickAndDeliver();

    const prompt = cards.find((c) => c.body.some((e) => e.type === 'Input.ChoiceSet' && e.id === 'outcome'))!;
    expect(prompt).toBeDefined();
    const choices = prompt.body.find((e) => e.id === 'outcome')!.choices as {
      title: string;
      value: string;
    }[];
    expect(choices.map((c) => c.title)).toEqual([
      'Advice given',
      'Early help',
      "Referral to children's social care",
      'Police',
      'No further action',
    ]);
    const buttons = prompt.actions!.filter((a) => a.type === 'Action.Execute');
    expect(buttons.map((b) => b.title)).toEqual(['Record outcome']);
    const data = buttons[0]!.data!;

    const none = await press(data, {}, 'msg-outcome');
    expect(JSON.stringify(none.body)).toContain('No outcome given: nothing was recorded');
    expect((await t.hub.dbh.db.concern.findFirst())!.outcome).toBeNull();

    const chosen = await press(data, { outcome: 'early_help' }, 'msg-outcome');
    expect(JSON.stringify(chosen.body)).toContain('Outcome \\"Early help\\" recorded by Dana Lead');
    expect((await t.hub.dbh.db.concern.findFirst())!.outcome).toBe('early_help');
  });
});
