/**
 * Several hub replicas on one PostgreSQL database (issue 9, "Done when"): three replica processes deliver
 * a backlog to a loopback fake Teams; one is SIGKILLed mid-delivery; every message still arrives exactly
 * once, and each person's messages arrive in order.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakePlatform } from '../../bench/support/fake-platform.ts';
import { seedOutbox } from '../../bench/support/seed-outbox.ts';
import { FieldCipher, parseKeyRing } from '../../store/crypto/field-cipher.ts';
import { createTestDb, pgAvailable, type TestDb } from '../support/db.ts';
import { type Replica, startReplica, stopReplica, until } from './replica-harness.ts';

const cipher = new FieldCipher(parseKeyRing('bench1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8='));

describe.runIf(pgAvailable)('three replicas on PostgreSQL', () => {
  let t: TestDb;
  let platform: FakePlatform;
  let replicas: Replica[] = [];

  beforeEach(async () => {
    t = await createTestDb('postgres');
    // Some latency, so that a kill lands while sends are in flight.
    platform = new FakePlatform({ latencyMs: 15 });
    await platform.start();
  });
  afterEach(async () => {
    await Promise.all(replicas.map(stopReplica));
    replicas = [];
    await platform.stop();
    await t.destroy();
  });

  it('delivers every message exactly once and in order per person when one replica is SIGKILLed', async () => {
    const people = 40;
    const perPerson = 6;
    const seeded = await seedOutbox(t.db, cipher, { people, perPerson, now: new Date(Date.now() - 1000) });
    const env = {
      DATABASE_URL: t.url,
      PLATFORM_URL: platform.url,
      LEASE_MS: '5000',
      BATCH: '10',
      PARALLEL: '5',
    };
    replicas = await Promise.all(['r1', 'r2', 'r3'].map((id) => startReplica(id, env)));

    // Kill r1 mid-delivery: once it has sends of its own behind it (on a loaded machine one replica can
    // start seconds after the others) and the backlog is well under way.
    await until(
      async () =>
        platform.accepted.length >= 40 && (await t.db.deliveryAttempt.count({ where: { worker: 'r1' } })) > 0,
    );
    replicas[0]!.child.kill('SIGKILL');
    await replicas[0]!.exited;

    await until(async () => (await t.db.outboxMessage.count({ where: { state: 'SENT' } })) === seeded.total);

    expect(platform.duplicates()).toEqual([]);
    expect(platform.accepted).toHaveLength(seeded.total);
    expect(new Set(platform.accepted.map((a) => a.key)).size).toBe(seeded.total);
    for (let p = 0; p < people; p++) {
      const order = platform.accepted
        .filter((a) => a.conversation === `conv-${p}`)
        .map((a) => Number(a.title.split(' n')[1]));
      expect(order).toEqual(Array.from({ length: perPerson }, (_, i) => i + 1));
    }
    // Work really was shared, and the dead replica's claims were taken over.
    const workers = await t.db.deliveryAttempt.groupBy({ by: ['worker'], _count: { _all: true } });
    expect(workers.map((w) => w.worker).sort()).toEqual(['r1', 'r2', 'r3']);
    // Every send the dead replica left open was finished by a survivor: reconciled (it had reached the
    // platform) or sent (it had not); either way exactly once, as the platform's record shows above.
    const orphaned = await t.db.deliveryAttempt.findMany({
      where: { worker: 'r1', finishedAt: null },
      select: { messageId: true },
    });
    for (const o of orphaned) {
      const after = await t.db.deliveryAttempt.findMany({
        where: { messageId: o.messageId, worker: { in: ['r2', 'r3'] }, outcome: 'SENT' },
      });
      expect(after).toHaveLength(1);
    }
    expect(await t.db.outboxMessage.count({ where: { state: { not: 'SENT' } } })).toBe(0);
  }, 120_000);
});
