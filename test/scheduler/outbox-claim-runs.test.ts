/**
 * A claim takes, per person, the first message in line and the run of due messages behind it (issue 18,
 * "One DSL's burst on PostgreSQL"): on SQLite with portable updates, on PostgreSQL in one
 * `FOR UPDATE SKIP LOCKED` statement (store/outbox-claim.ts). Both providers; the gap and race cases are
 * PostgreSQL's own (row locks held by other connections, claims from several replicas at once).
 */
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { message } from '../../core/messages/outgoing-message.ts';
import { FieldCipher, parseKeyRing } from '../../store/crypto/field-cipher.ts';
import { createDb } from '../../store/db.ts';
import { OutboxRepository } from '../../store/outbox-repository.ts';
import { FakeClock } from '../support/clock.ts';
import { createTestDb, providers, type TestDb } from '../support/db.ts';

const cipher = new FieldCipher(parseKeyRing('t:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8='));

describe.each(providers)('claiming runs on %s', (provider) => {
  let t: TestDb;
  let clock: FakeClock;
  let outbox: OutboxRepository;
  let orgId: string;
  let staffIds: string[];

  beforeEach(async () => {
    t = await createTestDb(provider);
    clock = new FakeClock('2026-11-24T10:00:00Z');
    outbox = new OutboxRepository(t.db, cipher, clock, provider);
    orgId = (await t.db.organisation.create({ data: { name: 'Test school' } })).id;
    staffIds = [];
    for (let i = 0; i < 4; i++)
      staffIds.push(
        (
          await t.db.staff.create({
            data: { orgId, displayName: `Staff ${i}`, email: `s${i}@school.example` },
          })
        ).id,
      );
  });
  afterEach(async () => {
    await t.destroy();
  });

  const enqueue = (key: string, staffId = staffIds[0]!) =>
    outbox.enqueue({
      idempotencyKey: key,
      orgId,
      to: { staffId },
      message: message({ kind: 'text', audience: 'private', title: key }),
    });

  it('takes at most ten of one person in one claim, in order; the next claim waits for them', async () => {
    for (let i = 1; i <= 12; i++) await enqueue(`k${String(i).padStart(2, '0')}`);
    const first = await outbox.claim('w', 5, 60_000);
    expect(first.map((m) => m.idempotencyKey)).toEqual(
      Array.from({ length: 10 }, (_, i) => `k${String(i + 1).padStart(2, '0')}`),
    );
    expect(first.every((m) => !m.inDoubt)).toBe(true);
    // The run is leased: k11 is behind messages being sent and cannot be claimed past them.
    expect(await outbox.claim('w2', 5, 60_000)).toEqual([]);
    const leased = await t.db.outboxMessage.count({
      where: { state: 'SENDING', leaseOwner: first[0]!.claimToken },
    });
    expect(leased).toBe(10);
  });

  it('takes a whole run even when a burst to many people interleaves them in due order (issue 16)', async () => {
    // Four people, twelve rounds: ordered by due time, every window of candidates holds one message of
    // each person. The claim reads each picked person's run by key, not from that window.
    for (let round = 1; round <= 12; round++)
      for (const [p, staffId] of staffIds.entries()) {
        await enqueue(`p${p}-${String(round).padStart(2, '0')}`, staffId);
        clock.advance(1000);
      }
    const first = await outbox.claim('w', 1, 60_000);
    expect(first.map((m) => m.idempotencyKey)).toEqual(
      Array.from({ length: 10 }, (_, i) => `p0-${String(i + 1).padStart(2, '0')}`),
    );
    const next = await outbox.claim('w2', 2, 60_000);
    expect(next.map((m) => m.idempotencyKey)).toEqual([
      ...Array.from({ length: 10 }, (_, i) => `p1-${String(i + 1).padStart(2, '0')}`),
      ...Array.from({ length: 10 }, (_, i) => `p2-${String(i + 1).padStart(2, '0')}`),
    ]);
  });

  it('takes `limit` people when each has a whole run due, one person after another in due order (issue 18)', async () => {
    // A burst raised person by person: in due order each person's ten messages lie together. A claim of
    // four people takes all four runs (on SQLite a window of every due message found two of them).
    for (const [p, staffId] of staffIds.entries())
      for (let i = 1; i <= 10; i++) {
        await enqueue(`p${p}-${String(i).padStart(2, '0')}`, staffId);
        clock.advance(1000);
      }
    const claimed = await outbox.claim('w', 4, 60_000);
    expect(claimed.map((m) => m.idempotencyKey)).toEqual(
      staffIds.flatMap((_, p) =>
        Array.from({ length: 10 }, (_, i) => `p${p}-${String(i + 1).padStart(2, '0')}`),
      ),
    );
  });

  it('a run stops before a message another claim holds, and takes in-doubt ones as in doubt', async () => {
    for (const k of ['a', 'b', 'c', 'd']) await enqueue(k);
    // 'b' was claimed by a holder that died (lease expired): in doubt, part of the run. 'd' is leased live.
    await t.db.outboxMessage.updateMany({
      where: { idempotencyKey: 'b' },
      data: { state: 'SENDING', leaseOwner: 'dead#1', leaseUntil: new Date('2026-11-24T09:59:00Z') },
    });
    await t.db.outboxMessage.updateMany({
      where: { idempotencyKey: 'd' },
      data: { state: 'SENDING', leaseOwner: 'live#1', leaseUntil: new Date('2026-11-24T10:01:00Z') },
    });
    const claimed = await outbox.claim('w', 5, 60_000);
    expect(claimed.map((m) => [m.idempotencyKey, m.inDoubt])).toEqual([
      ['a', false],
      ['b', true],
      ['c', false],
    ]);
  });

  it('serves people in claim order (priority first), each with their run', async () => {
    for (const k of ['p0a', 'p0b']) await enqueue(k, staffIds[0]);
    for (const k of ['p1a', 'p1b']) await enqueue(k, staffIds[1]);
    await outbox.enqueue({
      idempotencyKey: 'urgent',
      orgId,
      to: { staffId: staffIds[2]! },
      priority: 0,
      message: message({ kind: 'text', audience: 'private', title: 'urgent' }),
    });
    const claimed = await outbox.claim('w', 2, 60_000);
    expect(claimed.map((m) => m.idempotencyKey)).toEqual(['urgent', 'p0a', 'p0b']);
  });

  it.runIf(provider === 'postgres')(
    'a run is cut at a row another connection has locked, and nothing behind it is taken',
    async () => {
      for (const k of ['a', 'b', 'c', 'd']) await enqueue(k);
      const other = new pg.Client({ connectionString: t.url });
      await other.connect();
      try {
        await other.query('BEGIN');
        await other.query(`SELECT 1 FROM "OutboxMessage" WHERE "idempotencyKey" = 'c' FOR UPDATE`);
        const claimed = await outbox.claim('w', 5, 60_000);
        expect(claimed.map((m) => m.idempotencyKey)).toEqual(['a', 'b']);
        await other.query('COMMIT');
      } finally {
        await other.end();
      }
      expect(
        (
          await t.db.outboxMessage.findMany({ where: { state: 'PENDING' }, orderBy: { sequence: 'asc' } })
        ).map((m) => m.idempotencyKey),
      ).toEqual(['c', 'd']);
    },
  );

  it.runIf(provider === 'postgres')(
    'replicas claiming at once never share a message and each takes a whole prefix of a person',
    async () => {
      for (const [p, id] of staffIds.entries())
        for (let i = 1; i <= 15; i++) await enqueue(`p${p}m${String(i).padStart(2, '0')}`, id);
      // Three replicas: their own connection pools, claiming concurrently, round after round; each claim
      // sends nothing and gives nothing back, so later rounds see what earlier claims left.
      const handles = [0, 1, 2].map(() => createDb(t.url, { poolSize: 3 }));
      try {
        const replicas = handles.map((h) => new OutboxRepository(h.db, cipher, clock, 'postgres'));
        const seen = new Map<string, string>();
        const claimed: string[][] = [];
        for (let round = 0; round < 4; round++) {
          const got = await Promise.all(
            replicas.flatMap((r) => [r.claim('r', 2, 60_000), r.claim('r', 2, 60_000)]),
          );
          for (const batch of got) {
            for (const m of batch) {
              expect(seen.get(m.id)).toBeUndefined();
              seen.set(m.id, m.claimToken);
            }
            claimed.push(batch.map((m) => m.idempotencyKey));
          }
          // Each claim's messages go out: mark them sent so the next round reaches later ones.
          await t.db.outboxMessage.updateMany({
            where: { state: 'SENDING' },
            data: { state: 'SENT', leaseOwner: null, leaseUntil: null },
          });
        }
        // Every person's messages were claimed in order: each claim took a contiguous stretch, and
        // the stretches of one person follow each other without a gap or overlap.
        for (const p of [0, 1, 2, 3]) {
          const mine = claimed.flatMap((c) => c.filter((k) => k.startsWith(`p${p}`)));
          expect(mine).toEqual(
            Array.from({ length: mine.length }, (_, i) => `p${p}m${String(i + 1).padStart(2, '0')}`),
          );
          expect(mine.length).toBe(15);
        }
      } finally {
        await Promise.all(handles.map((h) => h.close()));
      }
    },
  );
});
