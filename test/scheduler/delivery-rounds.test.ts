/**
 * Lock-step rounds of the e-mail and SMS runs of one claim (scheduler/delivery-rounds.ts, issue 18): runs
 * go on together once all have reached their next message, a run that ended stops being waited for, and a
 * slow run holds the others no longer than the round's bound.
 */
import { describe, expect, it } from 'vitest';
import { DeliveryRounds } from '../../scheduler/delivery-rounds.ts';

/** A sleep the test ends by hand (never by time). */
function manualSleep() {
  const pending: (() => void)[] = [];
  return {
    sleep: () => new Promise<void>((r) => pending.push(r)),
    fire: () => {
      for (const r of pending.splice(0)) r();
    },
    get count() {
      return pending.length;
    },
  };
}

describe('DeliveryRounds', () => {
  it('lets the runs go on together once every run still going has arrived', async () => {
    const s = manualSleep();
    const rounds = new DeliveryRounds(3, s.sleep);
    const passed: string[] = [];
    const a = rounds.arrive().then(() => passed.push('a'));
    const b = rounds.arrive().then(() => passed.push('b'));
    await Promise.resolve();
    expect(passed).toEqual([]);
    const c = rounds.arrive().then(() => passed.push('c'));
    await Promise.all([a, b, c]);
    expect(passed.sort()).toEqual(['a', 'b', 'c']);
  });

  it('stops waiting for a run that ended', async () => {
    const s = manualSleep();
    const rounds = new DeliveryRounds(2, s.sleep);
    let passed = false;
    const a = rounds.arrive().then(() => {
      passed = true;
    });
    await Promise.resolve();
    expect(passed).toBe(false);
    rounds.leave();
    await a;
    expect(passed).toBe(true);
    // The one run left goes on at once from now on.
    await rounds.arrive();
  });

  it('holds the runs that arrived no longer than the bound when one is slow', async () => {
    const s = manualSleep();
    const rounds = new DeliveryRounds(3, s.sleep);
    let passed = 0;
    const waiting = [rounds.arrive(), rounds.arrive()].map((p) => p.then(() => passed++));
    await Promise.resolve();
    expect(passed).toBe(0);
    expect(s.count).toBe(1);
    s.fire();
    await Promise.all(waiting);
    expect(passed).toBe(2);
    // The slow run arrives later: a new round, which the others join at their next message.
    let slow = false;
    const late = rounds.arrive().then(() => {
      slow = true;
    });
    await Promise.resolve();
    expect(slow).toBe(false);
    await Promise.all([rounds.arrive(), rounds.arrive(), late]);
    expect(slow).toBe(true);
  });
});
