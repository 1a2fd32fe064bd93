/**
 * The real safeguarding module (issue 7) through the real Teams endpoint: a teacher types `concern`,
 * gets the concern form as a card, submits it from the card; the DSL receives the escalation in Teams
 * (proactive, Bot Connector asserted with nock) and acknowledges it from its card, which is replaced by
 * "Acknowledged by …" and offers no buttons any more.
 */
import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { safeguardingModule } from '../../app/safeguarding/module.ts';
import { ACTIONS_TEXT, CONCERN_TEXT, type School, seedSchool } from '../safeguarding/support.ts';
import { providers } from '../support/db.ts';
import {
  activity,
  cardOf,
  cardText,
  connector,
  SERVICE_URL,
  serveBotFrameworkKeys,
  serveEntraToken,
  startTeamsHub,
  TENANT,
  type TeamsTestHub,
} from './support.ts';

const TESS = { id: '29:tess', aadObjectId: 'aaaaaaaa-1111-4000-8000-000000000001', name: 'Tess Teacher' };
const DANA = { id: '29:dana', aadObjectId: 'aaaaaaaa-1111-4000-8000-000000000002', name: 'Dana Lead' };
const convOf = (who: { id: string }) => ({
  id: `a:personal-${who.id.slice(3)}`,
  conversationType: 'personal',
});
const to = (conv: { id: string }) =>
  new RegExp(`^/uk/v3/conversations/${encodeURIComponent(conv.id)}/activities(/[^/]+)?$`);

type CardAction = { type: string; title: string; data?: Record<string, unknown> };

describe.each(providers)('a safeguarding concern through Teams (%s)', (provider) => {
  let t: TeamsTestHub;
  let s: School;
  const toTess: unknown[] = [];
  const toDana: unknown[] = [];

  beforeAll(async () => {
    await serveBotFrameworkKeys();
    serveEntraToken();
    t = await startTeamsHub(provider, [safeguardingModule()]);
    s = await seedSchool(t.hub.dbh.db);
    for (const [staffId, who] of [
      [s.staff.teacher, TESS],
      [s.staff.dsl, DANA],
    ] as const) {
      await t.hub.staff.linkIdentity(staffId, 'TEAMS', TENANT, who.aadObjectId, {
        channelId: 'msteams',
        serviceUrl: SERVICE_URL,
        conversation: { ...convOf(who), tenantId: TENANT },
        user: who,
        bot: { id: '28:bot', name: 'SEND Hub' },
      });
    }
    connector()
      .post(to(convOf(TESS)), (b) => {
        toTess.push(b);
        return true;
      })
      .times(20)
      .reply(200, { id: 'to-tess' });
    connector()
      .post(to(convOf(DANA)), (b) => {
        toDana.push(b);
        return true;
      })
      .times(20)
      .reply(200, { id: 'to-dana' });
  });
  afterAll(async () => {
    nock.cleanAll();
    await t?.close();
  });

  it('raised from the concern card, escalated to the DSL in Teams, acknowledged from its card', async () => {
    // 1. The teacher asks for the form.
    expect(
      (await t.post(activity('message', { from: TESS, conversation: convOf(TESS), text: 'concern' }))).status,
    ).toBe(200);
    const form = cardOf(toTess.at(-1)) as { body: { id?: string; type: string }[]; actions: CardAction[] };
    expect(form.body.find((e) => e.id === 'what')?.type).toBe('Input.Text');
    expect(form.body.find((e) => e.id === 'immediateRisk')?.type).toBe('Input.ChoiceSet');
    const submit = form.actions.find((a) => a.type === 'Action.Execute');
    expect(submit?.data?.formId).toBe('concern');

    // 2. Submitted from the card.
    const sent = await t.post(
      activity('invoke', {
        from: TESS,
        conversation: convOf(TESS),
        name: 'adaptiveCard/action',
        value: {
          action: {
            type: 'Action.Execute',
            verb: 'sendhub.form',
            data: {
              ...submit?.data,
              student: 'Zephyrine Quillborough',
              category: 'Neglect',
              what: CONCERN_TEXT,
              when__date: '2026-11-24',
              when__time: '08:40',
              immediateRisk: 'no',
              actionsTaken: ACTIONS_TEXT,
            },
          },
        },
      }),
    );
    expect(sent.status).toBe(200);
    const receipt = (sent.body as { type: string; value: { actions?: unknown } }).value;
    expect(cardText(receipt)).toContain('Submitted by Tess Teacher');
    expect(receipt.actions).toBeUndefined();

    // 3. The DSL hears in Teams (proactive 1:1).
    t.clock.advance(5_000);
    await t.tickAndDeliver();
    const escalation = toDana
      .map((b) => cardOf(b) as { actions?: CardAction[] })
      .find((c) => c.actions?.some((a) => a.data?.verb === 'acknowledge'));
    expect(escalation).toBeDefined();
    const ack = escalation?.actions?.find((a) => a.data?.verb === 'acknowledge');

    // 4. Acknowledged from the card: replaced in place.
    const r = await t.post(
      activity('invoke', {
        from: DANA,
        conversation: convOf(DANA),
        name: 'adaptiveCard/action',
        value: { action: { type: 'Action.Execute', verb: 'sendhub.action', data: ack?.data } },
      }),
    );
    expect(r.status).toBe(200);
    const resolved = (r.body as { type: string; value: { actions?: unknown } }).value;
    expect((r.body as { type: string }).type).toBe('application/vnd.microsoft.card.adaptive');
    expect(cardText(resolved)).toMatch(/Acknowledged by Dana Lead/);
    expect(resolved.actions).toBeUndefined();
    const audit = await t.hub.dbh.db.auditEvent.findMany({ where: { channel: 'TEAMS' } });
    expect(audit.length).toBeGreaterThan(0);
  });
});
