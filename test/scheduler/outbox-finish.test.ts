/**
 * A group of attempt finishes (store/outbox-attempts-sqlite.ts on SQLite, store/outbox-attempts-pg.ts on
 * PostgreSQL): every field written as Prisma reads it back, a message moved only by the claim holding it,
 * and the same claim twice in one group moving it once.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { message } from '../../core/messages/outgoing-message.ts';
import { FieldCipher, parseKeyRing } from '../../store/crypto/field-cipher.ts';
import { OutboxRepository } from '../../store/outbox-repository.ts';
import { FakeClock } from '../support/clock.ts';
import { createTestDb, providers, type TestDb } from '../support/db.ts';

const cipher = new FieldCipher(parseKeyRing('t:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8='));

describe.each(providers)('finishing attempts on %s', (provider) => {
  let t: TestDb;
  beforeEach(async () => {
    t = await createTestDb(provider);
  });
  afterEach(async () => {
    await t.destroy();
  });

  it('writes each finish in one group, only for the claim that holds the message', async () => {
    const clock = new FakeClock('2026-12-06T10:00:00Z');
    const outbox = new OutboxRepository(t.db, cipher, clock, provider);
    const orgId = (await t.db.organisation.create({ data: { name: 'Test school' } })).id;
    const people: string[] = [];
    for (let i = 0; i < 3; i++)
      people.push(
        (await t.db.staff.create({ data: { orgId, displayName: `P ${i}`, email: `p${i}@school.example` } }))
          .id,
      );
    for (const [i, staffId] of people.entries())
      await outbox.enqueue({
        idempotencyKey: `k${i}`,
        orgId,
        to: { staffId },
        message: message({ kind: 'text', audience: 'private', title: `m${i}` }),
      });
    const claimed = await outbox.claim('w', 10, 60_000);
    expect(claimed).toHaveLength(3);
    const [a, b, c] = [0, 1, 2].map((i) => claimed.find((m) => m.idempotencyKey === `k${i}`)!);
    const attempt = await Promise.all([a, b, c].map((m) => outbox.beginAttempt(m!.id, m!.claimToken)));
    expect(attempt).toEqual([1, 1, 1]);
    clock.advance(1000);
    const retryAt = new Date('2026-12-06T10:05:00.123Z');
    // One group: a sent, b retried, c finished by a claim that does not hold it, a again (same claim).
    const moved = await Promise.all([
      outbox.finishAttempt(a!.id, a!.claimToken, 1, 'SENT', { state: 'SENT', platformRef: 'notify:ref-a' }),
      outbox.finishAttempt(b!.id, b!.claimToken, 1, 'THROTTLED', {
        state: 'RETRYING',
        nextAttemptAt: retryAt,
        retryAfterMs: 30_000,
        error: 'throttled',
      }),
      outbox.finishAttempt(c!.id, 'someone-else#9', 1, 'SENT', { state: 'SENT' }),
      outbox.finishAttempt(a!.id, a!.claimToken, 1, 'SENT', { state: 'SENT', platformRef: 'notify:ref-a' }),
    ]);
    expect(moved).toEqual([true, true, false, false]);
    const rows = await t.db.outboxMessage.findMany({ orderBy: { idempotencyKey: 'asc' } });
    expect(rows.map((r) => [r.idempotencyKey, r.state, r.leaseOwner, r.platformRef])).toEqual([
      ['k0', 'SENT', null, 'notify:ref-a'],
      ['k1', 'RETRYING', null, null],
      ['k2', 'SENDING', c!.claimToken, null],
    ]);
    expect(rows[0]!.sentAt?.toISOString()).toBe('2026-12-06T10:00:01.000Z');
    expect(rows[1]!.nextAttemptAt.toISOString()).toBe(retryAt.toISOString());
    expect(rows[1]!.lastError).toBe('throttled');
    const attempts = await t.db.deliveryAttempt.findMany({ orderBy: { messageId: 'asc' } });
    const of = (id: string) => attempts.find((x) => x.messageId === id)!;
    expect([of(a!.id).outcome, of(a!.id).finishedAt?.toISOString(), of(a!.id).error]).toEqual([
      'SENT',
      '2026-12-06T10:00:01.000Z',
      null,
    ]);
    expect([of(b!.id).outcome, of(b!.id).retryAfterMs, of(b!.id).error]).toEqual([
      'THROTTLED',
      30_000,
      'throttled',
    ]);
    // The message it did not hold is left to its holder (its attempt row is closed, as on PostgreSQL).
    expect(rows[2]!.state).toBe('SENDING');
    // Later, a claim due again after the retry time finds b as it was written.
    clock.set(new Date('2026-12-06T10:05:01Z'));
    const again = await outbox.claim('w2', 10, 60_000);
    expect(again.map((m) => m.idempotencyKey)).toContain('k1');
  });

  it('gives a group of claims back in one go, only those the caller holds', async () => {
    const clock = new FakeClock('2026-12-06T10:00:00Z');
    const outbox = new OutboxRepository(t.db, cipher, clock, provider);
    const orgId = (await t.db.organisation.create({ data: { name: 'Test school' } })).id;
    const staffId = (
      await t.db.staff.create({ data: { orgId, displayName: 'P', email: 'p@school.example' } })
    ).id;
    for (const k of ['r1', 'r2', 'r3'])
      await outbox.enqueue({
        idempotencyKey: k,
        orgId,
        to: { staffId },
        message: message({ kind: 'text', audience: 'private', title: k }),
      });
    const run = await outbox.claim('w', 5, 60_000);
    expect(run.map((m) => m.idempotencyKey)).toEqual(['r1', 'r2', 'r3']);
    const later = new Date('2026-12-06T10:00:30.250Z');
    await Promise.all([
      outbox.release(run[1]!.id, run[1]!.claimToken, later, 'waiting for an earlier message'),
      outbox.release(run[2]!.id, 'someone-else#3', later, 'not mine'),
    ]);
    const rows = await t.db.outboxMessage.findMany({ orderBy: { idempotencyKey: 'asc' } });
    expect(rows.map((r) => [r.idempotencyKey, r.state, r.leaseOwner, r.lastError])).toEqual([
      ['r1', 'SENDING', run[0]!.claimToken, null],
      ['r2', 'RETRYING', null, 'waiting for an earlier message'],
      ['r3', 'SENDING', run[2]!.claimToken, null],
    ]);
    expect(rows[1]!.nextAttemptAt.toISOString()).toBe(later.toISOString());
  });
});
