import { describe, expect, it } from 'vitest';
import type { RateLimitKey } from '../../core/ports.ts';
import { SendWindows } from '../../scheduler/send-window.ts';

const keys: RateLimitKey[] = [
  { key: 'teams:conv:t:c', rules: [{ limit: 3, windowMs: 1000 }] },
  { key: 'teams:tenant:t', rules: [{ limit: 5, windowMs: 1000 }] },
];

describe('SendWindows (the last guard before a platform call)', () => {
  it('lets sends through until a window is full, then holds the next until the oldest has left it', () => {
    const w = new SendWindows(50, 0);
    for (const t of [0, 10, 20]) {
      expect(w.delayMs(keys, t)).toBe(0);
      w.record(keys, t);
    }
    // The conversation rule (3 per second) is full: the send at 0 leaves the window at 1000 + 50 margin.
    expect(w.delayMs(keys, 30)).toBe(1020);
    expect(w.delayMs(keys, 1050)).toBe(0);
    // Another conversation in the same tenant is held only by the tenant rule (5 per second).
    const other: RateLimitKey[] = [
      { key: 'teams:conv:t:d', rules: [{ limit: 3, windowMs: 1000 }] },
      keys[1]!,
    ];
    w.record(other, 40);
    w.record(other, 50);
    expect(w.delayMs(other, 60)).toBe(990);
  });

  it('a 429 widens the window for a while, and it narrows again', () => {
    const w = new SendWindows(50, 0);
    for (const t of [0, 10, 20]) w.record(keys, t);
    w.widen(keys, 30);
    expect(w.delayMs(keys, 30)).toBe(1070);
    // 10 ms less margin per second without a 429: at 1030 the extra is 40 ms.
    expect(w.delayMs(keys, 1030)).toBe(60);
    expect(w.delayMs(keys, 10_000)).toBe(0);
  });

  it('a key starts cold: the first sends leave more room (connections are being opened)', () => {
    const w = new SendWindows(50, 100);
    for (const t of [0, 10, 20]) w.record(keys, t);
    // 1000 window + 50 margin + 100 cold (less 10 ms per second: 99.7 at 30 ms) from the send at 0.
    expect(w.delayMs(keys, 30)).toBe(1120);
    // Ten seconds later the cold margin is gone.
    for (const t of [10_000, 10_010, 10_020]) w.record(keys, t);
    expect(w.delayMs(keys, 10_030)).toBe(1020);
  });

  it('ignores windows longer than 30 s (left to the limiter)', () => {
    const w = new SendWindows(50, 0);
    const hourly: RateLimitKey[] = [{ key: 'h', rules: [{ limit: 1, windowMs: 3_600_000 }] }];
    w.record(hourly, 0);
    expect(w.delayMs(hourly, 1)).toBe(0);
  });
});
