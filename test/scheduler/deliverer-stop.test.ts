/**
 * Deliverer.stop (issue 18, scheduler/delivery-stop.ts): a claim query in flight when the stop begins is
 * waited for and given back; the messages of a claimed run not yet sent are given back at once while the
 * send in flight is waited for; a send that never answers holds the stop no longer than its bound.
 */
import { describe, expect, it, vi } from 'vitest';
import type { ChannelPort, DeliveryResult } from '../../core/ports.ts';
import { ChannelRouter } from '../../scheduler/channel-router.ts';
import { Deliverer } from '../../scheduler/deliver.ts';
import { OrgRepository } from '../../store/org-repository.ts';
import { StaffRepository } from '../../store/staff-repository.ts';
import { providers } from '../support/db.ts';
import { msg, type OutboxFixture, outboxEach } from './outbox-fixture.ts';

/** A chat channel whose sends wait until `answer()` is called. */
function heldChannel() {
  const started: string[] = [];
  const waiting: ((r: DeliveryResult) => void)[] = [];
  const channel: ChannelPort = {
    platform: 'CONSOLE',
    canReach: () => true,
    send: (_t, m) =>
      new Promise<DeliveryResult>((resolve) => {
        started.push(m.title);
        waiting.push(resolve);
      }),
  };
  return { channel, started, answer: () => waiting.shift()?.({ outcome: 'sent' }) };
}

describe.each(providers)('Deliverer.stop on %s', (provider) => {
  let f: OutboxFixture;
  outboxEach(provider, (x) => {
    f = x;
  });
  const warnings: string[] = [];
  const deliverer = (through: ChannelPort) =>
    new Deliverer(
      f.outbox,
      new StaffRepository(f.t.db),
      new ChannelRouter([through]),
      new OrgRepository(f.t.db),
      f.clock,
      { info() {}, warn: (_o, m) => warnings.push(m), error() {} },
      { workerId: 'w1', random: () => 0.5, leaseMs: 60_000 },
    );
  const enqueue = async (...titles: string[]) => {
    for (const title of titles)
      await f.outbox.enqueue({
        idempotencyKey: title,
        orgId: f.orgId,
        to: { staffId: f.staffId },
        message: msg(title),
      });
  };
  const states = async () =>
    (await f.t.db.outboxMessage.findMany({ orderBy: { sequence: 'asc' } })).map(
      (r) => `${r.idempotencyKey}:${r.state}:${r.leaseOwner ?? '-'}`,
    );

  it('waits for a claim query in flight and gives its claims back, nothing sent', async () => {
    await enqueue('m1', 'm2');
    const held = heldChannel();
    const d = deliverer(held.channel);
    let open!: () => void;
    const gate = new Promise<void>((r) => {
      open = r;
    });
    const claim = f.outbox.claim.bind(f.outbox);
    let claiming = false;
    f.outbox.claim = async (...args) => {
      claiming = true;
      const won = await claim(...args);
      await gate;
      return won;
    };
    const drain = d.drainOnce();
    await vi.waitFor(() => expect(claiming).toBe(true));
    let stopped = false;
    const stop = d.stop().then(() => {
      stopped = true;
    });
    await new Promise((r) => setImmediate(r));
    expect(stopped).toBe(false); // the claim in flight is waited for
    open();
    await stop;
    expect((await drain).retrying).toBe(2);
    expect(held.started).toEqual([]);
    expect(await states()).toEqual(['m1:RETRYING:-', 'm2:RETRYING:-']);
  });

  it('gives back the rest of a run at once and waits for the send in flight', async () => {
    await enqueue('m1', 'm2', 'm3');
    const held = heldChannel();
    const d = deliverer(held.channel);
    const drain = d.drainOnce();
    await vi.waitFor(() => expect(held.started).toEqual(['m1']), { timeout: 10_000 });
    const stop = d.stop();
    await vi.waitFor(
      async () => expect((await states()).slice(1)).toEqual(['m2:RETRYING:-', 'm3:RETRYING:-']),
      {
        timeout: 10_000,
      },
    );
    held.answer();
    await stop;
    const report = await drain;
    expect(report).toMatchObject({ sent: 1, retrying: 2 });
    expect(await states()).toEqual(['m1:SENT:-', 'm2:RETRYING:-', 'm3:RETRYING:-']);
    expect(held.started).toEqual(['m1']);
  });

  it('stops waiting for a send that never answers after its bound, and says so', async () => {
    await enqueue('m1');
    const held = heldChannel();
    const d = deliverer(held.channel);
    const drain = d.drainOnce();
    await vi.waitFor(() => expect(held.started).toEqual(['m1']), { timeout: 10_000 });
    await d.stop(50);
    expect(warnings.some((w) => w.startsWith('stopped waiting for deliveries in flight'))).toBe(true);
    expect(await states()).toEqual(['m1:SENDING:w1#1']);
    held.answer();
    expect((await drain).sent).toBe(1);
  });
});
