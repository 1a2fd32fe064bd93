/**
 * Retry de-duplication parts: the in-process map in front (no database before the ack), the batched
 * database claim behind it, what happens when the database fails, pruning; and the receipt repository
 * on each provider (insert-if-absent, batch with a duplicate inside, prune by age).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { EventDedupe, type EventReceipts } from '../../bots/slack/event-dedupe.ts';
import { SlackEventReceiptRepository } from '../../store/slack-event-receipt-repository.ts';
import { createTestDb, providers, type TestDb } from '../support/db.ts';

const HOUR = 60 * 60_000;

/** Receipts in memory, recording each call. */
function memoryReceipts(fail = false) {
  const rows = new Map<string, number>();
  const calls: string[][] = [];
  const prunes: number[] = [];
  const receipts: EventReceipts = {
    async claimMany(ids, at) {
      calls.push([...ids]);
      if (fail) throw new Error('database unreachable');
      const won = new Set<string>();
      for (const id of ids) {
        if (rows.has(id)) continue;
        rows.set(id, at.getTime());
        won.add(id);
      }
      return won;
    },
    async prune(before) {
      prunes.push(before.getTime());
      let n = 0;
      for (const [id, at] of rows) if (at < before.getTime() && rows.delete(id)) n++;
      return n;
    },
  };
  return { receipts, rows, calls, prunes };
}

describe('EventDedupe', () => {
  it('recognises a repeat in process for an hour, without the database', () => {
    let now = 1_000_000;
    const d = new EventDedupe({ now: () => now });
    expect(d.claimLocal('Ev1')).toBe(true);
    expect(d.claimLocal('Ev1')).toBe(false);
    now += HOUR - 1;
    expect(d.claimLocal('Ev1')).toBe(false);
    now += 1;
    expect(d.claimLocal('Ev1')).toBe(true);
  });

  it('claims events arriving together in one database call; an id already received is refused', async () => {
    const m = memoryReceipts();
    m.rows.set('EvOLD', 1);
    const d = new EventDedupe({ receipts: m.receipts, batchMs: 5 });
    const results = await Promise.all(['Ev1', 'Ev2', 'EvOLD', 'Ev3'].map((id) => d.claimShared(id)));
    expect(results).toEqual([true, true, false, true]);
    expect(m.calls).toEqual([['Ev1', 'Ev2', 'EvOLD', 'Ev3']]);
    // Later claims start a new batch.
    expect(await d.claimShared('Ev4')).toBe(true);
    expect(m.calls).toHaveLength(2);
  });

  it('single process (SQLite): a first delivery goes ahead at once, its receipt recorded in the background', async () => {
    const m = memoryReceipts();
    const d = new EventDedupe({ receipts: m.receipts, mode: 'single', batchMs: 60_000 });
    expect(await d.claim('Ev1')).toBe(true);
    expect(m.calls).toEqual([]);
    await d.flush();
    expect(m.calls).toEqual([['Ev1']]);
    // After a restart (a new process, empty map), a retry is claimed in the database first: refused.
    const restarted = new EventDedupe({ receipts: m.receipts, mode: 'single', batchMs: 60_000 });
    expect(await restarted.claim('Ev1', true)).toBe(false);
    expect(await restarted.claim('Ev2', true)).toBe(true);
    expect(m.calls).toEqual([['Ev1'], ['Ev1'], ['Ev2']]);
  });

  it('processes the event anyway when the database cannot record the receipt, and says so', async () => {
    const m = memoryReceipts(true);
    const errors: unknown[] = [];
    const d = new EventDedupe({ receipts: m.receipts, batchMs: 1, onStoreError: (e) => errors.push(e) });
    expect(await d.claim('Ev1')).toBe(true);
    expect(errors).toHaveLength(1);
    // The in-process map still stops a repeat on this replica.
    expect(await d.claim('Ev1')).toBe(false);
  });

  it('single process: a receipt whose write failed is written again, not dropped', async () => {
    const m = memoryReceipts();
    let failures = 1;
    const flaky: EventReceipts = {
      claimMany(ids, at) {
        if (failures-- > 0) return Promise.reject(new Error('the SQLite side writer stopped'));
        return m.receipts.claimMany(ids, at);
      },
      prune: m.receipts.prune,
    };
    const errors: unknown[] = [];
    const d = new EventDedupe({
      receipts: flaky,
      mode: 'single',
      batchMs: 60_000,
      onStoreError: (e) => errors.push(e),
    });
    expect(await d.claim('Ev1')).toBe(true);
    await d.flush();
    expect(errors).toHaveLength(1);
    expect([...m.rows.keys()]).toEqual(['Ev1']);
  });

  it('prunes receipts older than an hour, at most every ten minutes', async () => {
    let now = 10 * HOUR;
    const m = memoryReceipts();
    m.rows.set('EvANCIENT', now - 2 * HOUR);
    const d = new EventDedupe({ receipts: m.receipts, batchMs: 1, now: () => now });
    await d.claimShared('Ev1');
    await new Promise((r) => setImmediate(r));
    expect(m.prunes).toEqual([now - HOUR]);
    expect(m.rows.has('EvANCIENT')).toBe(false);
    now += 60_000;
    await d.claimShared('Ev2');
    expect(m.prunes).toHaveLength(1);
    now += 10 * 60_000;
    await d.claimShared('Ev3');
    expect(m.prunes).toHaveLength(2);
  });
});

describe.each(providers)('SlackEventReceiptRepository on %s', (provider) => {
  let t: TestDb | undefined;
  afterEach(async () => {
    await t?.destroy();
    t = undefined;
  });

  it('claims each id once, also inside a batch holding one already claimed, and prunes by age', async () => {
    t = await createTestDb(provider);
    const repo = new SlackEventReceiptRepository(t.db);
    const old = new Date('2026-11-24T08:00:00Z');
    const now = new Date('2026-11-24T09:30:00Z');
    expect(await repo.claim('EvA', old)).toBe(true);
    expect(await repo.claim('EvA', now)).toBe(false);
    expect(await repo.claimMany(['EvB', 'EvC'], now)).toEqual(new Set(['EvB', 'EvC']));
    expect(await repo.claimMany(['EvD', 'EvB', 'EvE'], now)).toEqual(new Set(['EvD', 'EvE']));
    expect(await repo.claimMany(['EvC'], now)).toEqual(new Set());
    expect(await repo.prune(new Date(now.getTime() - HOUR))).toBe(1);
    expect(await repo.has('EvA')).toBe(false);
    expect(await repo.has('EvB')).toBe(true);
    expect(await t.db.slackEventReceipt.count()).toBe(4);
  });
});
