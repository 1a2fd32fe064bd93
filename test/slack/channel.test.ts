/**
 * The Slack ChannelPort driven by the real outbox and deliverer: a deadline nudge delivered as Block Kit
 * with the idempotency key in message metadata; a 429 honoured (Retry-After) without losing or
 * reordering a person's messages; errors classified; reconcile finds an in-doubt send by its metadata.
 */
import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DeadlineService } from '../../app/deadlines/service.ts';
import { message } from '../../core/messages/outgoing-message.ts';
import type { DeliveryTarget } from '../../core/ports.ts';
import { providers } from '../support/db.ts';
import {
  blocksOf,
  linkSam,
  type School,
  SLACK,
  type SlackHub,
  seedSchool,
  startSlackHub,
  TEAM,
} from './support.ts';

const nudge = (n: number) =>
  message({
    kind: 'deadline_nudge',
    audience: 'private',
    title: `EHC needs assessment decision due in ${n} working days`,
    text: 'The 6-week decision for A.B. (Y7) is due soon.',
    facts: [{ label: 'Due', value: '2026-12-01' }],
    subject: { type: 'deadline', id: `d-${n}` },
    actions: [
      { verb: 'done', label: 'Done', style: 'primary' },
      { verb: 'snooze', label: 'Snooze 1 day', args: { days: '1' } },
    ],
  });

describe.each(providers)('Slack channel on %s', (provider) => {
  let h: SlackHub;
  let school: School;
  const target = (): DeliveryTarget => ({
    kind: 'person',
    staffId: school.sam.staffId,
    displayName: 'Sam Sendco',
    identity: { platformUserId: 'U0SAM', tenantId: TEAM, conversationRef: { teamId: TEAM } },
  });

  beforeEach(async () => {
    h = await startSlackHub(provider);
    school = await seedSchool(h.hub);
    await linkSam(h.hub, school);
  });
  afterEach(async () => {
    await h.close();
    nock.cleanAll();
  });

  it('delivers a real deadline nudge (deadline engine) as Block Kit with buttons and the key in metadata', async () => {
    const db = h.hub.dbh.db;
    // An EHC needs assessment's dates are the local authority's duties: its officer is nudged at an LA
    // (at a school they are shown as the LA's and never nudged: docs/deadlines.md "Whose duty").
    await db.organisation.update({ where: { id: school.orgId }, data: { kind: 'LOCAL_AUTHORITY' } });
    const student = await db.student.create({
      data: { orgId: school.orgId, givenName: 'Test', familyName: 'Pupil', yearGroup: '7' },
    });
    const deadlines = h.hub.services.get('deadlines') as DeadlineService;
    await deadlines.openCase({
      orgId: school.orgId,
      studentId: student.id,
      kind: 'EHC_NEEDS_ASSESSMENT',
      startDate: '2026-10-19',
      ownerId: school.sam.staffId,
      reference: 'EHC-SLACK-1',
    });
    const posts: Record<string, string>[] = [];
    nock(SLACK)
      .post('/api/chat.postMessage', (b) => {
        posts.push(b);
        return true;
      })
      .times(50)
      .reply(200, { ok: true, channel: 'D0SAM', ts: '1764000000.000300' });
    // Walk the days until the engine's first nudge falls due and is delivered through Slack.
    for (let day = 0; day < 40 && posts.length === 0; day++) {
      await h.t.tickAndDeliver();
      if (posts.length === 0) h.t.clock.advance(86_400_000);
    }
    const body = posts[0];
    if (!body) throw new Error('no nudge was delivered through Slack');
    expect(body.channel).toBe('U0SAM');
    const blocks = blocksOf(body);
    expect(blocks[0]).toMatchObject({ type: 'header' });
    const sent = await db.outboxMessage.findFirst({
      where: { recipientId: school.sam.staffId, state: 'SENT' },
      orderBy: { sentAt: 'asc' },
    });
    const meta = JSON.parse(body.metadata ?? '{}');
    expect(meta).toEqual({ event_type: 'send_hub_message', event_payload: { key: sent?.idempotencyKey } });
    const buttons = blocks.find((b) => b.type === 'actions')?.elements as { value: string }[] | undefined;
    expect(buttons?.length).toBeGreaterThan(0);
    const first = JSON.parse(buttons?.[0]?.value ?? '{}');
    expect(first.t).toBe('deadline');
    // A private message names the child at most by initials (the engine's own minimisation).
    expect(JSON.stringify(blocks)).not.toContain('Pupil');
  });

  it('honours 429 Retry-After without losing or reordering a person’s messages', async () => {
    const order: string[] = [];
    nock(SLACK)
      .post('/api/chat.postMessage')
      .reply(429, { ok: false, error: 'ratelimited' }, { 'Retry-After': '30' });
    nock(SLACK)
      .post('/api/chat.postMessage', (b) => {
        order.push(JSON.parse(b.metadata).event_payload.key);
        return true;
      })
      .times(2)
      .reply(200, { ok: true, channel: 'D0SAM', ts: '1.2' });
    for (const n of [1, 2]) {
      await h.hub.outbox.enqueue({
        idempotencyKey: `nudge-${n}`,
        orgId: school.orgId,
        to: { staffId: school.sam.staffId },
        message: nudge(n),
      });
    }
    await h.hub.deliverer.drainAll();
    const first = await h.hub.dbh.db.outboxMessage.findUnique({ where: { idempotencyKey: 'nudge-1' } });
    expect(first?.state).toBe('RETRYING');
    const attempt = await h.hub.dbh.db.deliveryAttempt.findFirst({ where: { messageId: first?.id } });
    expect(attempt?.outcome).toBe('THROTTLED');
    expect(order).toEqual([]);
    // Still throttled 10 s later: nothing goes out (Slack asked for 30 s).
    h.t.clock.advance(10_000);
    await h.hub.deliverer.drainAll();
    expect(order).toEqual([]);
    for (let i = 0; i < 6 && order.length < 2; i++) {
      h.t.clock.advance(31_000);
      await h.hub.deliverer.drainAll();
    }
    expect(order).toEqual(['nudge-1', 'nudge-2']);
    const states = await h.hub.dbh.db.outboxMessage.findMany({ select: { state: true } });
    expect(states.every((s) => s.state === 'SENT')).toBe(true);
  });

  it('classifies errors: a user gone is final, a Slack 5xx is retried', async () => {
    nock(SLACK).post('/api/chat.postMessage').reply(200, { ok: false, error: 'user_not_found' });
    expect(await h.slack.channel.send(target(), nudge(1), { idempotencyKey: 'k1' })).toEqual({
      outcome: 'not_found',
      error: 'user_not_found',
    });
    nock(SLACK).post('/api/chat.postMessage').reply(200, { ok: false, error: 'account_inactive' });
    expect((await h.slack.channel.send(target(), nudge(1), { idempotencyKey: 'k2' })).outcome).toBe(
      'not_found',
    );
    nock(SLACK).post('/api/chat.postMessage').reply(503, 'upstream unavailable');
    expect(await h.slack.channel.send(target(), nudge(1), { idempotencyKey: 'k3' })).toMatchObject({
      outcome: 'failed',
      transient: true,
    });
    nock(SLACK)
      .post('/api/chat.postMessage')
      .replyWithError({ code: 'ECONNRESET', message: 'socket hang up' });
    expect(await h.slack.channel.send(target(), nudge(1), { idempotencyKey: 'k4' })).toMatchObject({
      outcome: 'failed',
      transient: true,
    });
    nock(SLACK).post('/api/chat.postMessage').reply(200, { ok: false, error: 'invalid_auth' });
    expect(await h.slack.channel.send(target(), nudge(1), { idempotencyKey: 'k5' })).toMatchObject({
      outcome: 'failed',
      transient: false,
    });
  });

  it('reconciles an in-doubt send by the idempotency key in message metadata', async () => {
    const history = (key: string) => ({
      ok: true,
      messages: [
        { type: 'message', ts: '1.0', text: 'older' },
        {
          type: 'message',
          ts: '2.0',
          text: 'x',
          metadata: { event_type: 'send_hub_message', event_payload: { key } },
        },
      ],
      has_more: false,
    });
    nock(SLACK)
      .post('/api/conversations.open', (b) => b.users === 'U0SAM')
      .times(3)
      .reply(200, { ok: true, channel: { id: 'D0SAM' } });
    nock(SLACK)
      .post('/api/conversations.history', (b) => b.channel === 'D0SAM' && b.include_all_metadata === 'true')
      .reply(200, history('key-1'));
    expect(await h.slack.channel.reconcile('key-1', target())).toBe('delivered');
    nock(SLACK).post('/api/conversations.history').reply(200, history('another'));
    expect(await h.slack.channel.reconcile('key-1', target())).toBe('not_delivered');
    nock(SLACK).post('/api/conversations.history').reply(500, 'oops');
    expect(await h.slack.channel.reconcile('key-1', target())).toBe('unknown');
  });
});
