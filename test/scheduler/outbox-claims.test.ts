/**
 * An outbox claim: a claim whose lease ran out cannot begin an attempt; each person's messages are claimed
 * in order, the first in line with the run behind it; a run stops at a message to be retried and skips one
 * held for later. The deliverer's sends and retries: outbox.test.ts.
 */
import { describe, expect, it } from 'vitest';
import type { OutboxRepository } from '../../store/outbox-repository.ts';
import type { FakeClock } from '../support/clock.ts';
import { providers, type TestDb } from '../support/db.ts';
import { msg, type OutboxFixture, outboxEach, type ScriptedChannel } from './outbox-fixture.ts';

describe.each(providers)('outbox claims on %s', (provider) => {
  let t: TestDb;
  let clock: FakeClock;
  let outbox: OutboxRepository;
  let channel: ScriptedChannel;
  let staffId: string;
  let orgId: string;
  let deliverer: OutboxFixture['deliverer'];
  outboxEach(provider, (f) => {
    ({ t, clock, outbox, channel, staffId, orgId, deliverer } = f);
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
