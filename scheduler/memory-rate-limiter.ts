/**
 * The in-process rate limiter for SQLite. SQLite is one process by design (the hub refuses a second
 * process on one SQLite file, scheduler/process-lock.ts), so every send of the hub passes through this
 * one object: token buckets in memory are exact, and a take costs no database round trip (on SQLite the
 * shared RateBucket rows cost a write transaction per send, on the only writer).
 *
 * Same semantics as the shared limiter (store/rate-limit-repository.ts), and the same behaviour tests
 * (test/scale/shared-rate-limit.test.ts): one bucket per rule of a key (core/delivery/platform-rate-limits.ts
 * bucketFor), a take reserves the next slot of every bucket (tokens may go below zero: the slot is in
 * the future) if it is at most `maxWaitMs` away and otherwise spends nothing; a 429's Retry-After closes
 * the buckets of its keys until then. PostgreSQL replicas keep the shared limiter.
 *
 * What is not kept: after a restart the buckets start full, as a bucket idle for a while would. A platform
 * window that still holds sends from before the restart answers 429, which is honoured (Retry-After).
 */
import { bucketFor } from '../core/delivery/platform-rate-limits.ts';
import type { Clock, RateLimitKey } from '../core/ports.ts';
import type { RateLimiter } from './deliver.ts';

interface Bucket {
  tokens: number;
  /** Epoch ms of the last refill (never moves back). */
  updatedAt: number;
  capacity: number;
  perMs: number;
  /** Epoch ms until which a 429 closed the bucket (0 = open). */
  blockedUntil: number;
}

/** Above this many buckets, idle ones (full again, not blocked) are dropped: they equal a new bucket. */
const PRUNE_ABOVE = 10_000;

export class MemoryRateLimiter implements RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly clock: Clock) {}

  private specs(keys: RateLimitKey[]) {
    return keys.flatMap((k) => k.rules.map((r) => ({ id: `${k.key}|${r.windowMs}`, ...bucketFor(r) })));
  }

  /** The bucket refilled up to `nowMs` (a missing one is full). */
  private refilled(spec: { id: string; capacity: number; perMs: number }, nowMs: number): Bucket {
    const b = this.buckets.get(spec.id);
    if (!b) return { tokens: spec.capacity, updatedAt: nowMs, ...spec, blockedUntil: 0 };
    const elapsed = Math.max(0, nowMs - b.updatedAt);
    return {
      ...b,
      tokens: Math.min(spec.capacity, b.tokens + elapsed * spec.perMs),
      updatedAt: Math.max(b.updatedAt, nowMs),
      capacity: spec.capacity,
      perMs: spec.perMs,
    };
  }

  async take(keys: RateLimitKey[], maxWaitMs = 0): Promise<{ ok: boolean; waitMs: number }> {
    return this.takeNow(keys, maxWaitMs);
  }

  /** The synchronous take (no I/O): reserve a slot at most `maxWaitMs` away in every bucket, or none. */
  takeNow(keys: RateLimitKey[], maxWaitMs = 0): { ok: boolean; waitMs: number } {
    if (keys.length === 0) return { ok: true, waitMs: 0 };
    const nowMs = this.clock.now().getTime();
    const next: [string, Bucket][] = [];
    let waitMs = 0;
    for (const spec of this.specs(keys)) {
      const b = this.refilled(spec, nowMs);
      let wait = b.blockedUntil > nowMs ? b.blockedUntil - nowMs : 0;
      // Below one token the slot is in the future: when the bucket refills to one.
      if (b.tokens < 1) wait = Math.max(wait, Math.ceil((1 - b.tokens) / b.perMs));
      waitMs = Math.max(waitMs, wait);
      next.push([spec.id, b]);
    }
    // No slot within maxWaitMs: spend nothing; none can be reserved before (wait - maxWaitMs) has passed.
    if (waitMs > maxWaitMs) return { ok: false, waitMs: waitMs - maxWaitMs };
    for (const [id, b] of next) this.buckets.set(id, { ...b, tokens: b.tokens - 1 });
    if (this.buckets.size > PRUNE_ABOVE) this.prune(nowMs);
    return { ok: true, waitMs };
  }

  /** A 429 with Retry-After: close every bucket of `keys` until `until`. */
  async block(keys: RateLimitKey[], until: Date): Promise<void> {
    const nowMs = this.clock.now().getTime();
    for (const spec of this.specs(keys)) {
      // As the shared limiter: a bucket not seen before starts empty; a known one keeps its level.
      const b = this.buckets.get(spec.id) ?? { tokens: 0, updatedAt: nowMs, ...spec, blockedUntil: 0 };
      this.buckets.set(spec.id, { ...b, blockedUntil: Math.max(b.blockedUntil, until.getTime()) });
    }
  }

  blockedUntil(keys: RateLimitKey[]): number {
    let until = 0;
    for (const spec of this.specs(keys))
      until = Math.max(until, this.buckets.get(spec.id)?.blockedUntil ?? 0);
    return until;
  }

  private prune(nowMs: number): void {
    for (const [id, b] of this.buckets) {
      const full = b.tokens + Math.max(0, nowMs - b.updatedAt) * b.perMs >= b.capacity;
      if (full && b.blockedUntil <= nowMs) this.buckets.delete(id);
    }
  }
}
