/**
 * Lock-step rounds of the e-mail and SMS runs of one claim (scheduler/delivery-rounds.ts, issue 18): runs
 * go on together once all have reached their next message, a run that ended stops being waited for, a
 * slow run holds the others no longer than a quiet period once the rest are in, and a round stays open
 * while runs are still arriving (up to its bound).
 */
import { describe, expect, it } from 'vitest';
import { DeliveryRounds, ROUND_MAX_WAITS, ROUND_WAIT_MS } from '../../scheduler/delivery-rounds.ts';

/** The event loop's turn, as a microtask: the test decides when time passes (the sleep). */
const turn = () => Promise.resolve();
/** Let every pending promise chain run (no timers involved). */
async function settle() {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

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
    const rounds = new DeliveryRounds(3, s.sleep, ROUND_WAIT_MS, turn);
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
    const rounds = new DeliveryRounds(2, s.sleep, ROUND_WAIT_MS, turn);
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

  it('holds the runs that arrived no longer than a quiet period when one is slow', async () => {
    const s = manualSleep();
    const rounds = new DeliveryRounds(3, s.sleep, ROUND_WAIT_MS, turn);
    let passed = 0;
    const waiting = [rounds.arrive(), rounds.arrive()].map((p) => p.then(() => passed++));
    await settle();
    expect(passed).toBe(0);
    expect(s.count).toBe(1);
    // The second arrived within the first period: one more, in which nobody arrives, closes the round.
    s.fire();
    await settle();
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
    await settle();
    expect(slow).toBe(false);
    await Promise.all([rounds.arrive(), rounds.arrive(), late]);
    expect(slow).toBe(true);
  });

  // Issue 18: on a busy process a round's answers come back over a few hundred milliseconds; a fixed wait
  // after the first arrival split the runs into two cohorts, the late one a round behind to the end.
  it('keeps the round open while runs are still arriving, so the late ones are not split off', async () => {
    const s = manualSleep();
    const rounds = new DeliveryRounds(4, s.sleep, ROUND_WAIT_MS, turn);
    const passed: string[] = [];
    const arrive = (name: string) => rounds.arrive().then(() => passed.push(name));
    const all = [arrive('a')];
    await settle();
    // Each period ends with another run just in: the round waits on.
    for (const name of ['b', 'c']) {
      all.push(arrive(name));
      s.fire();
      await settle();
      expect(passed).toEqual([]);
    }
    all.push(arrive('d'));
    await Promise.all(all);
    expect(passed.sort()).toEqual(['a', 'b', 'c', 'd']);
  });

  it('closes the round after its bound even if runs keep trickling in', async () => {
    const s = manualSleep();
    const rounds = new DeliveryRounds(ROUND_MAX_WAITS + 5, s.sleep, ROUND_WAIT_MS, turn);
    let passed = 0;
    const all = [rounds.arrive().then(() => passed++)];
    await settle();
    for (let i = 1; i < ROUND_MAX_WAITS; i++) {
      all.push(rounds.arrive().then(() => passed++));
      s.fire();
      await settle();
      expect(passed).toBe(0);
    }
    all.push(rounds.arrive().then(() => passed++));
    s.fire();
    await Promise.all(all);
    expect(passed).toBe(ROUND_MAX_WAITS + 1);
  });
});
