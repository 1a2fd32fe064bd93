/**
 * Issue 7 intake through the Teams adapter, end to end: the concern card submitted twice (Action.Execute
 * invokes through /api/messages), a card without an intake id, and a re-delivered invoke each store one
 * concern and confirm alike.
 */
import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { providers } from '../support/db.ts';
import { activity, cardOf, cardText, type TeamsTestHub } from '../teams/support.ts';
import { startTeamsSchool, TESS as TESS_IN_TEAMS } from './chat-school.ts';
import { privacyAcrossThisFile, receiptOf, stepMessages, values } from './intake-support.ts';
import { ACTIONS_TEXT, CONCERN_TEXT } from './support.ts';

const { user: TESS, conversation: TESS_CONV } = TESS_IN_TEAMS;

describe.each(providers)('the concern card through the Teams adapter on %s', (provider) => {
  let t: TeamsTestHub;
  const toTess: unknown[] = [];

  beforeEach(async () => {
    toTess.length = 0;
    ({ t } = await startTeamsSchool(provider, 'teacher', TESS_IN_TEAMS, (b) => toTess.push(b)));
  });
  afterEach(async () => {
    nock.cleanAll();
    await t.close();
  });

  async function formData(): Promise<Record<string, unknown>> {
    const r = await t.post(activity('message', { from: TESS, conversation: TESS_CONV, text: 'concern' }));
    expect(r.status).toBe(200);
    const card = cardOf(toTess.at(-1)) as { actions: { type: string; data?: Record<string, unknown> }[] };
    const data = card.actions.find((a) => a.type === 'Action.Execute')?.data;
    if (!data) throw new Error('no submit action');
    return data;
  }
  const invoke = (data: Record<string, unknown>, replyToId?: string) =>
    activity('invoke', {
      from: TESS,
      conversation: TESS_CONV,
      name: 'adaptiveCard/action',
      ...(replyToId ? { replyToId } : {}),
      value: {
        action: {
          type: 'Action.Execute',
          verb: 'sendhub.form',
          data: {
            ...data,
            student: values.student,
            category: 'Neglect',
            what: CONCERN_TEXT,
            when__date: '2026-11-24',
            when__time: '08:40',
            immediateRisk: 'no',
            actionsTaken: ACTIONS_TEXT,
          },
        },
      },
    });
  const receipt = (r: { body: unknown }) => cardText((r.body as { value: unknown }).value);

  it('a second press of the same card, and a re-delivered invoke, create nothing and confirm alike', async () => {
    const data = await formData();
    expect((data.context as Record<string, string>).intake).toBeTruthy();
    const first = await t.post(invoke(data, 'card-msg-1'));
    const second = await t.post(invoke(data, 'card-msg-1'));
    expect(first.status).toBe(200);
    expect(receiptOf(receipt(first))?.[1]).toBe('Dana Lead (DSL)');
    expect(receiptOf(receipt(second))).toEqual(receiptOf(receipt(first)));
    expect(await t.hub.dbh.db.concern.count()).toBe(1);

    // A card sent before intake ids existed (no instance id in its data): the card's message id decides.
    const old = { ...(await formData()), context: {} };
    const a = await t.post(invoke(old, 'card-msg-2'));
    const b = await t.post(invoke(old, 'card-msg-2'));
    expect(receiptOf(receipt(b))).toEqual(receiptOf(receipt(a)));
    expect(await t.hub.dbh.db.concern.count()).toBe(2);

    // Neither: the same invoke delivered twice (same activity id) is still one concern.
    const redelivered = invoke(old);
    const c = await t.post(redelivered);
    const d = await t.post(redelivered);
    expect(receiptOf(receipt(d))).toEqual(receiptOf(receipt(c)));
    expect(await t.hub.dbh.db.concern.count()).toBe(3);

    // A new card is a new concern.
    await t.post(invoke(await formData(), 'card-msg-3'));
    expect(await t.hub.dbh.db.concern.count()).toBe(4);
    await t.tickAndDeliver();
    expect(await stepMessages(t.hub)).toBe(4);
  });
});

privacyAcrossThisFile();
