/**
 * End to end through the real /api/messages: a proactive deadline nudge delivered to Teams, an escalation
 * acknowledged from its card (Action.Execute invoke, card replaced in place, cannot be acted on twice),
 * and a TAC notes form submitted from its card (field errors shown back, then accepted).
 * The safeguarding (7) and meetings (8) modules are not in the tree yet, so a test module registers an
 * 'acknowledge' handler for 'concern' and a 'tac_notes' FormSpec + 'tac' command to prove the generic path.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FeatureModule } from '../../app/module.ts';
import { classifyError } from '../../bots/teams/teams-channel.ts';
import type { FormSpec } from '../../core/forms/form-spec.ts';
import { message } from '../../core/messages/outgoing-message.ts';
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

const JO = { id: '29:jo', aadObjectId: 'aaaaaaaa-0000-4000-8000-000000000003', name: 'Jo Smith' };
const PERSONAL = { id: 'a:personal-jo', conversationType: 'personal' };
const activities = (conv: string) =>
  new RegExp(
    `^/uk/v3/conversations/${encodeURIComponent(conv).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/activities(/[^/]+)?$`,
  );

const tacSpec = (context: Record<string, string>): FormSpec => ({
  formId: 'tac_notes',
  title: 'TAC meeting notes',
  submitLabel: 'Save notes',
  context,
  allowDraft: false,
  fields: [
    { id: 'summary', label: 'Summary', kind: 'multiline', required: true, maxLength: 4000 },
    { id: 'nextMeeting', label: 'Next meeting', kind: 'date', required: true },
    { id: 'actions.0.what', label: 'Action', kind: 'text', required: false },
    { id: 'actions.0.owner', label: 'Owner', kind: 'staff', required: false },
    { id: 'consent', label: 'Family consented to sharing', kind: 'boolean', required: false },
  ],
});

function testModule(log: { acks: string[]; notes: Record<string, string>[] }): FeatureModule {
  return {
    name: 'test-safeguarding-and-tac',
    setup(hub) {
      hub.actions.on('acknowledge', 'concern', async (a) => {
        if (log.acks.includes(a.subject.id))
          return { reply: message({ kind: 'text', audience: 'private', title: 'Already acknowledged.' }) };
        log.acks.push(a.subject.id);
        return { resolved: { text: `Acknowledged by ${a.actor.displayName} at 09:00` } };
      });
      hub.forms.register('tac_notes', {
        open: async (_actor, context) => tacSpec(context),
        submit: async (_actor, s) => {
          if (!s.values.summary?.trim()) return { ok: false, errors: { summary: 'Write a short summary.' } };
          log.notes.push(s.values);
          return { ok: true, reply: 'Notes saved; actions sent to their owners.' };
        },
      });
      hub.commands.register({
        name: 'tac',
        usage: 'tac',
        summary: 'write TAC meeting notes',
        run: async () => ({ kind: 'form', form: tacSpec({ meetingId: 'm1' }) }),
      });
    },
  };
}

describe.each(providers)('Teams card actions end to end (%s)', (provider) => {
  let t: TeamsTestHub;
  const log = { acks: [] as string[], notes: [] as Record<string, string>[] };
  beforeAll(async () => {
    await serveBotFrameworkKeys();
    serveEntraToken();
    t = await startTeamsHub(provider, [testModule(log)]);
    // Jo has installed the app personally.
    await t.hub.staff.linkIdentity(t.staff.teacher, 'TEAMS', TENANT, JO.aadObjectId, {
      channelId: 'msteams',
      serviceUrl: SERVICE_URL,
      conversation: { id: PERSONAL.id, conversationType: 'personal', tenantId: TENANT },
      user: JO,
      bot: { id: '28:bot', name: 'SEND Hub' },
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('delivers a deadline nudge proactively as an Adaptive Card with its buttons', async () => {
    await t.hub.outbox.enqueue({
      idempotencyKey: 'nudge-1',
      orgId: t.orgId,
      to: { staffId: t.staff.teacher },
      message: message({
        kind: 'deadline_nudge',
        audience: 'private',
        title: 'EHC needs assessment decision due in 3 working days',
        text: 'For *A.B. (Y7)*: decide whether to assess.',
        facts: [{ label: 'Due', value: 'Fri 27 Nov 2026' }],
        subject: { type: 'deadline', id: 'd1' },
        actions: [
          { verb: 'done', label: 'Done', style: 'primary' },
          { verb: 'snooze', label: 'Snooze 2 days', args: { days: '2' } },
          { verb: 'reassign', label: 'Reassign' },
          { verb: 'pause', label: 'Paused (exception)' },
        ],
      }),
    });
    let sent: unknown;
    const send = connector()
      .post(activities(PERSONAL.id), (b) => {
        sent = b;
        return true;
      })
      .reply(200, { id: 'nudge-activity' });
    await t.tickAndDeliver();
    expect(send.isDone()).toBe(true);
    const card = cardOf(sent) as { version: string; actions: { type: string; title: string }[] };
    expect(card.version).toBe('1.5');
    expect(card.actions.map((a) => a.title)).toEqual([
      'Done',
      'Snooze 2 days',
      'Reassign',
      'Paused (exception)',
    ]);
    expect(card.actions.every((a) => a.type === 'Action.Execute')).toBe(true);
    const row = await t.hub.dbh.db.outboxMessage.findFirst({ where: { idempotencyKey: 'nudge-1' } });
    expect(row?.state).toBe('SENT');
  });

  it('an escalation acknowledged from its card is replaced in place and cannot be acted on twice', async () => {
    const data = {
      sh: 'action',
      verb: 'acknowledge',
      subjectType: 'concern',
      subjectId: 'c-42',
      args: {},
      title: 'Safeguarding concern raised: A.B. (Y7)',
    };
    const invoke = () =>
      t.post(
        activity('invoke', {
          from: JO,
          conversation: PERSONAL,
          name: 'adaptiveCard/action',
          value: { action: { type: 'Action.Execute', verb: 'sendhub.action', data } },
          replyToId: 'esc-activity',
        }),
      );
    const first = await invoke();
    expect(first.status).toBe(200);
    const body = first.body as { statusCode: number; type: string; value: { actions?: unknown[] } };
    expect(body.type).toBe('application/vnd.microsoft.card.adaptive');
    expect(cardText(body.value)).toContain('Acknowledged by Jo Smith at 09:00');
    expect(body.value.actions).toBeUndefined();
    expect(log.acks).toEqual(['c-42']);
    const second = await invoke();
    expect((second.body as { type: string; value: string }).value).toContain('Already acknowledged');
    expect(log.acks).toEqual(['c-42']);
  });

  it('in a channel, the acknowledged card is also updated for everyone (updateActivity)', async () => {
    const channel = { id: '19:safeguarding@thread.tacv2', conversationType: 'channel' };
    let updated: unknown;
    const update = connector()
      .put(`/uk/v3/conversations/${encodeURIComponent(channel.id)}/activities/chan-card-1`, (b) => {
        updated = b;
        return true;
      })
      .reply(200, { id: 'chan-card-1' });
    const r = await t.post(
      activity('invoke', {
        from: JO,
        conversation: channel,
        name: 'adaptiveCard/action',
        replyToId: 'chan-card-1',
        value: {
          action: {
            type: 'Action.Execute',
            verb: 'sendhub.action',
            data: {
              sh: 'action',
              verb: 'acknowledge',
              subjectType: 'concern',
              subjectId: 'c-44',
              args: {},
              title: 'A concern about a Y9 pupil needs the DSL',
            },
          },
        },
      }),
    );
    expect(r.status).toBe(200);
    expect(update.isDone()).toBe(true);
    const card = cardOf(updated) as { actions?: unknown };
    expect(cardText(card)).toContain('Acknowledged by Jo Smith');
    expect(card.actions).toBeUndefined();
  });

  it('an Action.Submit from an older client updates the original card with updateActivity', async () => {
    let updated: unknown;
    const update = connector()
      .put(`/uk/v3/conversations/${encodeURIComponent(PERSONAL.id)}/activities/esc-2`, (b) => {
        updated = b;
        return true;
      })
      .reply(200, { id: 'esc-2' });
    const r = await t.post(
      activity('message', {
        from: JO,
        conversation: PERSONAL,
        value: {
          sh: 'action',
          verb: 'acknowledge',
          subjectType: 'concern',
          subjectId: 'c-43',
          args: {},
          title: 'Concern',
        },
        replyToId: 'esc-2',
      }),
    );
    expect(r.status).toBe(200);
    expect(update.isDone()).toBe(true);
    expect(cardText(cardOf(updated))).toContain('Acknowledged by Jo Smith');
  });

  it('a TAC form typed for with `tac`, submitted from its card: errors shown back, then accepted', async () => {
    let formMsg: unknown;
    const send = connector()
      .post(activities(PERSONAL.id), (b) => {
        formMsg = b;
        return true;
      })
      .reply(200, { id: 'form-activity' });
    expect(
      (await t.post(activity('message', { from: JO, conversation: PERSONAL, text: 'tac' }))).status,
    ).toBe(200);
    expect(send.isDone()).toBe(true);
    const form = cardOf(formMsg) as { body: { id?: string; type: string }[]; actions: { data: unknown }[] };
    expect(form.body.find((e) => e.id === 'summary')?.type).toBe('Input.Text');
    expect(form.body.find((e) => e.id === 'nextMeeting')?.type).toBe('Input.Date');
    const submit = (values: Record<string, string>) =>
      t.post(
        activity('invoke', {
          from: JO,
          conversation: PERSONAL,
          name: 'adaptiveCard/action',
          value: {
            action: {
              type: 'Action.Execute',
              verb: 'sendhub.form',
              data: { ...(form.actions[0]?.data as object), ...values },
            },
          },
        }),
      );
    const bad = await submit({ summary: '  ', nextMeeting: '2026-12-08' });
    const badCard = (bad.body as { value: unknown }).value;
    expect(cardText(badCard)).toContain('Write a short summary.');
    expect(cardText(badCard)).toContain('2026-12-08');
    const ok = await submit({
      summary: 'Agreed plan',
      nextMeeting: '2026-12-08',
      'actions.0.what': 'Refer to EP',
    });
    const okCard = (ok.body as { value: { actions?: unknown } }).value;
    expect(cardText(okCard)).toContain('Submitted by Jo Smith at');
    expect(cardText(okCard)).toContain('Notes saved');
    expect(okCard.actions).toBeUndefined();
    expect(log.notes).toEqual([
      {
        summary: 'Agreed plan',
        nextMeeting: '2026-12-08',
        'actions.0.what': 'Refer to EP',
        consent: 'false',
      },
    ]);
  });

  it('classifies Bot Connector failures: 429 throttled with Retry-After, 403/404 not found, 5xx transient', async () => {
    const deliver = async (status: number) => {
      connector()
        .post(activities(PERSONAL.id))
        .reply(status, { error: { code: 'x' } });
      const channel = t.hub.router.channel('TEAMS');
      const ids = await t.hub.staff.identities(t.staff.teacher);
      const id = ids[0];
      if (!channel || !id) throw new Error('no Teams channel');
      return channel.send(
        { kind: 'person', staffId: t.staff.teacher, displayName: 'Jo Smith', identity: id },
        message({ kind: 'text', audience: 'private', title: 'x' }),
        { idempotencyKey: `k-${status}` },
      );
    };
    // botbuilder's connector client retries a 429 itself first; what reaches us is shaped like this:
    const throttled = Object.assign(new Error('Too Many Requests'), {
      statusCode: 429,
      response: { status: 429, headers: new Headers({ 'Retry-After': '7' }) },
    });
    expect(classifyError(throttled)).toMatchObject({ outcome: 'throttled', retryAfterMs: 7000 });
    expect((await deliver(403)).outcome).toBe('not_found');
    expect((await deliver(404)).outcome).toBe('not_found');
    expect(classifyError(Object.assign(new Error('boom'), { statusCode: 503 }))).toMatchObject({
      outcome: 'failed',
      transient: true,
    });
    expect(classifyError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }))).toMatchObject({
      outcome: 'failed',
      transient: true,
    });
  });
});
