/**
 * The SQLite group commit (store/outbox-coalescer.ts) from the DSL's side: a write made while the process
 * is busy on microtasks alone (the synchronous driver raising a burst of concerns) must not wait for the
 * whole burst. A serial coalescer waits one turn of the event loop after a group only when nothing is
 * queued, and a write added after IO_WAIT_MS of that wait flushes at once.
 */
import { describe, expect, it } from 'vitest';
import { Coalescer } from '../../store/outbox-coalescer.ts';

/** Microtask-only work for `ms` of wall time, adding a write every `every` turns; resolves at the end. */
async function busyBurst(ms: number, onTurn: (turn: number) => void): Promise<void> {
  const end = performance.now() + ms;
  for (let turn = 0; performance.now() < end; turn++) {
    onTurn(turn);
    await Promise.resolve();
  }
}

describe('outbox group commit, serial (SQLite)', () => {
  it('commits a write made during a long microtask-only burst before the burst ends', async () => {
    const groups: number[][] = [];
    const c = new Coalescer<number, number>(async (items) => {
      groups.push(items);
      return items;
    }, true);
    await c.add(0); // a group has run: the next waits for the loop's turn when nothing is queued
    let committedAt = -1;
    let burstEnded = -1;
    const started = performance.now();
    const burst = busyBurst(300, (turn) => {
      if (turn === 200)
        void c.add(1).then(() => {
          committedAt = performance.now() - started;
        });
      if (turn > 200 && turn % 500 === 0) void c.add(turn);
    }).then(() => {
      burstEnded = performance.now() - started;
    });
    await burst;
    expect(committedAt).toBeGreaterThan(0);
    expect(committedAt).toBeLessThan(burstEnded);
    expect(groups.flat()).toContain(1);
  });

  it('still gathers the writes that arrive as I/O callbacks into one group', async () => {
    const groups: number[][] = [];
    const c = new Coalescer<number, number>(async (items) => {
      groups.push(items);
      return items;
    }, true);
    await c.add(0);
    // Ten answers already waiting as I/O-phase callbacks (setImmediate stands in for them), each bringing a write.
    const writes = await Promise.all(
      Array.from({ length: 10 }, (_, i) => new Promise<number>((r) => setImmediate(() => r(c.add(i + 1))))),
    );
    expect(writes).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(groups.length).toBeLessThanOrEqual(3);
  });
});
