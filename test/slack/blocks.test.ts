/** Block Kit builders stay within Slack's limits for any message or form, however long. */

import { webApi } from '@slack/bolt';
import { describe, expect, it } from 'vitest';
import { readSlackConfig } from '../../app/config/slack.ts';
import {
  DRAFT_BLOCK_ID,
  readFormState,
  renderFormView,
  viewErrors,
} from '../../bots/slack/blocks/form-view.ts';
import { renderHomeView } from '../../bots/slack/blocks/home-view.ts';
import { LIMITS, splitText } from '../../bots/slack/blocks/limits.ts';
import {
  parseButtonValue,
  renderMessage,
  resolvedBlocks,
  TRUNCATION_POINTER,
} from '../../bots/slack/blocks/message-blocks.ts';
import { ChannelLanes } from '../../bots/slack/channel-lanes.ts';
import { classifySlackError } from '../../bots/slack/slack-api.ts';
import { signSlackRequest, verifySlackSignature } from '../../bots/slack/verify-signature.ts';
import type { FormSpec } from '../../core/forms/form-spec.ts';
import { message } from '../../core/messages/outgoing-message.ts';
import type { DeliveryResult } from '../../core/ports.ts';

type B = {
  type: string;
  text?: { text: string };
  fields?: { text: string }[];
  elements?: { text?: { text: string }; value?: string }[];
};

function checkMessageLimits(blocks: B[], max: number) {
  expect(blocks.length).toBeLessThanOrEqual(max);
  for (const b of blocks) {
    if (b.type === 'header') expect(b.text?.text.length).toBeLessThanOrEqual(LIMITS.headerText);
    if (b.type === 'section' && b.text) expect(b.text.text.length).toBeLessThanOrEqual(LIMITS.sectionText);
    if (b.fields) {
      expect(b.fields.length).toBeLessThanOrEqual(LIMITS.sectionFields);
      for (const f of b.fields) expect(f.text.length).toBeLessThanOrEqual(LIMITS.fieldText);
    }
    if (b.type === 'actions') {
      for (const e of b.elements ?? []) {
        expect(e.text?.text.length).toBeLessThanOrEqual(LIMITS.buttonText);
        expect(e.value?.length).toBeLessThanOrEqual(LIMITS.buttonValue);
      }
    }
  }
}

describe('Block Kit message rendering', () => {
  it('renders every part of a message: header, text, facts, sections, link, buttons', () => {
    const m = message({
      kind: 'digest',
      audience: 'private',
      title: 'Weekly digest',
      text: 'Three things need you & your team <today>.',
      facts: [{ label: 'Overdue', value: '1' }],
      sections: [{ heading: 'Deadlines', lines: ['EHCNA decision: 2026-12-01'] }],
      link: { label: 'Open', url: 'https://hub.example.org/x' },
      subject: { type: 'deadline', id: 'd1' },
      actions: [{ verb: 'done', label: 'Done', style: 'primary' }],
    });
    const { blocks, text, truncated } = renderMessage(m);
    expect(blocks.map((b) => b.type)).toEqual([
      'header',
      'section',
      'section',
      'section',
      'context',
      'actions',
    ]);
    expect(JSON.stringify(blocks)).toContain('&amp; your team &lt;today&gt;');
    expect(text).toContain('Weekly digest');
    expect(truncated).toBe(false);
    const button = (blocks.at(-1) as B).elements?.[0];
    expect(parseButtonValue(button?.value)).toEqual({ v: 'done', t: 'deadline', i: 'd1', a: {} });
  });

  it('splits and truncates a huge digest with a pointer instead of exceeding 50 blocks or 3000 characters', () => {
    const lines = Array.from({ length: 2000 }, (_, i) => `Line ${i}: ${'x'.repeat(80)}`);
    const m = message({
      kind: 'digest',
      audience: 'private',
      title: 'T'.repeat(200),
      text: 'y'.repeat(10_000),
      facts: Array.from({ length: 25 }, (_, i) => ({ label: `F${i}`, value: 'v'.repeat(3000) })),
      sections: [{ heading: 'Everything', lines }],
      actions: Array.from({ length: 30 }, (_, i) => ({
        verb: 'done' as const,
        label: `Button ${i} ${'z'.repeat(200)}`,
      })),
    });
    const r = renderMessage(m);
    expect(r.truncated).toBe(true);
    checkMessageLimits(r.blocks as B[], LIMITS.messageBlocks);
    expect(JSON.stringify(r.blocks)).toContain(TRUNCATION_POINTER);
    // The buttons survive truncation of the content.
    expect(r.blocks.some((b) => b.type === 'actions')).toBe(true);
    expect(r.text.length).toBeLessThanOrEqual(LIMITS.messageText);
  });

  it('replaces buttons with who-did-what after an action', () => {
    const { blocks } = renderMessage(
      message({
        kind: 'concern_escalation',
        audience: 'private',
        title: 'Concern',
        actions: [{ verb: 'acknowledge', label: 'Ack' }],
      }),
    );
    const after = resolvedBlocks(blocks, 'Acknowledged by J. Smith at 10:42');
    expect(after.some((b) => b.type === 'actions')).toBe(false);
    expect(JSON.stringify(after.at(-1))).toContain('Acknowledged by J. Smith');
  });

  it('App Home stays within 100 blocks', () => {
    const parts = Array.from({ length: 30 }, (_, i) =>
      message({
        kind: 'text',
        audience: 'private',
        title: `Part ${i}`,
        text: 'a\nb',
        facts: [{ label: 'x', value: 'y' }],
      }),
    );
    const v = renderHomeView(parts);
    checkMessageLimits(v.blocks as B[], LIMITS.viewBlocks);
    expect(JSON.stringify(v.blocks.at(-1))).toContain(TRUNCATION_POINTER);
  });

  it('splitText keeps every character and respects the maximum', () => {
    const s = `${'a'.repeat(5000)}\nshort\n${'b'.repeat(10)}`;
    const parts = splitText(s, 3000);
    for (const p of parts) expect(p.length).toBeLessThanOrEqual(3000);
    expect(parts.join('').replaceAll('\n', '')).toBe(s.replaceAll('\n', ''));
  });
});

describe('FormSpec → modal', () => {
  const spec: FormSpec = {
    formId: 'concern',
    title: 'Raise a safeguarding concern about a pupil',
    submitLabel: 'Send to the DSL now please',
    context: { source: 'slack' },
    allowDraft: true,
    fields: [
      { id: 'what', label: 'What happened', kind: 'multiline', required: true, maxLength: 8000 },
      { id: 'when', label: 'When', kind: 'datetime', required: true },
      { id: 'on', label: 'Date', kind: 'date', required: false, initial: '2026-11-24' },
      { id: 'risk', label: 'Immediate risk?', kind: 'boolean', required: false },
      {
        id: 'level',
        label: 'Level',
        kind: 'select',
        required: true,
        options: [{ value: 'low', label: 'Low' }],
      },
      { id: 'owner', label: 'Owner', kind: 'staff', required: false },
    ],
  };

  it('renders each field kind as a Slack input within limits', () => {
    const v = renderFormView(spec) as {
      title: { text: string };
      submit: { text: string };
      blocks: { block_id: string; element: { type: string; max_length?: number } }[];
    };
    expect(v.title.text.length).toBeLessThanOrEqual(24);
    expect(v.submit.text.length).toBeLessThanOrEqual(24);
    expect(v.blocks.map((b) => [b.block_id, b.element.type])).toEqual([
      ['what', 'plain_text_input'],
      ['when', 'datetimepicker'],
      ['on', 'datepicker'],
      ['risk', 'checkboxes'],
      ['level', 'static_select'],
      ['owner', 'plain_text_input'],
      [DRAFT_BLOCK_ID, 'checkboxes'],
    ]);
    expect(v.blocks[0]?.element.max_length).toBe(3000);
  });

  it('reads a submission back into string values, and maps errors onto blocks', () => {
    const view = renderFormView(spec) as { private_metadata: string };
    const read = readFormState({
      private_metadata: view.private_metadata,
      state: {
        values: {
          what: { v: { type: 'plain_text_input', value: 'text' } },
          when: { v: { type: 'datetimepicker', selected_date_time: 1764000000 } },
          on: { v: { type: 'datepicker', selected_date: '2026-11-24' } },
          risk: { v: { type: 'checkboxes', selected_options: [{ value: 'true' }] } },
          level: { v: { type: 'static_select', selected_option: { value: 'low' } } },
          owner: { v: { type: 'plain_text_input', value: null } },
          [DRAFT_BLOCK_ID]: { v: { type: 'checkboxes', selected_options: [{ value: 'draft' }] } },
        },
      },
    });
    expect(read).toEqual({
      formId: 'concern',
      context: { source: 'slack' },
      values: {
        what: 'text',
        when: '2025-11-24T16:00:00.000Z',
        on: '2026-11-24',
        risk: 'true',
        level: 'low',
        owner: '',
      },
      intent: 'draft',
    });
    expect(viewErrors(null, { what: 'Say what happened.', form: 'Try again.' }, ['what', 'when'])).toEqual({
      what: 'Say what happened. Try again.',
    });
  });
});

describe('request signing', () => {
  const secret = 's'.repeat(32);
  const body = Buffer.from('token=x&command=%2Fsend');
  const now = 1_764_000_000_000;
  const ts = String(now / 1000);
  it('accepts a correct signature and refuses tampering, staleness and missing headers', () => {
    const sig = signSlackRequest(secret, ts, body);
    expect(
      verifySlackSignature(secret, { 'x-slack-signature': sig, 'x-slack-request-timestamp': ts }, body, now),
    ).toEqual({ ok: true });
    expect(
      verifySlackSignature(
        secret,
        { 'x-slack-signature': sig, 'x-slack-request-timestamp': ts },
        Buffer.from('token=y'),
        now,
      ),
    ).toMatchObject({ reason: 'mismatch' });
    expect(
      verifySlackSignature(
        secret,
        { 'x-slack-signature': sig, 'x-slack-request-timestamp': ts },
        body,
        now + 301_000,
      ),
    ).toMatchObject({ reason: 'stale' });
    expect(verifySlackSignature(secret, { 'x-slack-request-timestamp': ts }, body, now)).toMatchObject({
      reason: 'missing_header',
    });
    expect(
      verifySlackSignature(
        secret,
        { 'x-slack-signature': 'v0=short', 'x-slack-request-timestamp': ts },
        body,
        now,
      ),
    ).toMatchObject({ reason: 'mismatch' });
  });
});

describe('error classification and channel lanes', () => {
  it('maps Web API errors to delivery outcomes', () => {
    expect(classifySlackError(new webApi.WebAPIRateLimitedError(7))).toEqual({
      outcome: 'throttled',
      retryAfterMs: 7000,
    });
    expect(
      classifySlackError(new webApi.WebAPIPlatformError({ ok: false, error: 'channel_not_found' })),
    ).toMatchObject({ outcome: 'not_found' });
    expect(classifySlackError(new webApi.WebAPIHTTPError(502, 'Bad Gateway', {}))).toMatchObject({
      outcome: 'failed',
      transient: true,
    });
    expect(
      classifySlackError(new webApi.WebAPIPlatformError({ ok: false, error: 'invalid_blocks' })),
    ).toMatchObject({ transient: false });
  });

  it('spaces posts to one channel, keeps their order, and holds the lane closed after a 429', async () => {
    let t = 0;
    const slept: number[] = [];
    const lanes = new ChannelLanes({
      minIntervalMs: 1000,
      now: () => t,
      sleep: async (ms) => {
        slept.push(ms);
        t += ms;
      },
    });
    const order: string[] = [];
    const ok = (id: string) => async (): Promise<DeliveryResult> => {
      order.push(id);
      return { outcome: 'sent' };
    };
    await Promise.all([lanes.run('C1', ok('a')), lanes.run('C1', ok('b')), lanes.run('C2', ok('x'))]);
    expect(order.filter((id) => id !== 'x')).toEqual(['a', 'b']);
    expect(order).toContain('x');
    expect(slept).toEqual([1000]);
    t += 5000;
    const throttled = await lanes.run('C1', async () => ({ outcome: 'throttled', retryAfterMs: 30_000 }));
    expect(throttled.outcome).toBe('throttled');
    // While closed, a later message is not sent (it would overtake the throttled one).
    const later = await lanes.run('C1', ok('c'));
    expect(later).toMatchObject({ outcome: 'throttled' });
    expect(order).not.toContain('c');
    t += 30_000;
    expect((await lanes.run('C1', ok('c'))).outcome).toBe('sent');
  });
});

describe('Slack config', () => {
  it('is off when unset, and names what is missing when half-configured', () => {
    expect(readSlackConfig({})).toBeNull();
    expect(readSlackConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's'.repeat(32) })?.mode).toBe(
      'http',
    );
    expect(readSlackConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1' })?.mode).toBe('socket');
    expect(() => readSlackConfig({ SLACK_BOT_TOKEN: 'xoxb-1' })).toThrow(/SLACK_SIGNING_SECRET/);
    expect(() => readSlackConfig({ SLACK_CLIENT_ID: 'c', SLACK_SIGNING_SECRET: 's'.repeat(32) })).toThrow(
      /SLACK_CLIENT_SECRET/,
    );
  });
});
