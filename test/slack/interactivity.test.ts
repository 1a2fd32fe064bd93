/**
 * End to end through /slack/events: a button acknowledged and the message updated in place, a modal
 * opened from a button (the real TAC notes form), submitted with a validation error shown in the modal,
 * then corrected and saved; and the App Home tab published with the person's caseload.
 */
import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { message } from '../../core/messages/outgoing-message.ts';
import type { InboundAction } from '../../core/ports.ts';
import { providers } from '../support/db.ts';
import {
  blocksOf,
  eventCallback,
  linkSam,
  postInteraction,
  postJson,
  type School,
  SLACK,
  type SlackHub,
  seedSchool,
  startSlackHub,
  TEAM,
} from './support.ts';

type Block = {
  type: string;
  block_id?: string;
  elements?: unknown[];
  element?: { type: string };
  [k: string]: unknown;
};

const userOf = (id = 'U0SAM') => ({ id, username: 'sam', name: 'sam', team_id: TEAM });

function blockActions(action: { action_id: string; value: string }, msg?: { ts: string; blocks: unknown[] }) {
  return {
    type: 'block_actions',
    user: userOf(),
    api_app_id: 'A0SENDHUB',
    token: 'legacy',
    container: msg
      ? { type: 'message', message_ts: msg.ts, channel_id: 'D0SAM', is_ephemeral: false }
      : { type: 'view' },
    trigger_id: '111.222.trigger',
    team: { id: TEAM, domain: 'school' },
    enterprise: null,
    is_enterprise_install: false,
    channel: { id: 'D0SAM', name: 'directmessage' },
    ...(msg ? { message: { type: 'message', user: 'UBOT', ts: msg.ts, text: 'x', blocks: msg.blocks } } : {}),
    response_url: 'https://hooks.slack.com/actions/T0SCHOOL1/1/xyz',
    actions: [
      {
        type: 'button',
        block_id: 'sh_actions_0',
        text: { type: 'plain_text', text: 'x' },
        action_ts: '1.1',
        ...action,
      },
    ],
  };
}

describe.each(providers)('Slack interactivity on %s', (provider) => {
  let h: SlackHub;
  let school: School;

  beforeEach(async () => {
    h = await startSlackHub(provider);
    school = await seedSchool(h.hub);
    await linkSam(h.hub, school);
  });
  afterEach(async () => {
    await h.close();
    nock.cleanAll();
  });

  it('an escalation acknowledged from its button is dispatched to the core and the message updated in place', async () => {
    // A stand-in escalation action (proves the Slack path; the safeguarding module's own handler is
    // reached the same way, by verb + subject type).
    const seen: InboundAction[] = [];
    h.hub.actions.on('acknowledge', 'test_escalation', async (a) => {
      seen.push(a);
      return { resolved: { text: `Acknowledged by ${a.actor.displayName}` } };
    });
    const escalation = message({
      kind: 'concern_escalation',
      audience: 'private',
      title: 'Safeguarding concern not yet acknowledged',
      text: 'A concern raised 20 minutes ago is waiting for a DSL.',
      urgent: true,
      subject: { type: 'test_escalation', id: 'esc-1' },
      actions: [{ verb: 'acknowledge', label: 'Acknowledge', style: 'primary' }],
    });
    // Deliver it through the outbox and the Slack channel, capturing what Slack was asked to post.
    let posted: Block[] = [];
    let metadata = '';
    const post = nock(SLACK)
      .post('/api/chat.postMessage', (b) => {
        posted = blocksOf(b);
        metadata = b.metadata;
        return b.channel === 'U0SAM';
      })
      .reply(200, { ok: true, channel: 'D0SAM', ts: '1764000000.000200' });
    await h.hub.outbox.enqueue({
      idempotencyKey: 'esc-1:dsl',
      orgId: school.orgId,
      to: { staffId: school.sam.staffId },
      message: escalation,
      priority: 0,
    });
    await h.t.tickAndDeliver();
    expect(post.isDone()).toBe(true);
    expect(JSON.parse(metadata)).toEqual({
      event_type: 'send_hub_message',
      event_payload: { key: 'esc-1:dsl' },
    });
    const actionsBlock = posted.find((b) => b.type === 'actions');
    const button = actionsBlock?.elements?.[0] as { action_id: string; value: string };
    expect(button.action_id).toMatch(/^sh:acknowledge:/);

    let updated: { blocks: Block[]; ts: string; channel: string } | undefined;
    const update = nock(SLACK)
      .post('/api/chat.update', (b) => {
        updated = { blocks: blocksOf(b), ts: b.ts, channel: b.channel };
        return true;
      })
      .reply(200, { ok: true });
    const r = await postInteraction(h, blockActions(button, { ts: '1764000000.000200', blocks: posted }));
    expect(r.status).toBe(200);
    await h.slack.idle();
    expect(update.isDone()).toBe(true);
    expect(seen).toHaveLength(1);
    expect(seen[0]?.actor.staffId).toBe(school.sam.staffId);
    expect(seen[0]?.via).toBe('SLACK');
    expect(seen[0]?.subject).toEqual({ type: 'test_escalation', id: 'esc-1' });
    expect(updated?.channel).toBe('D0SAM');
    expect(updated?.ts).toBe('1764000000.000200');
    // Buttons gone, who-did-what shown: it cannot be acted on twice.
    expect(updated?.blocks.some((b) => b.type === 'actions')).toBe(false);
    expect(JSON.stringify(updated?.blocks)).toContain('Acknowledged by Sam Sendco');
  });

  it('a TAC notes modal opened from a button shows a validation error in the modal, then saves when corrected', async () => {
    const db = h.hub.dbh.db;
    const student = await db.student.create({
      data: { orgId: school.orgId, givenName: 'Test', familyName: 'Pupil', yearGroup: '7' },
    });
    const meeting = await db.meeting.create({
      data: {
        orgId: school.orgId,
        source: 'manual',
        externalId: 'tac-1',
        kind: 'TAC',
        startsAt: new Date('2026-11-23T13:00:00Z'),
        endsAt: new Date('2026-11-23T14:00:00Z'),
        studentId: student.id,
        noteTakerId: school.sam.staffId,
      },
    });
    let view: { blocks: Block[]; private_metadata: string; callback_id: string; title: unknown } | undefined;
    const open = nock(SLACK)
      .post('/api/views.open', (b) => {
        view = JSON.parse(b.view);
        return b.trigger_id === '111.222.trigger';
      })
      .reply(200, { ok: true, view: { id: 'V1' } });
    const button = {
      action_id: 'sh:open_notes_form:0',
      value: JSON.stringify({ v: 'open_notes_form', t: 'meeting', i: meeting.id, a: {} }),
    };
    expect((await postInteraction(h, blockActions(button, { ts: '9.9', blocks: [] }))).status).toBe(200);
    await h.slack.idle();
    expect(open.isDone()).toBe(true);
    if (!view) throw new Error('no view opened');
    expect(view.callback_id).toBe('sh_form');
    expect(view.blocks.length).toBeLessThanOrEqual(100);
    const ids = view.blocks.filter((b) => b.type === 'input').map((b) => b.block_id);
    expect(ids).toEqual(
      expect.arrayContaining(['attendees', 'childVoice', 'workingWell', 'worries', 'consent']),
    );

    const text = (value: string) => ({ v: { type: 'plain_text_input', value } });
    const values: Record<string, unknown> = {
      attendees: text('SENDCo; class teacher; parent'),
      childVoice: text('Likes the quiet room at lunch.'),
      workingWell: text('Attendance improving.'),
      worries: text(''),
      consent: { v: { type: 'static_select', selected_option: { value: 'given' } } },
    };
    const submission = () => ({
      type: 'view_submission',
      team: { id: TEAM, domain: 'school' },
      user: userOf(),
      api_app_id: 'A0SENDHUB',
      token: 'legacy',
      trigger_id: '333.444.trigger',
      view: { id: 'V1', type: 'modal', ...view, state: { values }, hash: 'h1' },
      response_urls: [],
      is_enterprise_install: false,
      enterprise: null,
    });
    const first = await postInteraction(h, submission());
    expect(first.status).toBe(200);
    expect(first.json?.response_action).toBe('errors');
    const errors = first.json?.errors as Record<string, string>;
    expect(Object.keys(errors)).toContain('worries');
    expect(await db.tacNote.count({ where: { status: 'SUBMITTED' } })).toBe(0);

    values.worries = text('Friendship difficulties at break.');
    const second = await postInteraction(h, submission());
    expect(second.status).toBe(200);
    expect(second.json?.response_action).toBe('update');
    await h.slack.idle();
    expect(await db.tacNote.count({ where: { meetingId: meeting.id, status: 'SUBMITTED' } })).toBe(1);
  });

  it('App Home shows the caseload: overdue, due soon and open actions', async () => {
    const now = h.hub.clock.now().getTime();
    const db = h.hub.dbh.db;
    const mk = (kind: string, dueAt: number, subjectType = 'deadline') =>
      db.reminder.create({
        data: {
          orgId: school.orgId,
          kind,
          subjectType,
          subjectId: `s-${kind}`,
          recipientId: school.sam.staffId,
          dueAt: new Date(dueAt),
          dedupeKey: `home-${kind}`,
        },
      });
    await mk('deadline_nudge', now + 3 * 86_400_000);
    await mk('report_due', now - 86_400_000);
    await mk('action_nudge', now + 86_400_000, 'tac_action');
    let published: { user_id: string; view: { type: string; blocks: Block[] } } | undefined;
    const publish = nock(SLACK)
      .post('/api/views.publish', (b) => {
        published = { user_id: b.user_id, view: JSON.parse(b.view) };
        return true;
      })
      .reply(200, { ok: true });
    const r = await postJson(
      h,
      eventCallback({
        type: 'app_home_opened',
        user: 'U0SAM',
        channel: 'D0SAM',
        tab: 'home',
        event_ts: '7.7',
      }),
    );
    expect(r.status).toBe(200);
    await h.slack.idle();
    expect(publish.isDone()).toBe(true);
    expect(published?.user_id).toBe('U0SAM');
    expect(published?.view.type).toBe('home');
    const text = JSON.stringify(published?.view.blocks);
    expect(text).toContain('Overdue');
    expect(text).toContain('report due');
    expect(text).toContain('deadline nudge');
    expect(text).toContain('Open actions');
    expect(text).toContain('action nudge');
    expect(published?.view.blocks.length).toBeLessThanOrEqual(100);
  });
});
