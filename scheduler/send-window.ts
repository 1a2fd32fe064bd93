/**
 * The last guard before a platform call: the sends this process actually made, per rate-limit key, in
 * exact sliding windows, as the platform counts them. The limiter (token buckets) paces sends by
 * reserving slots; but on a loaded machine a send can leave late (the event loop stalled, a write
 * queued behind others), and late sends bunch up with the ones on time: the platform then counts more
 * than its limit in one window, answers 429, and Retry-After (whole seconds on Teams) closes the whole
 * tenant for a second. This guard holds such a send for the few milliseconds that keep every window
 * under its limit instead.
 *
 * Exact for one process (SQLite); with PostgreSQL replicas it sees this replica's own sends only (the
 * shared limiter paces them together). Windows longer than `MAX_GUARDED_WINDOW_MS` are left to the
 * limiter: a stall cannot overrun an hour's budget, and they would cost memory.
 */
import { JITTER_MARGIN_MS } from '../core/delivery/platform-rate-limits.ts';
import type { Clock, RateLimitKey } from '../core/ports.ts';

const MAX_GUARDED_WINDOW_MS = 30_000;
const WIDEN_MS = 50;
const MAX_EXTRA_MS = 250;
const DECAY_PER_S = 10;
const COLD_MS = 100;

export class SendWindows {
  /** key → send times (epoch ms, ascending) within the longest guarded window of the key. */
  private readonly sends = new Map<string, number[]>();
  private lastPrune = 0;

  constructor(
    private readonly marginMs = JITTER_MARGIN_MS,
    private readonly coldMs = COLD_MS,
  ) {}

  /**
   * Extra margin per key learnt from 429s: a 429 means sends reached the platform more bunched than the
   * margin allowed for (a loaded machine, a slow network), so the window is widened by WIDEN_MS (up to
   * MAX_EXTRA_MS), and narrows again by DECAY_PER_S each second without one. A key starts with COLD_MS.
   */
  private readonly extra = new Map<string, { ms: number; at: number }>();

  private extraMs(key: string, nowMs: number): number {
    const e = this.extra.get(key);
    if (!e) return 0;
    const ms = e.ms - ((nowMs - e.at) / 1000) * DECAY_PER_S;
    if (ms <= 0) this.extra.delete(key);
    return Math.max(0, ms);
  }

  /** The platform answered 429 for `keys`: leave more room between sends for a while. */
  widen(keys: RateLimitKey[], nowMs: number): void {
    for (const k of keys)
      this.extra.set(k.key, { ms: Math.min(MAX_EXTRA_MS, this.extraMs(k.key, nowMs) + WIDEN_MS), at: nowMs });
  }

  /** How long to hold a send made at `nowMs` so that no guarded window of `keys` goes over (0 = send). */
  delayMs(keys: RateLimitKey[], nowMs: number): number {
    let wait = 0;
    for (const k of keys) {
      const times = this.sends.get(k.key);
      if (!times) continue;
      const extra = this.extraMs(k.key, nowMs);
      for (const r of k.rules) {
        if (r.windowMs > MAX_GUARDED_WINDOW_MS || times.length < r.limit) continue;
        // The send `limit` back must have left the window (plus the margin for network jitter).
        const opensAt = times[times.length - r.limit]! + r.windowMs + this.marginMs + extra;
        wait = Math.max(wait, opensAt - nowMs);
      }
    }
    return Math.max(0, Math.ceil(wait));
  }

  /**
   * Hold a send until every window of `keys` has room, then record it; or, when the hold would be longer
   * than `maxWaitMs`, record nothing and return that hold (the caller gives the message back for it).
   */
  async holdThenRecord(
    keys: RateLimitKey[],
    clock: Clock,
    sleep: (ms: number) => Promise<void>,
    maxWaitMs: number,
  ): Promise<number> {
    if (keys.length === 0) return 0;
    for (;;) {
      const at = clock.now().getTime();
      const hold = this.delayMs(keys, at);
      if (hold <= 0) break;
      if (hold > maxWaitMs) return hold;
      await sleep(hold);
      // The clock did not move while we slept (a clock driven by hand, as in tests): holding on would
      // never end, and the limiter has already paced this send.
      if (clock.now().getTime() === at) break;
    }
    this.record(keys, clock.now().getTime());
    return 0;
  }

  /** A send to `keys` left at `nowMs`. */
  record(keys: RateLimitKey[], nowMs: number): void {
    for (const k of keys) {
      const guarded = k.rules.filter((r) => r.windowMs <= MAX_GUARDED_WINDOW_MS);
      if (guarded.length === 0) continue;
      const longest = Math.max(...guarded.map((r) => r.windowMs)) + this.marginMs + MAX_EXTRA_MS;
      const keep = Math.max(...guarded.map((r) => r.limit));
      const seen = this.sends.get(k.key);
      // A key not sent to lately starts cold: the first requests also open connections (and the other
      // end warms up), so they arrive later than those behind them, bunched; leave room for that.
      if (!seen && !this.extra.has(k.key) && this.coldMs > 0)
        this.extra.set(k.key, { ms: this.coldMs, at: nowMs });
      const times = seen ?? [];
      times.push(nowMs);
      let drop = 0;
      while (drop < times.length && (times.length - drop > keep || times[drop]! <= nowMs - longest)) drop++;
      if (drop > 0) times.splice(0, drop);
      this.sends.set(k.key, times);
    }
    if (nowMs - this.lastPrune > 60_000) this.prune(nowMs);
  }

  private prune(nowMs: number): void {
    this.lastPrune = nowMs;
    for (const [key, times] of this.sends)
      if ((times.at(-1) ?? 0) <= nowMs - MAX_GUARDED_WINDOW_MS - this.marginMs - MAX_EXTRA_MS)
        this.sends.delete(key);
  }
}
