/**
 * The outbox and its deliverer: each message once (idempotency key, two workers racing), encrypted at
 * rest, held for quiet hours without holding back others, retried with backoff, Retry-After honoured,
 * given up after maxAttempts, reconciled or re-sent after a crash; a 429 after a slot wait; a wake-up.
 * Claims, leases and each person's run in order: outbox-claims.test.ts.
 */
import { describe, expect, it, vi } from 'vitest';
import { RESEND_NOTICE } from '../../core/messages/outgoing-message.ts';
import type { ChannelPort } from '../../core/ports.ts';
import { ChannelRouter } from '../../scheduler/channel-router.ts';
import { Deliverer } from '../../scheduler/deliver.ts';
import { MemoryRateLimiter } from '../../scheduler/memory-rate-limiter.ts';
import { OrgRepository } from '../../store/org-repository.ts';
import type { OutboxRepository } from '../../store/outbox-repository.ts';
import { StaffRepository } from '../../store/staff-repository.ts';
import type { FakeClock } from '../support/clock.ts';
import { providers, type TestDb } from '../support/db.ts';
import { msg, type OutboxFixture, outboxEach, type ScriptedChannel, silent } from './outbox-fixture.ts';

describe.each(providers)('outbox on %s', (provider) => {
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

  it('a 429 uses up no try: after two throttles, a message allowed two tries still gets both', async () => {
    await outbox.enqueue({ idempotencyKey: 'k1', orgId, to: { staffId }, message: msg('m') });
    await t.db.outboxMessage.updateMany({ data: { maxAttempts: 2 } });
    channel.script = [
      { outcome: 'throttled', retryAfterMs: 1_000 },
      { outcome: 'throttled', retryAfterMs: 1_000 },
      { outcome: 'failed', error: 'HTTP 502', transient: true },
      { outcome: 'failed', error: 'HTTP 502', transient: true },
    ];
    const d = deliverer();
    const states: string[] = [];
    for (let i = 0; i < 4; i++) {
      await d.drainOnce();
      states.push((await t.db.outboxMessage.findFirstOrThrow()).state);
      clock.advance(3_600_000);
    }
    // Attempts 3 and 4 are its two tries: the third is retried, the fourth gives up.
    expect(states).toEqual(['RETRYING', 'RETRYING', 'RETRYING', 'FAILED']);
    const row = await t.db.outboxMessage.findFirstOrThrow({ select: { id: true } });
    expect((await outbox.attemptsOf(row.id)).map((a) => a.outcome)).toEqual([
      'THROTTLED',
      'THROTTLED',
      'FAILED',
      'FAILED',
    ]);
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
    const d = (worker: string) => deliverer(worker, blind);
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
});
