/**
 * Issue 7 intake, end to end through the real adapters where they exist: the same concern form submitted
 * twice (a double click, a platform re-delivery, two at once) stores one concern, sends one message to the
 * DSL, and gives the raiser the same confirmation naming who it went to; a concern raised from a Slack
 * channel posts there, when the organisation wants it, only "A safeguarding concern was raised and is with
 * the DSL."; and a DSL with no chat identity is reported to the admin at once through Slack itself.
 */
import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { safeguardingModule } from '../../app/safeguarding/module.ts';
import { channelNotice } from '../../core/escalations/concern-messages.ts';
import type { Actor } from '../../core/ports.ts';
import { postForm, postInteraction, SLACK, type SlackHub, startSlackHub, TEAM } from '../slack/support.ts';
import { providers } from '../support/db.ts';
import { capturedLogLines, startTestHub, type TestHub } from '../support/hub.ts';
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
} from '../teams/support.ts';
import { ACTIONS_TEXT, CONCERN_TEXT, PUPIL, type School, SECRET_STRINGS, seedSchool } from './support.ts';

const values = {
  student: 'Zephyrine Quillborough',
  category: 'Neglect',
  what: CONCERN_TEXT,
  when: '08:40',
  immediateRisk: 'no',
  actionsTaken: ACTIONS_TEXT,
};

/** "recorded as C-1A2B3C and has gone to Dana Lead (DSL)." → the reference and the recipients. */
const receiptOf = (text: string) =>
  /recorded as (C-[0-9A-Z]+) and has gone to ([^.]+)\./.exec(text)?.slice(1);

async function actor(hub: TestHub['hub'], staffId: string): Promise<Actor> {
  const a = await hub.staff.actorForStaff(staffId);
  if (!a) throw new Error('no actor');
  return a;
}

const stepMessages = (hub: TestHub['hub']) =>
  hub.dbh.db.outboxMessage.count({ where: { idempotencyKey: { contains: ':step:' } } });

describe.each(providers)('one concern per form submission (console and form registry) on %s', (provider) => {
  let t: TestHub;
  let s: School;
  beforeEach(async () => {
    t = await startTestHub(provider, { now: '2026-11-24T09:00:00Z', modules: [safeguardingModule()] });
    s = await seedSchool(t.hub.dbh.db);
  });
  afterEach(async () => {
    await t.close();
  });

  async function openForm() {
    const reply = await t.hub.commands.run('concern', await actor(t.hub, s.staff.teacher), 'CONSOLE');
    if (reply.kind !== 'form') throw new Error('no form');
    return reply.form;
  }
  const submit = async (form: Awaited<ReturnType<typeof openForm>>, v: Record<string, string> = values) =>
    t.hub.forms.submit(
      await actor(t.hub, s.staff.teacher),
      { formId: form.formId, context: form.context, values: v, intent: 'submit' },
      'CONSOLE',
    );

  it('the same form submitted twice, one after the other and two at once, stores and sends once', async () => {
    const form = await openForm();
    expect(form.context.intake).toMatch(/^[0-9a-f-]{36}$/);
    const first = await submit(form);
    const again = await submit(form);
    expect(first.ok && receiptOf(first.reply)?.[1]).toBe('Dana Lead (DSL)');
    expect(again).toEqual(first);
    expect(await t.hub.dbh.db.concern.count()).toBe(1);
    const c = (await t.hub.dbh.db.concern.findFirst())!;
    const actions = (await t.hub.audit.forSubject('concern', c.id)).map((a) => a.action);
    expect(actions).toEqual(['concern.raised', 'concern.sent_to_dsl']);
    expect(t.logOut.text()).toContain('concern form submitted again');

    // Two deliveries of one new form at the same moment (the unique key decides; the loser answers alike).
    const racing = await openForm();
    const [a, b] = await Promise.all([submit(racing), submit(racing)]);
    expect(a.ok && b.ok).toBe(true);
    expect(a).toEqual(b);
    expect(await t.hub.dbh.db.concern.count()).toBe(2);

    await t.tickAndDeliver();
    expect(await stepMessages(t.hub)).toBe(2);
    expect(
      t.console
        .transcript()
        .filter((m) => m.message.kind === 'concern_escalation' && m.staffId === s.staff.dsl),
    ).toHaveLength(2);
    expect((await t.hub.audit.verify()).ok).toBe(true);
  });

  it('a form corrected after field errors is stored once; a new form is a new concern', async () => {
    const form = await openForm();
    const bad = await submit(form, { ...values, student: 'Nobody Atall' });
    expect(bad.ok).toBe(false);
    const good = await submit(form);
    expect(good.ok).toBe(true);
    expect(await t.hub.dbh.db.concern.count()).toBe(1);
    const other = await submit(await openForm());
    expect(other.ok && good.ok && receiptOf(other.reply)?.[0]).not.toBe(
      good.ok && receiptOf(good.reply)?.[0],
    );
    expect(await t.hub.dbh.db.concern.count()).toBe(2);
  });

  it('without a form instance id, the platform submission id alone makes a repeat harmless', async () => {
    const teacher = await actor(t.hub, s.staff.teacher);
    const sub = { formId: 'concern', context: {}, values, intent: 'submit' as const, instanceId: 'card-77' };
    const one = await t.hub.forms.submit(teacher, sub, 'TEAMS');
    const two = await t.hub.forms.submit(teacher, sub, 'TEAMS');
    expect(two).toEqual(one);
    // Another person's submission with the same platform id is theirs, not a repeat.
    const dsl = await actor(t.hub, s.staff.dsl);
    await t.hub.forms.submit(dsl, sub, 'TEAMS');
    expect(await t.hub.dbh.db.concern.count()).toBe(2);
  });
});

// ── Slack: /send concern → modal → view_submission (real signed requests; nock for the Web API) ──

type View = { blocks: { type: string; block_id?: string }[]; private_metadata: string; callback_id: string };

const slash = (channel: string, user = 'U0TESS') => ({
  token: 'legacy',
  team_id: TEAM,
  team_domain: 'school',
  channel_id: channel,
  channel_name: channel.startsWith('D') ? 'directmessage' : 'staffroom',
  user_id: user,
  user_name: 'tess',
  command: '/send',
  text: 'concern',
  api_app_id: 'A0SENDHUB',
  is_enterprise_install: 'false',
  response_url: 'https://hooks.slack.com/commands/T0SCHOOL1/1/abc',
  trigger_id: '5.6.concern',
});

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
  const posts: { channel: string; text: string; blocks: string }[] = [];
  let opened: View[] = [];

  async function start(
    env: Record<string, string> = {},
    link: (keyof School['staff'])[] = ['teacher', 'dsl'],
  ) {
    h = await startSlackHub(provider, env);
    s = await seedSchool(h.hub.dbh.db);
    for (const k of link)
      await h.hub.staff.linkIdentity(s.staff[k], 'SLACK', TEAM, `U0${k.toUpperCase()}`, { teamId: TEAM });
    posts.length = 0;
    opened = [];
    nock(SLACK)
      .persist()
      .post('/api/chat.postMessage', (b) => {
        posts.push({
          channel: String(b.channel),
          text: String(b.text ?? ''),
          blocks: String(b.blocks ?? ''),
        });
        return true;
      })
      .reply(200, () => ({
        ok: true,
        channel: 'C',
        ts: `1764000000.${String(posts.length).padStart(6, '0')}`,
      }));
    nock(SLACK)
      .persist()
      .post('/api/views.open', (b) => {
        opened.push(JSON.parse(b.view));
        return true;
      })
      .reply(200, () => ({ ok: true, view: { id: `V${opened.length}` } }));
  }
  afterEach(async () => {
    await h.close();
    nock.cleanAll();
  });

  async function openModal(channel: string): Promise<View> {
    expect((await postForm(h, slash(channel, 'U0TEACHER'))).status).toBe(200);
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

// ── Teams: the concern card submitted twice (Action.Execute invokes through /api/messages) ──

const TESS = { id: '29:tess', aadObjectId: 'aaaaaaaa-1111-4000-8000-000000000001', name: 'Tess Teacher' };
const TESS_CONV = { id: 'a:personal-tess', conversationType: 'personal' };

describe.each(providers)('the concern card through the Teams adapter on %s', (provider) => {
  let t: TeamsTestHub;
  let s: School;
  const toTess: unknown[] = [];

  beforeEach(async () => {
    await serveBotFrameworkKeys();
    serveEntraToken();
    t = await startTeamsHub(provider, [safeguardingModule()]);
    s = await seedSchool(t.hub.dbh.db);
    await t.hub.staff.linkIdentity(s.staff.teacher, 'TEAMS', TENANT, TESS.aadObjectId, {
      channelId: 'msteams',
      serviceUrl: SERVICE_URL,
      conversation: { ...TESS_CONV, tenantId: TENANT },
      user: TESS,
      bot: { id: '28:bot', name: 'SEND Hub' },
    });
    toTess.length = 0;
    connector()
      .persist()
      .post(/\/v3\/conversations\/.*\/activities/, (b) => {
        toTess.push(b);
        return true;
      })
      .reply(200, { id: 'posted' });
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

describe('privacy across the intake tests above', () => {
  it('no pupil name or concern text in any log line they wrote', () => {
    expect(capturedLogLines.some((l) => l.includes('concern form submitted again'))).toBe(true);
    const leaks = capturedLogLines.filter((l) => SECRET_STRINGS.some((x) => l.includes(x)));
    expect(leaks).toEqual([]);
  });
});
