/**
 * The delivery loop serves every person's e-mail or SMS run of a claim at once, whatever `parallel` says
 * for chat (scheduler/deliver.ts; issue 16's burst: 1,000 SMS due in the same instant), and still sends
 * each person's messages in order, each once; and writes the burst's attempts in a few group commits,
 * not a statement per answer (issue 18).
 */

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { message, type OutgoingMessage } from '../../core/messages/outgoing-message.ts';
import type { ChannelPort, DeliveryResult, DeliveryTarget } from '../../core/ports.ts';
import { ChannelRouter } from '../../scheduler/channel-router.ts';
import { Deliverer } from '../../scheduler/deliver.ts';
import { FieldCipher, parseKeyRing } from '../../store/crypto/field-cipher.ts';
import type { Db } from '../../store/db.ts';
import { OrgRepository } from '../../store/org-repository.ts';
import { OutboxRepository } from '../../store/outbox-repository.ts';
import { StaffRepository } from '../../store/staff-repository.ts';
import { FakeClock } from '../support/clock.ts';
import { createTestDb, providers, type TestDb } from '../support/db.ts';

const cipher = new FieldCipher(parseKeyRing('t:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8='));
const silent = { info() {}, warn() {}, error() {} };

/** SMS: each send waits until `people` sends are in flight at once (it never opens if they go one by one). */
class GatedSms implements ChannelPort {
  readonly platform = 'SMS' as const;
  readonly sent: { to: string; key: string }[] = [];
  inFlight = 0;
  peak = 0;
  private waiting: (() => void)[] = [];
  constructor(private readonly people: number) {}
  canReach(target: DeliveryTarget): boolean {
    return target.kind === 'person';
  }
  async send(
    t: DeliveryTarget,
    _m: OutgoingMessage,
    meta: { idempotencyKey: string },
  ): Promise<DeliveryResult> {
    this.inFlight++;
    this.peak = Math.max(this.peak, this.inFlight);
    if (this.peak < this.people) await new Promise<void>((r) => this.waiting.push(r));
    else for (const w of this.waiting.splice(0)) w();
    this.inFlight--;
    this.sent.push({ to: t.kind === 'person' ? t.staffId : '', key: meta.idempotencyKey });
    return { outcome: 'sent', platformRef: meta.idempotencyKey };
  }
}

/** SMS answered like an HTTP provider: each answer comes back on its own timer, a few ms apart. */
class SpreadSms implements ChannelPort {
  readonly platform = 'SMS' as const;
  readonly sent: { to: string; key: string }[] = [];
  canReach(target: DeliveryTarget): boolean {
    return target.kind === 'person';
  }
  async send(
    t: DeliveryTarget,
    _m: OutgoingMessage,
    meta: { idempotencyKey: string },
  ): Promise<DeliveryResult> {
    await new Promise((r) => setTimeout(r, 1 + (this.sent.length % 7)));
    this.sent.push({ to: t.kind === 'person' ? t.staffId : '', key: meta.idempotencyKey });
    return { outcome: 'sent', platformRef: meta.idempotencyKey };
  }
}

/** The client with its transactions and raw statements counted (the delivery loop's writes and claims). */
function counted(db: Db): { db: Db; count: () => number; reset: () => void } {
  let n = 0;
  const proxy = new Proxy(db, {
    get(target, prop) {
      const v = Reflect.get(target, prop);
      if (typeof v !== 'function') return v;
      if (prop === '$transaction' || prop === '$queryRawUnsafe' || prop === '$executeRawUnsafe')
        return (...args: unknown[]) => {
          n++;
          return (v as (...a: unknown[]) => unknown).apply(target, args);
        };
      return v.bind(target);
    },
  });
  return {
    db: proxy,
    count: () => n,
    reset: () => {
      n = 0;
    },
  };
}

describe.each(providers)('out-of-chat runs on %s', (provider) => {
  let t: TestDb;
  beforeEach(async () => {
    t = await createTestDb(provider);
  });
  afterEach(async () => {
    await t.destroy();
  });

  it('sends three people’s SMS runs at once with parallel 1, each person’s in order, each once', async () => {
    const clock = new FakeClock('2026-12-06T10:00:00Z');
    const outbox = new OutboxRepository(t.db, cipher, clock, provider);
    const orgId = (await t.db.organisation.create({ data: { name: 'Test school' } })).id;
    const staff: string[] = [];
    for (let i = 0; i < 3; i++)
      staff.push(
        (await t.db.staff.create({ data: { orgId, displayName: `DSL ${i}`, email: `d${i}@school.example` } }))
          .id,
      );
    for (let n = 1; n <= 3; n++)
      for (const staffId of staff)
        await outbox.enqueue({
          idempotencyKey: `${staffId}:${n}`,
          orgId,
          to: { staffId },
          priority: 0,
          via: 'SMS',
          message: message({
            kind: 'concern_alert_external',
            audience: 'private',
            urgent: true,
            title: 'A safeguarding concern needs you',
          }),
        });
    const sms = new GatedSms(3);
    const deliverer = new Deliverer(
      outbox,
      new StaffRepository(t.db),
      new ChannelRouter([sms]),
      new OrgRepository(t.db),
      clock,
      silent,
      { workerId: 'w', parallel: 1, random: () => 0.5 },
    );
    const r = await deliverer.drainAll(10);
    expect(r.sent).toBe(9);
    expect(sms.peak).toBe(3);
    for (const staffId of staff)
      expect(sms.sent.filter((s) => s.to === staffId).map((s) => s.key)).toEqual([
        `${staffId}:1`,
        `${staffId}:2`,
        `${staffId}:3`,
      ]);
    expect(await t.db.outboxMessage.count({ where: { state: 'SENT' } })).toBe(9);
    // Each sent message's finish was written (most with the next message's begin): every attempt closed.
    expect(await t.db.deliveryAttempt.count({ where: { outcome: 'SENT', finishedAt: { not: null } } })).toBe(
      9,
    );
  });

  it('writes a sent message’s finish even when the next message of its run fails before its begin', async () => {
    const clock = new FakeClock('2026-12-06T10:00:00Z');
    const outbox = new OutboxRepository(t.db, cipher, clock, provider);
    const orgId = (await t.db.organisation.create({ data: { name: 'Test school' } })).id;
    const staffId = (
      await t.db.staff.create({ data: { orgId, displayName: 'DSL', email: 'dsl@school.example' } })
    ).id;
    for (const n of [1, 2, 3])
      await outbox.enqueue({
        idempotencyKey: `sms:${n}`,
        orgId,
        to: { staffId },
        priority: 0,
        via: 'SMS',
        message: message({
          kind: 'concern_alert_external',
          audience: 'private',
          urgent: true,
          title: 'A concern',
        }),
      });
    // The route of the second message throws (a bug, a lost connection): the first was sent already.
    const sms = new GatedSms(1);
    let routes = 0;
    class FlakyRouter extends ChannelRouter {
      override forVia(...args: Parameters<ChannelRouter['forVia']>) {
        if (++routes === 2) throw new Error('route lookup failed');
        return super.forVia(...args);
      }
    }
    const deliverer = new Deliverer(
      outbox,
      new StaffRepository(t.db),
      new FlakyRouter([sms]),
      new OrgRepository(t.db),
      clock,
      silent,
      { workerId: 'w', random: () => 0.5 },
    );
    await expect(deliverer.drainOnce()).rejects.toThrow('route lookup failed');
    expect(sms.sent.map((s) => s.key)).toEqual(['sms:1']);
    const rows = await t.db.outboxMessage.findMany({ orderBy: { sequence: 'asc' }, select: { state: true } });
    expect(rows.map((r) => r.state)).toEqual(['SENT', 'SENDING', 'SENDING']);
    const attempts = await t.db.deliveryAttempt.findMany({ select: { outcome: true, finishedAt: true } });
    expect(attempts).toEqual([{ outcome: 'SENT', finishedAt: expect.any(Date) }]);
  });

  it('writes 20 people’s SMS runs, answered a few ms apart, in a few dozen group commits', async () => {
    const clock = new FakeClock('2026-12-06T10:00:00Z');
    const c = counted(t.db);
    const outbox = new OutboxRepository(c.db, cipher, clock, provider, c.db);
    const orgId = (await t.db.organisation.create({ data: { name: 'Test school' } })).id;
    const staff: string[] = [];
    for (let i = 0; i < 20; i++)
      staff.push(
        (await t.db.staff.create({ data: { orgId, displayName: `DSL ${i}`, email: `d${i}@school.example` } }))
          .id,
      );
    for (let n = 1; n <= 5; n++)
      for (const staffId of staff)
        await outbox.enqueue({
          idempotencyKey: `${staffId}:${n}`,
          orgId,
          to: { staffId },
          priority: 0,
          via: 'SMS',
          message: message({
            kind: 'concern_alert_external',
            audience: 'private',
            urgent: true,
            title: 'A concern',
          }),
        });
    const sms = new SpreadSms();
    const deliverer = new Deliverer(
      outbox,
      new StaffRepository(t.db),
      new ChannelRouter([sms]),
      new OrgRepository(t.db),
      clock,
      silent,
      { workerId: 'w', random: () => 0.5 },
    );
    c.reset();
    const r = await deliverer.drainAll(10);
    expect(r.sent).toBe(100);
    for (const staffId of staff)
      expect(sms.sent.filter((s) => s.to === staffId).map((s) => s.key)).toEqual(
        [1, 2, 3, 4, 5].map((n) => `${staffId}:${n}`),
      );
    expect(await t.db.deliveryAttempt.count({ where: { outcome: 'SENT', finishedAt: { not: null } } })).toBe(
      100,
    );
    // 100 begins and 100 finishes, plus the claims: a statement per answer was 100 finishes alone on
    // PostgreSQL (each answer a group of its own); in step, each turn is one or two groups.
    expect(c.count()).toBeLessThan(40);
  });
});
