/**
 * Issue 13 point 3 in Slack (signed interactions through the real HTTP endpoint): the DSL's outcome message
 * offers the outcomes as one select (never five look-alike buttons, never a default); choosing one records it.
 */
import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { postInteraction, SLACK, type SlackHub, startSlackHub, TEAM } from '../slack/support.ts';
import { providers } from '../support/db.ts';
import { ACTIONS_TEXT, CONCERN_TEXT, type School, seedSchool } from './support.ts';

type Element = {
  type: string;
  action_id: string;
  value?: string;
  options?: { text: { text: string }; value: string }[];
};
type Block = { type: string; block_id?: string; elements?: Element[] };

describe.each(providers)('the DSL records an outcome from a Slack message, on %s', (provider) => {
  let h: SlackHub;
  let s: School;
  const posts: { channel: string; blocks: Block[] }[] = [];

  beforeEach(async () => {
    h = await startSlackHub(provider, { CONSOLE_CHANNEL: 'off' });
    s = await seedSchool(h.hub.dbh.db);
    for (const k of ['teacher', 'dsl'] as const)
      await h.hub.staff.linkIdentity(s.staff[k], 'SLACK', TEAM, `U0${k.toUpperCase()}`, { teamId: TEAM });
    posts.length = 0;
    nock(SLACK)
      .persist()
      .post('/api/chat.postMessage', (b) => {
        // Replies go as JSON bodies (blocks an array); the Web API client's form encoding sends a JSON string.
        const blocks = typeof b.blocks === 'string' ? JSON.parse(b.blocks) : (b.blocks ?? []);
        posts.push({ channel: String(b.channel), blocks: blocks as Block[] });
        return true;
      })
      .reply(200, () => ({
        ok: true,
        channel: 'D0DSL',
        ts: `1764000000.${String(posts.length).padStart(6, '0')}`,
      }));
    nock(SLACK).persist().post('/api/chat.update').reply(200, { ok: true });
  });
  afterEach(async () => {
    await h.close();
    nock.cleanAll();
  });

  const interact = (blocks: Block[], action: Record<string, unknown>, n: number) =>
    postInteraction(h, {
      type: 'block_actions',
      user: { id: 'U0DSL', username: 'dana', name: 'dana', team_id: TEAM },
      api_app_id: 'A0SENDHUB',
      token: 'legacy',
      container: {
        type: 'message',
        message_ts: `1764000000.00000${n}`,
        channel_id: 'D0DSL',
        is_ephemeral: false,
      },
      trigger_id: `9.9.${n}`,
      team: { id: TEAM, domain: 'school' },
      enterprise: null,
      is_enterprise_install: false,
      channel: { id: 'D0DSL', name: 'directmessage' },
      message: { type: 'message', user: 'UBOT', ts: `1764000000.00000${n}`, text: 'x', blocks },
      response_url: `https://hooks.slack.com/actions/T0SCHOOL1/1/${n}`,
      actions: [{ block_id: 'sh_actions_0', action_ts: `1.${n}`, ...action }],
    });

  it('the outcomes are one select; choosing "Early help" records it', async () => {
    const teacher = (await h.hub.staff.actorForStaff(s.staff.teacher))!;
    const raised = await h.hub.forms.submit(
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
      'SLACK',
    );
    expect(raised.ok).toBe(true);
    await h.t.tickAndDeliver();
    const alert = posts.find((p) => p.channel === 'U0DSL')!;
    const ack = alert.blocks
      .flatMap((b) => b.elements ?? [])
      .find((e) => e.action_id.includes(':acknowledge:'))!;
    expect(
      (
        await interact(
          alert.blocks,
          { text: { type: 'plain_text', text: 'Acknowledge' }, ...ack, type: 'button' },
          1,
        )
      ).status,
    ).toBe(200);
    await h.slack.idle();
    await h.t.tickAndDeliver();

    const prompt = posts.find((p) =>
      p.blocks.flatMap((b) => b.elements ?? []).some((e) => e.type === 'static_select'),
    )!;
    expect(prompt).toBeDefined();
    const elements = prompt.blocks.flatMap((b) => b.elements ?? []);
    expect(elements.filter((e) => e.action_id.includes('record_outcome'))).toHaveLength(1);
    const select = elements.find((e) => e.type === 'static_select')!;
    expect(select.options!.map((o) => o.text.text)).toEqual([
      'Advice given',
      'Early help',
      "Referral to children's social care",
      'Police',
      'No further action',
    ]);
    expect((await h.hub.dbh.db.concern.findFirst())!.outcome).toBeNull();

    const early = select.options!.find((o) => o.text.text === 'Early help')!;
    const r = await interact(
      prompt.blocks,
      { type: 'static_select', action_id: select.action_id, selected_option: early },
      2,
    );
    expect(r.status).toBe(200);
    await h.slack.idle();
    expect((await h.hub.dbh.db.concern.findFirst())!.outcome).toBe('early_help');
  });
});
