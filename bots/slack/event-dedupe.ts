/**
 * Slack retries an event it thinks failed (X-Slack-Retry-Num 1..3, after about 0 s, 1 min and 5 min).
 * Each event_id is processed once: a retry of an event already being or having been processed is
 * acknowledged without side effects; a retry of one that failed before ack is processed again.
 */
const TTL_MS = 60 * 60_000;
const MAX_ENTRIES = 50_000;

export class EventDedupe {
  private readonly seen = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  /** True the first time an id is claimed (process it); false for a duplicate (ack only). */
  claim(eventId: string): boolean {
    const t = this.now();
    const at = this.seen.get(eventId);
    if (at !== undefined && t - at < TTL_MS) return false;
    if (this.seen.size >= MAX_ENTRIES) this.evict(t);
    this.seen.set(eventId, t);
    return true;
  }

  /** Give an id back (its processing failed before ack, so Slack's retry should run it). */
  release(eventId: string): void {
    this.seen.delete(eventId);
  }

  private evict(t: number): void {
    for (const [id, at] of this.seen) {
      if (t - at >= TTL_MS || this.seen.size >= MAX_ENTRIES) this.seen.delete(id);
      else break;
    }
  }
}
