/**
 * Slack retries an event it thinks failed (X-Slack-Retry-Num 1..3, after about 0 s, 1 min and 5 min),
 * and a retry may reach any replica. Each event_id is processed once, in two steps:
 *
 * 1. `claimLocal`, before the ack: an in-process map (one hour, oldest evicted first). A retry that
 *    reaches the replica which already has the event is acknowledged without side effects, and the
 *    common case (a first delivery) costs no database round trip before the ack.
 * 2. `claimShared`, after the ack and before any processing: an insert-if-absent of the event_id in the
 *    database (SlackEventReceipt, primary key), so of all replicas on one database exactly one processes
 *    the event. Claims arriving close together share one statement (gathered for `batchMs`): on SQLite
 *    every commit waits for the disk on the event loop, so under a burst one write serves many events.
 *    Receipts older than an hour are pruned (at most once every ten minutes per process).
 *
 * If the database cannot be reached for the receipt, the event is processed anyway (at least once; the
 * in-process map still stops a repeat on this replica): the work itself needs the database, so an outage
 * there is reported by that work rather than silently dropping staff's messages.
 */
const TTL_MS = 60 * 60_000;
const MAX_ENTRIES = 50_000;
const PRUNE_EVERY_MS = 10 * 60_000;

/** The database side (store/slack-event-receipt-repository.ts). */
export interface EventReceipts {
  /** The ids this call claimed first; the others had been received before. */
  claimMany(eventIds: string[], at: Date): Promise<Set<string>>;
  prune(before: Date): Promise<number>;
}

/** Most ids written in one statement. */
const MAX_BATCH = 200;

export interface EventDedupeOptions {
  receipts?: EventReceipts;
  now?: () => number;
  /** Told when the database could not record a receipt (the event is then processed anyway). */
  onStoreError?: (err: unknown) => void;
  /** How long claims are gathered into one write (default 100 ms). */
  batchMs?: number;
  /** Awaited before each write (the work gate: writes wait until pending requests are answered). */
  beforeWrite?: () => Promise<void>;
}

export class EventDedupe {
  private readonly seen = new Map<string, number>();
  private readonly now: () => number;
  private lastPrune = Number.NEGATIVE_INFINITY;
  /** Claims waiting for the next write: id → the callers waiting on it. */
  private pending = new Map<string, ((first: boolean) => void)[]>();
  private writing = false;

  constructor(private readonly options: EventDedupeOptions = {}) {
    this.now = options.now ?? Date.now;
  }

  /** True the first time this process sees an id (go on); false for a duplicate (ack only). */
  claimLocal(eventId: string): boolean {
    const t = this.now();
    const at = this.seen.get(eventId);
    if (at !== undefined && t - at < TTL_MS) return false;
    if (this.seen.size >= MAX_ENTRIES) this.evict(t);
    this.seen.delete(eventId);
    this.seen.set(eventId, t);
    return true;
  }

  /**
   * True when no replica on this database has received the id before (process it); false when one has.
   * Call after `claimLocal` returned true, before processing.
   */
  claimShared(eventId: string): Promise<boolean> {
    if (!this.options.receipts) return Promise.resolve(true);
    const claimed = new Promise<boolean>((resolve) => {
      const waiting = this.pending.get(eventId);
      if (waiting) waiting.push(resolve);
      else this.pending.set(eventId, [resolve]);
    });
    if (!this.writing) {
      this.writing = true;
      void this.write();
    }
    return claimed;
  }

  /** Write the pending claims in batches until none is left. */
  private async write(): Promise<void> {
    const receipts = this.options.receipts as EventReceipts;
    try {
      while (this.pending.size > 0) {
        await new Promise((r) => setTimeout(r, this.options.batchMs ?? 100));
        await this.options.beforeWrite?.();
        const batch = new Map<string, ((first: boolean) => void)[]>();
        for (const [id, waiting] of this.pending) {
          if (batch.size >= MAX_BATCH) break;
          batch.set(id, waiting);
          this.pending.delete(id);
        }
        const t = this.now();
        let won: Set<string>;
        try {
          won = await receipts.claimMany([...batch.keys()], new Date(t));
        } catch (err) {
          this.options.onStoreError?.(err);
          won = new Set(batch.keys());
        }
        // Of several callers waiting on one id (two deliveries in one batch), only the first processes it.
        for (const [id, waiting] of batch) {
          waiting.forEach((resolve, i) => {
            resolve(i === 0 && won.has(id));
          });
        }
        if (t - this.lastPrune >= PRUNE_EVERY_MS) {
          this.lastPrune = t;
          receipts.prune(new Date(t - TTL_MS)).catch((err: unknown) => this.options.onStoreError?.(err));
        }
      }
    } finally {
      this.writing = false;
    }
  }

  /** Both steps (Socket Mode, where the envelope is acknowledged before listeners run). */
  async claim(eventId: string): Promise<boolean> {
    return this.claimLocal(eventId) && (await this.claimShared(eventId));
  }

  private evict(t: number): void {
    for (const [id, at] of this.seen) {
      if (t - at >= TTL_MS || this.seen.size >= MAX_ENTRIES) this.seen.delete(id);
      else break;
    }
  }
}
