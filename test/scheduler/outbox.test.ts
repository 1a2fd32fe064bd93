import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { OutgoingMessage } from '../../core/messages/outgoing-message.ts';
import { message, RESEND_NOTICE } from '../../core/messages/outgoing-message.ts';
import type { ChannelPort, DeliveryResult, DeliveryTarget } from '../../core/ports.ts';
import { ChannelRouter } from '../../scheduler/channel-router.ts';
import { Deliverer } from '../../scheduler/deliver.ts';
import { MemoryRateLimiter } from '../../scheduler/memory-rate-limiter.ts';
import { FieldCipher, parseKeyRing } from '../../store/crypto/field-cipher.ts';
import { OrgRepository } from '../../store/org-repository.ts';
import { OutboxRepository } from '../../store/outbox-repository.ts';
import { StaffRepository } from '../../store/staff-repository.ts';
import { FakeClock } from '../support/clock.ts';
import { createTestDb, providers, type TestDb } from '../support/db.ts';

/** A channel that records sends and answers with scripted results. */
class ScriptedChannel implements ChannelPort {
  readonly platform = 'CONSOLE' as const;
  sent: { key: string; to: string; title: string }[] = [];
  script: DeliveryResult[] = [];
  canReach(): boolean {
    return true;
  }
  async send(
    target: DeliveryTarget,
    m: OutgoingMessage,
    meta: { idempotencyKey: string },
  ): Promise<DeliveryResult> {
    const r = this.script.shift() ?? { outcome: 'sent' };
    if (r.outcome === 'sent')
      this.sent.push({
        key: meta.idempotencyKey,
        to: target.kind === 'person' ? target.staffId : '',
        title: m.title,
      });
    return r;
  }
  async reconcile(key: string) {
    return this.sent.some((s) => s.key === key) ? ('delivered' as const) : ('not_delivered' as const);
  }
}

const silent = { info() {}, warn() {}, error() {} };
const cipher = new FieldCipher(parseKeyRing('t:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8='));

describe.each(providers)('outbox on %s', (provider) => {
  let t: TestDb;
  let clock: FakeClock;
  let outbox: OutboxRepository;
  let channel: ScriptedChannel;
  let staffId: string;
  let orgId: string;
  const deliverer = (worker = 'w1') =>
    new Deliverer(
      outbox,
      new StaffRepository(t.db),
      new ChannelRouter([channel]),
      new OrgRepository(t.db),
      clock,
      silent,
      {
        workerId: worker,
        random: () => 0.5,
        leaseMs: 60_000,
      },
    );

  beforeEach(async () => {
    t = await createTestDb(provider);
    clock = new FakeClock('2026-11-24T10:00:00Z');
    outbox = new OutboxRepository(t.db, cipher, clock, provider);
    channel = new ScriptedChannel();
    const org = await t.db.organisation.create({ data: { name: 'Test school' } });
    orgId = org.id;
    staffId = (
      await t.db.staff.create({ data: { orgId, displayName: 'Sam Officer', email: 'sam@school.example' } })
    ).id;
  });
  afterEach(async () => {
    await t.destroy();
  });

  const msg = (title: string) => message({ kind: 'text', audience: 'private', title });

  it('enqueues a key once: the second enqueue writes nothing', async () => {
    expect(await outbox.enqueue({ idempotencyKey: 'k1', orgId, to: { staffId }, message: msg('one') })).toBe(
      true,
    );
    expect(
      await outbox.enqueue({ idempotencyKey: 'k1', orgId, to: { staffId }, message: msg('one again') }),
    ).toBe(false);
    expect(await t.db.outboxMessage.count()).toBe(1);
  });

  it('stores the payload encrypted', async () => {
    await outbox.enqueue({
      idempotencyKey: 'k1',
      orgId,
      to: { staffId },
      message: msg('Concern about Amelia Brook'),
    });
    const row = await t.db.outboxMessage.findFirstOrThrow();
    expect(row.payloadEnc).not.toContain('Amelia');
    expect(row.payloadEnc.startsWith('v1:t:')).toBe(true);
  });

  it('delivers each message once, in order per person, even with two workers racing', async () => {
    for (let i = 1; i <= 5; i++)
      await outbox.enqueue({ idempotencyKey: `k${i}`, orgId, to: { staffId }, message: msg(`m${i}`) });
    const a = deliverer('a');
    const b = deliverer('b');
    for (let round = 0; round < 10; round++) await Promise.all([a.drainOnce(), b.drainOnce()]);
    expect(channel.sent.map((s) => s.title)).toEqual(['m1', 'm2', 'm3', 'm4', 'm5']);
    expect(await t.db.outboxMessage.count({ where: { state: 'SENT' } })).toBe(5);
  });

  it('a message held for quiet hours does not hold back a later one that is due now', async () => {
    await outbox.enqueue({
      idempotencyKey: 'held',
      orgId,
      to: { staffId },
      message: msg('digest, after quiet hours'),
      notBefore: new Date('2026-11-25T07:30:00Z'),
    });
    await outbox.enqueue({
      idempotencyKey: 'now',
      orgId,
      to: { staffId },
      message: msg('meeting in 1 hour'),
    });
    await deliverer().drainAll();
    expect(channel.sent.map((s) => s.title)).toEqual(['meeting in 1 hour']);
    clock.set('2026-11-25T07:30:00Z');
    await deliverer().drainAll();
    expect(channel.sent.map((s) => s.title)).toEqual(['meeting in 1 hour', 'digest, after quiet hours']);
  });

  it('retries a transient failure with backoff and records every attempt', async () => {
    await outbox.enqueue({ idempotencyKey: 'k1', orgId, to: { staffId }, message: msg('m') });
    channel.script = [{ outcome: 'failed', error: 'HTTP 502', transient: true }];
    const d = deliverer();
    expect((await d.drainOnce()).retrying).toBe(1);
    // Not due again until the backoff has passed.
    expect((await d.drainOnce()).claimed).toBe(0);
    clock.advance(10_000);
    expect((await d.drainOnce()).sent).toBe(1);
    const row = await t.db.outboxMessage.findFirstOrThrow({
      select: { id: true, state: true, attempts: true },
    });
    expect(row).toMatchObject({ state: 'SENT', attempts: 2 });
    const attempts = await outbox.attemptsOf(row.id);
    expect(attempts.map((a) => a.outcome)).toEqual(['FAILED', 'SENT']);
  });

  it('honours Retry-After on 429 and keeps the message', async () => {
    await outbox.enqueue({ idempotencyKey: 'k1', orgId, to: { staffId }, message: msg('m') });
    channel.script = [{ outcome: 'throttled', retryAfterMs: 30_000 }];
    const d = deliverer();
    await d.drainOnce();
    clock.advance(29_000);
    expect((await d.drainOnce()).sent).toBe(0);
    clock.advance(2_000);
    expect((await d.drainOnce()).sent).toBe(1);
    expect(channel.sent).toHaveLength(1);
  });

  it('gives up after maxAttempts and marks the message FAILED', async () => {
    await outbox.enqueue({ idempotencyKey: 'k1', orgId, to: { staffId }, message: msg('m') });
    await t.db.outboxMessage.updateMany({ data: { maxAttempts: 2 } });
    channel.script = [
      { outcome: 'failed', error: 'x', transient: true },
      { outcome: 'failed', error: 'x', transient: true },
    ];
    const d = deliverer();
    await d.drainOnce();
    clock.advance(3_600_000);
    await d.drainOnce();
    expect((await t.db.outboxMessage.findFirstOrThrow()).state).toBe('FAILED');
  });

  it('after a crash mid-delivery, a new worker reconciles instead of sending twice', async () => {
    await outbox.enqueue({ idempotencyKey: 'k1', orgId, to: { staffId }, message: msg('m') });
    // Worker "dead" claims, records its attempt, the platform accepts… and the process dies before recording it.
    const [claimed] = await outbox.claim('dead', 10, 60_000);
    await outbox.beginAttempt(claimed!.id, claimed!.claimToken);
    await channel.send({ kind: 'person', staffId, displayName: 'x' }, claimed!.message, {
      idempotencyKey: 'k1',
    });
    // The lease has not expired yet: nobody else may take it.
    const d = deliverer('restarted');
    expect((await d.drainOnce()).claimed).toBe(0);
    clock.advance(61_000);
    const r = await d.drainOnce();
    expect(r.sent).toBe(1);
    expect(channel.sent).toHaveLength(1);
    // A restart after SENT sends nothing.
    clock.advance(3_600_000);
    expect((await deliverer('third').drainAll()).claimed).toBe(0);
    expect(channel.sent).toHaveLength(1);
  });

  it('on a channel that cannot look a send up, a message left in doubt is sent again marked as a repeat', async () => {
    const texts: string[] = [];
    // As Teams: no reconcile.
    const blind: ChannelPort = {
      platform: 'CONSOLE',
      canReach: () => true,
      async send(_t, m) {
        texts.push(m.text);
        return { outcome: 'sent' };
      },
    };
    const d = (worker: string) =>
      new Deliverer(
        outbox,
        new StaffRepository(t.db),
        new ChannelRouter([blind]),
        new OrgRepository(t.db),
        clock,
        silent,
        {
          workerId: worker,
          random: () => 0.5,
          leaseMs: 60_000,
        },
      );
    await outbox.enqueue({ idempotencyKey: 'k1', orgId, to: { staffId }, message: msg('m') });
    // The first worker dies inside the platform call of k1.
    const [claimed] = await outbox.claim('dead', 1, 60_000);
    await outbox.beginAttempt(claimed!.id, claimed!.claimToken);
    await outbox.enqueue({ idempotencyKey: 'k2', orgId, to: { staffId }, message: msg('n') });
    clock.advance(61_000);
    await d('restarted').drainAll();
    expect(texts).toHaveLength(2);
    expect(texts[0]).toContain(RESEND_NOTICE);
    // A message that was never in doubt goes out as written.
    expect(texts[1]).not.toContain(RESEND_NOTICE);
  });

  it('after a crash before the platform call, the message is sent once by the next worker', async () => {
    await outbox.enqueue({ idempotencyKey: 'k1', orgId, to: { staffId }, message: msg('m') });
    const [claimed] = await outbox.claim('dead', 10, 60_000);
    await outbox.beginAttempt(claimed!.id, claimed!.claimToken);
    clock.advance(61_000);
    await deliverer('restarted').drainAll();
    expect(channel.sent.map((s) => s.key)).toEqual(['k1']);
  });

  it('a 429 heard after a wait for the rate-limit slot closes the limit from the answer, not from before the wait', async () => {
    const keys = [{ key: 'test:tenant', rules: [{ limit: 1, windowMs: 1000 }] }];
    const limited = Object.assign(channel, { limitKey: () => keys });
    const limiter = new MemoryRateLimiter(clock);
    const d = new Deliverer(
      outbox,
      new StaffRepository(t.db),
      new ChannelRouter([limited]),
      new OrgRepository(t.db),
      clock,
      silent,
      {
        workerId: 'w',
        random: () => 0.5,
        rateLimiter: limiter,
        sleep: async (ms) => {
          clock.advance(ms);
        },
      },
    );
    const other = (
      await t.db.staff.create({ data: { orgId, displayName: 'Other', email: 'o@school.example' } })
    ).id;
    await outbox.enqueue({ idempotencyKey: 'k1', orgId, to: { staffId }, message: msg('first') });
    await outbox.enqueue({ idempotencyKey: 'k2', orgId, to: { staffId: other }, message: msg('second') });
    channel.script = [{ outcome: 'sent' }, { outcome: 'throttled', retryAfterMs: 1000 }];
    const start = clock.now().getTime();
    await d.drainOnce();
    // The second send waited ~1 s for its slot, then heard Retry-After: 1 s: closed until ~2 s from start.
    expect(limiter.blockedUntil(keys)).toBeGreaterThan(start + 1900);
    expect(channel.sent.map((s) => s.title)).toEqual(['first']);
  });

  it('a wake-up sends new work at once instead of at the end of the poll interval', async () => {
    const d = deliverer();
    d.start(3_600_000, 1);
    try {
      await vi.waitFor(() => expect(d.idleLoops).toBe(1));
      await outbox.enqueue({
        idempotencyKey: 'k1',
        orgId,
        to: { staffId },
        message: msg('urgent'),
        priority: 0,
      });
      d.wake();
      await vi.waitFor(() => expect(channel.sent.map((s) => s.title)).toEqual(['urgent']), {
        timeout: 20_000,
      });
    } finally {
      await d.stop();
    }
  });

  it('a claim that lost its lease cannot begin an attempt, and the try writes nothing', async () => {
    await outbox.enqueue({ idempotencyKey: 'k1', orgId, to: { staffId }, message: msg('m') });
    const [slow] = await outbox.claim('slow', 10, 60_000);
    clock.advance(61_000);
    // The lease ran out: another worker takes the message (in doubt: no attempt was recorded yet).
    const [taker] = await outbox.claim('taker', 10, 60_000);
    expect(taker!.id).toBe(slow!.id);
    // Both begin in the same turn, so they share one transaction: only the holder gets an attempt.
    const [lost, held] = await Promise.all([
      outbox.beginAttempt(slow!.id, slow!.claimToken, 60_000),
      outbox.beginAttempt(taker!.id, taker!.claimToken, 60_000),
    ]);
    expect(lost).toBeNull();
    expect(held).toBe(1);
    expect(await outbox.beginAttempt(slow!.id, slow!.claimToken, 60_000)).toBeNull();
    const row = await t.db.outboxMessage.findFirstOrThrow({ select: { attempts: true, leaseOwner: true } });
    expect(row).toEqual({ attempts: 1, leaseOwner: taker!.claimToken });
    expect(await t.db.deliveryAttempt.count()).toBe(1);
  });

  it("claims each person's messages in order: the first in line and the run of those behind it", async () => {
    const others = await Promise.all(
      [1, 2, 3].map(
        async (i) =>
          (
            await t.db.staff.create({
              data: { orgId, displayName: `Other ${i}`, email: `o${i}@school.example` },
            })
          ).id,
      ),
    );
    for (const [n, id] of [staffId, ...others].entries())
      for (let i = 1; i <= 3; i++)
        await outbox.enqueue({
          idempotencyKey: `p${n}m${i}`,
          orgId,
          to: { staffId: id },
          message: msg(`p${n}m${i}`),
        });
    const first = await outbox.claim('w', 20, 60_000);
    // Each person's run, in order (on PostgreSQL in one statement, as on SQLite).
    const expected = ['m1', 'm2', 'm3'];
    for (const n of [0, 1, 2, 3])
      expect(first.filter((m) => m.message.title.startsWith(`p${n}`)).map((m) => m.message.title)).toEqual(
        expected.map((e) => `p${n}${e}`),
      );
    // While they are being sent, nothing else of theirs is claimable.
    expect(await outbox.claim('w2', 20, 60_000)).toEqual([]);
    // That claimer dies; once its leases run out the rest go out, each person's in order.
    clock.advance(61_000);
    await deliverer().drainAll();
    for (const [n, id] of [staffId, ...others].entries())
      expect(channel.sent.filter((s) => s.to === id).map((s) => s.title)).toEqual([
        `p${n}m1`,
        `p${n}m2`,
        `p${n}m3`,
      ]);
  });

  it('a run stops at a message to be retried: the later ones wait for it, and order holds', async () => {
    for (let i = 1; i <= 4; i++)
      await outbox.enqueue({ idempotencyKey: `k${i}`, orgId, to: { staffId }, message: msg(`m${i}`) });
    channel.script = [{ outcome: 'sent' }, { outcome: 'failed', error: 'HTTP 502', transient: true }];
    const d = deliverer();
    // One claim takes the run m1…m4.
    expect((await d.drainOnce()).claimed).toBe(4);
    expect(channel.sent.map((s) => s.title)).toEqual(['m1']);
    // m3 and m4 went back without an attempt and cannot overtake m2.
    expect(await t.db.deliveryAttempt.count()).toBe(2);
    expect((await d.drainOnce()).claimed).toBe(0);
    clock.advance(10_000);
    await d.drainAll();
    expect(channel.sent.map((s) => s.title)).toEqual(['m1', 'm2', 'm3', 'm4']);
  });

  it('a run skips a message held for later but stops at one waiting to be retried', async () => {
    const enq = (k: string, notBefore?: Date) =>
      outbox.enqueue({
        idempotencyKey: k,
        orgId,
        to: { staffId },
        message: msg(k),
        ...(notBefore ? { notBefore } : {}),
      });
    await enq('a');
    await enq('held', new Date('2026-11-25T07:30:00Z'));
    await enq('b');
    await enq('c');
    // 'c' is behind a message that is waiting to be retried ('b' made RETRYING, due later).
    await t.db.outboxMessage.updateMany({
      where: { idempotencyKey: 'b' },
      data: { state: 'RETRYING', nextAttemptAt: new Date('2026-11-24T10:05:00Z') },
    });
    const claimed = await outbox.claim('w', 20, 60_000);
    expect(claimed.map((m) => m.idempotencyKey)).toEqual(['a']);
    await outbox.release(claimed[0]!.id, claimed[0]!.claimToken, clock.now());
    clock.set('2026-11-24T10:05:00Z');
    const next = await outbox.claim('w', 20, 60_000);
    expect(next.map((m) => m.idempotencyKey)).toEqual(['a', 'b', 'c']);
  });
});
