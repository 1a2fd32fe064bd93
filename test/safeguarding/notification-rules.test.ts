/** The notification rules (issue 16): chat at once, e-mail after N minutes, SMS after M; defaults and overrides. */
import { createHmac } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  loadNotificationRules,
  type OutOfChatEnv,
  outOfChatEnvSchema,
} from '../../app/safeguarding/out-of-chat-config.ts';
import { ValidationError } from '../../core/errors.ts';
import { ackToken, verifyAckToken } from '../../core/escalations/ack-token.ts';
import {
  DEFAULT_NOTIFICATION_RULES,
  mergeRules,
  planNotifications,
} from '../../core/escalations/notification-rules.ts';

const at = new Date('2026-12-07T10:00:00Z');
const mins = (plan: { method: string; at: Date }[]) =>
  plan.map((p) => `${p.method}+${(p.at.getTime() - at.getTime()) / 60_000}`);
const base = {
  rules: DEFAULT_NOTIFICATION_RULES,
  immediateRisk: false,
  outOfHours: false,
  chat: true,
  methods: ['EMAIL', 'SMS'] as ('EMAIL' | 'SMS')[],
  at,
};

describe('planNotifications', () => {
  it('defaults: chat at once, e-mail at 5 and SMS at 10 minutes; 2 and 5 with immediate risk', () => {
    expect(mins(planNotifications(base))).toEqual(['CHAT+0', 'EMAIL+5', 'SMS+10']);
    expect(mins(planNotifications({ ...base, immediateRisk: true }))).toEqual(['CHAT+0', 'EMAIL+2', 'SMS+5']);
  });

  it('only verified methods are planned', () => {
    expect(mins(planNotifications({ ...base, methods: ['SMS'] }))).toEqual(['CHAT+0', 'SMS+10']);
    expect(mins(planNotifications({ ...base, methods: [] }))).toEqual(['CHAT+0']);
  });

  it('without chat the earliest method goes at once, the rest keep their times; nothing at all = unreachable', () => {
    expect(mins(planNotifications({ ...base, chat: false }))).toEqual(['EMAIL+0', 'SMS+10']);
    expect(mins(planNotifications({ ...base, chat: false, methods: ['SMS'] }))).toEqual(['SMS+0']);
    expect(planNotifications({ ...base, chat: false, methods: [] })).toEqual([]);
  });

  it('out-of-hours values apply out of hours; a method set to off is never used', () => {
    const rules = mergeRules(DEFAULT_NOTIFICATION_RULES, {
      outOfHours: { normal: { email: 1, sms: 3 }, immediate: { email: null } },
    });
    expect(mins(planNotifications({ ...base, rules, outOfHours: true }))).toEqual([
      'CHAT+0',
      'EMAIL+1',
      'SMS+3',
    ]);
    expect(mins(planNotifications({ ...base, rules, outOfHours: true, immediateRisk: true }))).toEqual([
      'CHAT+0',
      'SMS+5',
    ]);
    // In hours the defaults still hold.
    expect(mins(planNotifications({ ...base, rules }))).toEqual(['CHAT+0', 'EMAIL+5', 'SMS+10']);
  });
});

/** HMAC-SHA-256, base64url: what app/safeguarding/out-of-chat.ts hmacSigner computes. */
const hmacSigner = (key: Buffer) => (data: string) =>
  createHmac('sha256', key).update(data).digest('base64url');

describe('ack token', () => {
  const sign = hmacSigner(Buffer.alloc(32, 7));
  const claims = {
    concernId: 'cmconcern0000000000000001',
    staffId: 'cmstaff000000000000000001',
    step: 1,
    via: 'SMS' as const,
    expiresAt: new Date(at.getTime() + 24 * 3_600_000),
  };

  it('round-trips its claims, and is short enough for an SMS', () => {
    const t = ackToken(claims, sign);
    expect(t.length).toBeLessThan(120);
    expect(verifyAckToken(t, sign, at)).toEqual({ ok: true, claims });
  });

  it('refuses a changed claim, another key, an expired token and a malformed one', () => {
    const t = ackToken(claims, sign);
    const otherStaff = t.replace(claims.staffId, 'cmstaff000000000000000002');
    expect(verifyAckToken(otherStaff, sign, at)).toEqual({ ok: false, reason: 'bad_signature' });
    expect(verifyAckToken(t.replace('.S.', '.E.'), sign, at)).toEqual({ ok: false, reason: 'bad_signature' });
    expect(verifyAckToken(t, hmacSigner(Buffer.alloc(32, 8)), at)).toEqual({
      ok: false,
      reason: 'bad_signature',
    });
    expect(verifyAckToken(t, sign, claims.expiresAt)).toMatchObject({ ok: false, reason: 'expired' });
    expect(verifyAckToken(t.split('.').slice(0, 6).join('.'), sign, at)).toEqual({
      ok: false,
      reason: 'malformed',
    });
    expect(verifyAckToken('', sign, at)).toEqual({ ok: false, reason: 'malformed' });
  });
});

describe('SAFEGUARDING_NOTIFY_RULES_FILE', () => {
  const env = (file?: string): OutOfChatEnv =>
    outOfChatEnvSchema.parse(file ? { SAFEGUARDING_NOTIFY_RULES_FILE: file } : {});
  const write = (text: string) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'notify-rules-'));
    const file = path.join(dir, 'rules.yaml');
    fs.writeFileSync(file, text);
    return file;
  };

  it('env values are every organisation’s defaults; the file overrides per organisation and out of hours', () => {
    expect(loadNotificationRules(env())({ id: 'o1', name: 'Any' })).toEqual(DEFAULT_NOTIFICATION_RULES);
    const file = write(
      'default:\n  outOfHours: { normal: { email: 2, sms: 4 } }\norgs:\n  Elmfield Primary:\n    inHours: { normal: { sms: off } }\n',
    );
    const rulesFor = loadNotificationRules(env(file));
    const elm = rulesFor({ id: 'o2', name: 'Elmfield Primary' });
    expect(elm.inHours.normal).toEqual({ email: 5, sms: null });
    expect(elm.outOfHours.normal).toEqual({ email: 2, sms: 4 });
    expect(rulesFor({ id: 'o3', name: 'Other' }).inHours.normal).toEqual({ email: 5, sms: 10 });
    fs.rmSync(path.dirname(file), { recursive: true });
  });

  it('a bad file names the file and each bad field', () => {
    const file = write('orgs:\n  Elmfield Primary:\n    inHours: { normal: { email: -3, fax: 2 } }\n');
    expect(() => loadNotificationRules(env(file))).toThrow(ValidationError);
    try {
      loadNotificationRules(env(file));
    } catch (err) {
      const m = (err as Error).message;
      expect(m).toContain(`${file}: orgs.Elmfield Primary.inHours.normal.email`);
      expect(m).toContain('fax');
    }
    fs.rmSync(path.dirname(file), { recursive: true });
  });

  it('env values: minutes or off', () => {
    expect(
      outOfChatEnvSchema.parse({ SAFEGUARDING_NOTIFY_SMS_MINUTES: 'off' }).SAFEGUARDING_NOTIFY_SMS_MINUTES,
    ).toBe(null);
    expect(outOfChatEnvSchema.safeParse({ SAFEGUARDING_NOTIFY_EMAIL_MINUTES: 'soon' }).success).toBe(false);
  });
});
