/**
 * The work gate gives acknowledgements priority over after-ack work: work waits while a request is being
 * answered, is never starved, runs at most `max` at a time, and leaves in the order it arrived.
 */
import { describe, expect, it } from 'vitest';
import { WorkGate } from '../../bots/slack/work-gate.ts';

const turn = () => new Promise((r) => setImmediate(r));

describe('WorkGate', () => {
  it('holds after-ack work while a request waits for its answer, then lets it through', async () => {
    const gate = new WorkGate({ max: 2, quietMs: 0, maxWaitMs: 60_000 });
    gate.requestArrived();
    let ran = false;
    const job = gate.run(async () => {
      ran = true;
    });
    for (let i = 0; i < 5; i++) await turn();
    expect(ran).toBe(false);
    expect(gate.backlog).toBe(1);
    gate.answered();
    await job;
    expect(ran).toBe(true);
    expect(gate.backlog).toBe(0);
  });

  it('never starves work: after maxWaitMs it goes ahead even while requests keep arriving', async () => {
    let now = 0;
    const gate = new WorkGate({ max: 2, quietMs: 2, maxWaitMs: 100, now: () => now });
    gate.requestArrived();
    let ran = false;
    const job = gate.run(async () => {
      ran = true;
    });
    for (let i = 0; i < 5; i++) await turn();
    expect(ran).toBe(false);
    now = 100;
    await job;
    expect(ran).toBe(true);
  });

  it('runs at most `max` jobs at once, in arrival order', async () => {
    const gate = new WorkGate({ max: 1, quietMs: 0 });
    const order: string[] = [];
    let release!: () => void;
    const first = gate.run(async () => {
      order.push('first:start');
      await new Promise<void>((r) => {
        release = r;
      });
      order.push('first:end');
    });
    const second = gate.run(async () => {
      order.push('second');
    });
    for (let i = 0; i < 5; i++) await turn();
    expect(order).toEqual(['first:start']);
    release();
    await Promise.all([first, second]);
    expect(order).toEqual(['first:start', 'first:end', 'second']);
  });
});
