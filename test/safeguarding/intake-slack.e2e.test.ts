/**
 * Issue 7 intake through the Slack adapter, end to end: /send concern → modal → view_submission (real
 * signed requests; nock for the Web API). The same modal submitted twice stores one concern, DMs the DSL
 * once and confirms alike; a concern raised from a Slack channel posts there, when the organisation wants
 * it, only "A safeguarding concern was raised and is with the DSL."; a DSL with no chat identity is reported
 * to the admin at once through Slack itself; the ladder runs and is acknowledged in Slack alone.
 */
import nock from 'nock';
import { afterEach, describe, expect, it } from 'vitest';
import { channelNotice } from '../../core/escalations/concern-messages.ts';
import { postForm, postInteraction, SLACK, type SlackHub, TEAM } from '../slack/support.ts';
import { providers } from '../support/db.ts';
import { type SlackPost, slashConcern, startSlackSchool, type View } from './chat-school.ts';
import { privacyAcrossThisFile, receiptOf, stepMessages, values } from './intake-support.ts';
import { ACTIONS_TEXT, CONCERN_TEXT, PUPIL, type School, SECRET_STRINGS } from './support.ts';

let submits = 0;
/**
 * The view_submission Slack sends for this modal with the concern filled in. Each submission is its own
 * request with its own trigger_id (a byte-identical copy would be a replay, refused with 409).
 */
function submission(view: View, viewId: string, user = 'U0TESS') {
  const text = (value: string) => ({ v: { type: 'plain_text_input', value } });
  return {
    type: 'view_submission',
    team: { id: TEAM, domain: 'school' },
    user: { id: user, username: 'tess', name: 'tess', team_id: TEAM },
    api_app_id: 'A0SENDHUB',
    token: 'legacy',
    trigger_id: `7.8.submit.${++submits}`,
    view: {
      id: viewId,
      type: 'modal',
      hash: '1764000000.abc',
      callback_id: view.callback_id,
      private_metadata: view.private_metadata,
      blocks: view.blocks,
      state: {
        values: {
          student: text(values.student),
          category: { v: { type: 'static_select', selected_option: { value: 'Neglect' } } },
          what: text(CONCERN_TEXT),
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

/** The confirmation shown in the modal (`response_action: update`). */
const modalText = (json: Record<string, unknown> | undefined) => {
  expect(json?.response_action).toBe('update');
  return JSON.stringify((json?.view as { blocks: unknown[] }).blocks);
};

describe.each(providers)('a concern through the Slack adapter on %s', (provider) => {
  let h: SlackHub;
  let s: School;
  let posts: SlackPost[];
  let opened: View[];

  async function start(env: Record<string, string> = {}, link?: (keyof School['staff'])[]) {
    ({ h, s, posts, opened } = await startSlackSchool(provider, env, link));
  }
  afterEach(async () => {
    await h.close();
    nock.cleanAll();
  });

  async function openModal(channel: string): Promise<View> {
    expect((await postForm(h, slashConcern(channel, 'U0TEACHER'))).status).toBe(200);
    await h.slack.idle();
    const v = opened.at(-1);
    if (!v) throw new Error('no modal opened');
    return v;
  }

  it('the same modal submitted twice stores one concern, DMs the DSL once, and confirms alike', async () => {
    await start();
    const view = await openModal('D0TEACHER');
    expect(JSON.parse(view.private_metadata).c).not.toHaveProperty('originConversation');
    const first = await postInteraction(h, submission(view, 'V100', 'U0TEACHER'));
    const second = await postInteraction(h, submission(view, 'V100', 'U0TEACHER'));
    await h.slack.idle();
    const one = modalText(first.json);
    expect(receiptOf(one)?.[1]).toBe('Dana Lead (DSL)');
    expect(modalText(second.json)).toBe(one);
    expect(await h.hub.dbh.db.concern.count()).toBe(1);

    // Slack's own identity of the modal (team + view id) is enough when the form carries no instance id.
    const bare = { ...view, private_metadata: JSON.stringify({ f: 'concern', c: {} }) };
    const a = await postInteraction(h, submission(bare, 'V200', 'U0TEACHER'));
    const b = await postInteraction(h, submission(bare, 'V200', 'U0TEACHER'));
    await h.slack.idle();
    expect(modalText(b.json)).toBe(modalText(a.json));
    expect(await h.hub.dbh.db.concern.count()).toBe(2);

    await h.t.tickAndDeliver();
    expect(posts.filter((p) => p.channel === 'U0DSL')).toHaveLength(2);
    expect(await stepMessages(h.hub)).toBe(2);
  });

  it('raised from a channel with the notice on: the channel hears only that a concern is with the DSL', async () => {
    await start({ SAFEGUARDING_CHANNEL_NOTICE: 'Quarrydene Academy' });
    const view = await openModal('C0STAFF');
    expect(JSON.parse(view.private_metadata).c).toMatchObject({
      originConversation: 'C0STAFF',
      originTenant: TEAM,
    });
    const r1 = await postInteraction(h, submission(view, 'V300', 'U0TEACHER'));
    await postInteraction(h, submission(view, 'V300', 'U0TEACHER'));
    await h.slack.idle();
    expect(receiptOf(modalText(r1.json))?.[1]).toBe('Dana Lead (DSL)');
    await h.t.tickAndDeliver();
    await h.t.tickAndDeliver();
    const inChannel = posts.filter((p) => p.channel === 'C0STAFF');
    expect(inChannel).toHaveLength(1);
    expect(inChannel[0]!.text).toBe(channelNotice().title);
    const wire = JSON.stringify(inChannel[0]);
    const ref = receiptOf(modalText(r1.json))?.[0] ?? 'no ref';
    // Nothing that identifies the child, the concern or who raised it.
    for (const secret of [...SECRET_STRINGS, 'Z.Q.', 'Y8', PUPIL.upn, 'Neglect', 'risk', ref, 'Tess', 'Dana'])
      expect(wire).not.toContain(secret);
    const c = (await h.hub.dbh.db.concern.findFirst())!;
    const audit = await h.hub.audit.forSubject('concern', c.id);
    expect(audit.find((e) => e.action === 'concern.channel_notice')?.channel).toBe('SLACK');
    // The DSL's own DM is still the only message about the pupil.
    expect(posts.filter((p) => p.channel === 'U0DSL')).toHaveLength(1);
  });

  it('raised from a channel with the notice off (the default): nothing is posted in the channel', async () => {
    await start();
    const view = await openModal('C0STAFF');
    const r = await postInteraction(h, submission(view, 'V400', 'U0TEACHER'));
    expect(receiptOf(modalText(r.json))?.[1]).toBe('Dana Lead (DSL)');
    await h.t.tickAndDeliver();
    expect(posts.filter((p) => p.channel === 'C0STAFF')).toEqual([]);
    expect(posts.filter((p) => p.channel === 'U0DSL')).toHaveLength(1);
  });

  it('a DSL with no chat identity is reported to the admin in Slack at once; the deputies have it', async () => {
    await start({ CONSOLE_CHANNEL: 'off', SAFEGUARDING_CHANNEL_NOTICE: 'on' }, [
      'teacher',
      'deputy',
      'deputy2',
      'head',
      'admin',
    ]);
    const view = await openModal('C0STAFF');
    const r = await postInteraction(h, submission(view, 'V500', 'U0TEACHER'));
    await h.slack.idle();
    const sentTo = receiptOf(modalText(r.json))?.[1] ?? '';
    expect(sentTo.split(', ').sort()).toEqual(['Dev Deputy (deputy DSL)', 'Dot Second (deputy DSL)']);
    // One delivery pass, no clock movement: the admin already has it.
    await h.t.tickAndDeliver();
    const toAdmin = posts.filter((p) => p.channel === 'U0ADMIN');
    expect(toAdmin).toHaveLength(1);
    expect(toAdmin[0]!.text).toContain('Dana Lead');
    expect(posts.filter((p) => p.channel === 'U0DEPUTY')).toHaveLength(1);
    expect(posts.filter((p) => p.channel === 'U0DEPUTY2')).toHaveLength(1);
    expect(posts.filter((p) => p.channel === 'U0HEAD')).toHaveLength(0);
    // The channel notice went out too (the concern did reach someone on the ladder).
    expect(posts.filter((p) => p.channel === 'C0STAFF').map((p) => p.text)).toEqual([channelNotice().title]);
    for (const secret of SECRET_STRINGS) expect(JSON.stringify(toAdmin)).not.toContain(secret);
  });

  it('Slack only (console off): DSL, then deputies, then head on time; a deputy acknowledges in Slack and the rest are told', async () => {
    await start({ CONSOLE_CHANNEL: 'off' }, ['teacher', 'dsl', 'deputy', 'deputy2', 'head', 'admin']);
    nock(SLACK).persist().post('/api/chat.update').reply(200, { ok: true });
    const view = await openModal('D0TEACHER');
    await postInteraction(h, submission(view, 'V600', 'U0TEACHER'));
    await h.slack.idle();
    const escalationsTo = (who: string) =>
      posts.filter((p) => p.channel === who && p.blocks.includes(':acknowledge:'));
    await h.t.tickAndDeliver();
    expect(escalationsTo('U0DSL')).toHaveLength(1);
    h.t.clock.advanceMinutes(14);
    await h.t.tickAndDeliver();
    expect(escalationsTo('U0DEPUTY')).toHaveLength(0);
    h.t.clock.advanceMinutes(1);
    await h.t.tickAndDeliver();
    expect([escalationsTo('U0DEPUTY').length, escalationsTo('U0DEPUTY2').length]).toEqual([1, 1]);
    expect(escalationsTo('U0HEAD')).toHaveLength(0);
    h.t.clock.advanceMinutes(15);
    await h.t.tickAndDeliver();
    expect(escalationsTo('U0HEAD')).toHaveLength(1);

    // The deputy presses Acknowledge on their Slack DM.
    const dm = escalationsTo('U0DEPUTY')[0]!;
    const ack = (
      JSON.parse(dm.blocks) as { type: string; elements?: { action_id: string; value: string }[] }[]
    )
      .flatMap((b) => (b.type === 'actions' ? (b.elements ?? []) : []))
      .find((e) => e.action_id.includes(':acknowledge:'));
    expect(ack).toBeDefined();
    const before = posts.length;
    const r = await postInteraction(h, {
      type: 'block_actions',
      user: { id: 'U0DEPUTY', username: 'dev', name: 'dev', team_id: TEAM },
      api_app_id: 'A0SENDHUB',
      token: 'legacy',
      container: {
        type: 'message',
        message_ts: '1764000000.000002',
        channel_id: 'D0DEPUTY',
        is_ephemeral: false,
      },
      trigger_id: '9.9.ack',
      team: { id: TEAM, domain: 'school' },
      enterprise: null,
      is_enterprise_install: false,
      channel: { id: 'D0DEPUTY', name: 'directmessage' },
      message: {
        type: 'message',
        user: 'UBOT',
        ts: '1764000000.000002',
        text: 'x',
        blocks: JSON.parse(dm.blocks),
      },
      response_url: 'https://hooks.slack.com/actions/T0SCHOOL1/1/ack',
      actions: [
        {
          type: 'button',
          block_id: 'sh_actions_0',
          text: { type: 'plain_text', text: 'Acknowledge' },
          action_ts: '1.1',
          ...ack!,
        },
      ],
    });
    expect(r.status).toBe(200);
    await h.slack.idle();
    const c = (await h.hub.dbh.db.concern.findFirst())!;
    expect(c).toMatchObject({ status: 'ACKNOWLEDGED', acknowledgedById: s.staff.deputy });
    await h.t.tickAndDeliver();
    const told = posts
      .slice(before)
      .filter((p) => p.text.includes('is handled'))
      .map((p) => p.channel)
      .sort();
    expect(told).toEqual(['U0DEPUTY2', 'U0DSL', 'U0HEAD']);
    // The ladder has stopped: nothing more, however long nobody else answers.
    const after = posts.filter((p) => p.blocks.includes(':acknowledge:')).length;
    h.t.clock.advanceMinutes(120);
    await h.t.tickAndDeliver();
    expect(posts.filter((p) => p.blocks.includes(':acknowledge:')).length).toBe(after);
    const audit = (await h.hub.audit.forSubject('concern', c.id)).map((e) => [e.action, e.channel]);
    expect(audit).toContainEqual(['concern.acknowledged', 'SLACK']);
  });
});

privacyAcrossThisFile();
