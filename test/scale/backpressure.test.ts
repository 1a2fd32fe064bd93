/**
 * Backpressure: a Monday-morning backlog drains at the platform's pace without using up tries; an
 * urgent safeguarding message (priority 0) enqueued behind thousands of digests goes out first;
 * /healthz reports the depth and the age of the oldest undelivered message. And the scheduler lease:
 * with two replicas on one database exactly one runs each tick, and the other takes over when it stops.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { healthReport } from '../../app/server.ts';
import { message } from '../../core/messages/outgoing-message.ts';
import type { ChannelPort, DeliveryResult, DeliveryTarget, RateLimitKey } from '../../core/ports.ts';
import { ChannelRouter } from '../../scheduler/channel-router.ts';
import { Deliverer } from '../../scheduler/deliver.ts';
import { Scheduler } from '../../scheduler/tick.ts';
import { FieldCipher, parseKeyRing } from '../../store/crypto/field-cipher.ts';
import { LeaseRepository } from '../../store/lease-repository.ts';
import { OrgRepository } from '../../store/org-repository.ts';
import { OutboxRepository } from '../../store/outbox-repository.ts';
import { RateLimitRepository } from '../../store/rate-limit-repository.ts';
import { StaffRepository } from '../../store/staff-repository.ts';
import { FakeClock } from '../support/clock.ts';
import { createTestDb, providers, type TestDb } from '../support/db.ts';
import { startTestHub } from '../support/hub.ts';

/** A Teams-like channel that records sends and counts against one tenant-wide rule of 5 per second. */
class LimitedChannel implements ChannelPort {
  readonly platform = 'TEAMS' as const;
  sent: { title: string; at: number }[] = [];
  constructor(private readonly clock: FakeClock) {}
  canReach(): boolean {
    return true;
  }
  limitKey(): RateLimitKey[] {
    return [{ key: 'test:tenant', rules: [{ limit: 5, windowMs: 1000 }] }];
  }
  async send(_t: DeliveryTarget, m: { title: string }): Promise<DeliveryResult> {
    this.sent.push({ title: m.title, at: this.clock.now().getTime() });
    return { outcome: 'sent' };
  }
}

const silent = { info() {}, warn() {}, error() {} };
const cipher = new FieldCipher(parseKeyRing('t:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8='));

describe.each(providers)('backpressure on %s', (provider) => {
  let t: TestDb;
  let clock: FakeClock;
  let outbox: OutboxRepository;
  let orgId: string;
  let staffIds: string[];
  beforeEach(async () => {
    t = await createTestDb(provider);
    clock = new FakeClock('2026-11-23T08:00:00Z');
    outbox = new OutboxRepository(t.db, cipher, clock, provider);
    orgId = (await t.db.organisation.create({ data: { name: 'Trust' } })).id;
    staffIds = [];
    for (let i = 0; i < 30; i++)
      staffIds.push(
        (await t.db.staff.create({ data: { orgId, displayName: `S${i}`, email: `s${i}@t.example` } })).id,
      );
  });
  afterEach(async () => {
    await t.destroy();
  });

  it('drains a digest backlog at the platform pace, urgent first, without using up tries', async () => {
    for (let i = 0; i < 60; i++)
      await outbox.enqueue({
        idempotencyKey: `digest-${i}`,
        orgId,
        to: { staffId: staffIds[i % 30]! },
        message: message({ kind: 'text', audience: 'private', title: `digest ${i}` }),
        priority: 9,
      });
    await outbox.enqueue({
      idempotencyKey: 'concern-1',
      orgId,
      to: { staffId: staffIds[3]! },
      message: message({ kind: 'text', audience: 'private', title: 'urgent concern', urgent: true }),
      priority: 0,
    });
    const channel = new LimitedChannel(clock);
    const d = new Deliverer(
      outbox,
      new StaffRepository(t.db),
      new ChannelRouter([channel]),
      new OrgRepository(t.db),
      clock,
      silent,
      {
        workerId: 'w',
        batchSize: 20,
        parallel: 1,
        rateLimiter: new RateLimitRepository(t.db, clock, provider),
        // Waiting moves the fake clock, as real time would pass.
        sleep: async (ms) => {
          clock.advance(ms);
        },
      },
    );
    for (let round = 0; round < 200 && channel.sent.length < 61; round++) {
      await d.drainOnce();
      clock.advance(200);
    }
    expect(channel.sent).toHaveLength(61);
    expect(channel.sent[0]!.title).toBe('urgent concern');
    // At most 5 in any second, as the platform allows.
    const times = channel.sent.map((s) => s.at);
    for (const at of times)
      expect(times.filter((x) => x >= at && x < at + 1000).length).toBeLessThanOrEqual(5);
    // Waiting for a slot is not a failed try.
    const rows = await t.db.outboxMessage.findMany({ select: { state: true, attempts: true } });
    expect(rows.every((r) => r.state === 'SENT' && r.attempts === 1)).toBe(true);
  });
});

describe.each(providers)('/healthz outbox figures on %s', (provider) => {
  it('reports the depth and the age of the oldest undelivered message', async () => {
    const th = await startTestHub(provider, { modules: [] });
    try {
      const org = await th.hub.dbh.db.organisation.create({ data: { name: 'H' } });
      const s = await th.hub.dbh.db.staff.create({
        data: { orgId: org.id, displayName: 'A', email: 'a@h.example' },
      });
      for (const k of ['a', 'b'])
        await th.hub.outbox.enqueue({
          idempotencyKey: k,
          orgId: org.id,
          to: { staffId: s.id },
          message: message({ kind: 'text', audience: 'private', title: k }),
        });
      th.clock.advanceMinutes(7);
      const r = await healthReport(th.hub);
      expect(r.outbox).toMatchObject({ depth: 2, oldestPendingAgeSeconds: 420 });
      await th.hub.deliverer.drainAll();
      expect((await healthReport(th.hub)).outbox).toMatchObject({ depth: 0, oldestPendingAgeSeconds: 0 });
    } finally {
      await th.close();
    }
  });
});

describe.each(providers)('scheduler lease on %s', (provider) => {
  let t: TestDb;
  afterEach(async () => {
    await t.destroy();
  });

  it('runs each tick on exactly one of two replicas, and hands over when the leader stops or dies', async () => {
    t = await createTestDb(provider);
    const clock = new FakeClock('2026-11-24T08:00:00Z');
    const runs: string[] = [];
    const replica = (name: string) => {
      const count = async () => {
        runs.push(name);
        return {};
      };
      const s = new Scheduler([{ name: 'count', run: count }], clock, silent);
      s.useLease(new LeaseRepository(t.db, clock), name, 60_000);
      return s;
    };
    const a = replica('a');
    const b = replica('b');
    for (let i = 0; i < 5; i++) {
      await Promise.all([a.tick(), b.tick()]);
      clock.advance(20_000);
    }
    expect(runs).toHaveLength(5);
    expect(new Set(runs).size).toBe(1);
    const leader = runs[0]!;
    const [lead, other] = leader === 'a' ? [a, b] : [b, a];
    // A clean stop hands over at once.
    await lead.stop();
    runs.length = 0;
    await other.tick();
    expect(runs).toEqual([leader === 'a' ? 'b' : 'a']);
    // A dead leader (no renewals) loses the lease once it expires.
    const c = replica('c');
    runs.length = 0;
    await c.tick();
    expect(runs).toEqual([]);
    clock.advance(61_000);
    await c.tick();
    expect(runs).toEqual(['c']);
  });
});
