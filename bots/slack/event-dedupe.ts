/**
 * Slack retries an event it thinks failed (X-Slack-Retry-Num 1..3, after about 0 s, 1 min and 5 min),
 * and a retry may reach any replica. Each event_id is processed once, in two steps:
 *
 * 1. `claimLocal`, before the ack: an in-process map (one hour, oldest evicted first). A retry that
 *    reaches the replica which already has the event is acknowledged without side effects, and the
 *    common case (a first delivery) costs no database round trip before the ack.
 * 2. `claimShared`, after the ack and before any processing: the event_id's receipt in the database
 *    (SlackEventReceipt, primary key, insert-if-absent), in one of two modes:
 *    - 'shared' (PostgreSQL, any number of replicas): every event is claimed in the database before it is
 *      processed, so of all replicas exactly one processes it. Claims arriving within `batchMs` share one
 *      statement.
 *    - 'single' (SQLite: one process per database file, enforced at start-up, so no other process can
 *      be processing the same event): the in-process map already decided, so a first delivery is
 *      processed at once and its receipt recorded in the background (batched, `batchMs`); a retry this
 *      process does not know (it restarted since the first delivery) is claimed in the database before
 *      it is processed. On SQLite the receipts commit on a worker thread (store/sqlite-side-writer.ts), so
 *      their waits for the disk do not hold the event loop; a write that fails is tried again (MAX_TRIES).
 *    Receipts older than an hour are pruned (at most once every ten minutes per process); `flush` writes
 *    what is pending (at shutdown).
 *
 * If the database cannot be reached for the receipt, the event is processed anyway (at least once; the
 * in-process map still stops a repeat on this replica): the work itself needs the database, so an outage
 * there is reported by that work rather than silently dropping staff's messages.
 */
const TTL_MS = 60 * 60_000;
const MAX_ENTRIES = 50_000;
const PRUNE_EVERY_MS = 10 * 60_000;
/** Most ids written in one statement. */
const MAX_BATCH = 200;
/** Writes tried for a receipt only being recorded before it is given up (logged through onStoreError). */
const MAX_TRIES = 3;

/** The database side (store/slack-event-receipt-repository.ts). */
export interface EventReceipts {
  /** The ids this call claimed first; the others had been received before. */
  claimMany(eventIds: string[], at: Date): Promise<Set<string>>;
  prune(before: Date): Promise<number>;
}

export interface EventDedupeOptions {
  receipts?: EventReceipts;
  /** 'shared' (default): several processes on one database; 'single': this is the only one (SQLite). */
  mode?: 'shared' | 'single';
  now?: () => number;
  /** Told when the database could not record a receipt (the event is then processed anyway). */
  onStoreError?: (err: unknown) => void;
  /** How long receipts are gathered into one write (default 20 ms). */
  batchMs?: number;
  /** Awaited before each write (the work gate: writes wait until pending requests are answered). */
  beforeWrite?: () => Promise<void>;
}

export class EventDedupe {
  private readonly seen = new Map<string, number>();
  private readonly now: () => number;
  private lastPrune = Number.NEGATIVE_INFINITY;
  /** Receipts waiting for the next write: id → the callers waiting on it (none for background records). */
  private pending = new Map<string, ((first: boolean) => void)[]>();
  private writing: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private flushing = false;
  /** Receipts whose last write failed: id → writes tried. */
  private readonly failedTries = new Map<string, number>();

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
   * True when no other delivery of the id has been received (process it); false when one has.
   * Call after `claimLocal` returned true, before processing; `retry` when X-Slack-Retry-Num was set.
   */
  claimShared(eventId: string, retry = false): Promise<boolean> {
    const receipts = this.options.receipts;
    if (!receipts) return Promise.resolve(true);
    if (this.options.mode === 'single') {
      if (!retry) {
        this.enqueue(eventId);
        return Promise.resolve(true);
      }
      return this.claimNow(receipts, eventId);
    }
    const claimed = new Promise<boolean>((resolve) => this.enqueue(eventId, resolve));
    return claimed;
  }

  /**
   * `claimShared` for a request whose HTTP response waits on the answer (a modal's submission): written
   * at once, without the batching window or the work gate (which would wait for this very request).
   * `lookup` false in 'single' mode: the in-process map has decided; the receipt is recorded later.
   */
  claimBeforeAnswer(id: string, lookup: boolean): Promise<boolean> {
    const receipts = this.options.receipts;
    if (!receipts) return Promise.resolve(true);
    if (this.options.mode === 'single' && !lookup) {
      this.enqueue(id);
      return Promise.resolve(true);
    }
    return this.claimNow(receipts, id, false);
  }

  /** Both steps (Socket Mode, where the envelope is acknowledged before middleware runs). */
  async claim(eventId: string, retry = false): Promise<boolean> {
    return this.claimLocal(eventId) && (await this.claimShared(eventId, retry));
  }

  /** Write every pending receipt now (shutdown). */
  async flush(): Promise<void> {
    this.flushing = true;
    try {
      while (this.writing) {
        this.wake?.();
        await this.writing;
      }
    } finally {
      this.flushing = false;
    }
  }

  private async claimNow(receipts: EventReceipts, eventId: string, gated = true): Promise<boolean> {
    if (gated) await this.options.beforeWrite?.();
    try {
      return (await receipts.claimMany([eventId], new Date(this.now()))).has(eventId);
    } catch (err) {
      this.options.onStoreError?.(err);
      return true;
    }
  }

  private enqueue(eventId: string, resolve?: (first: boolean) => void): void {
    const waiting = this.pending.get(eventId);
    if (waiting) {
      if (resolve) waiting.push(resolve);
    } else this.pending.set(eventId, resolve ? [resolve] : []);
    this.writing ??= this.write().finally(() => {
      this.writing = undefined;
      // A receipt enqueued while the last write was finishing starts the next round.
      if (this.pending.size > 0) this.enqueue([...this.pending.keys()][0] as string);
    });
  }

  /** Write the pending receipts in batches until none is left. */
  private async write(): Promise<void> {
    const receipts = this.options.receipts as EventReceipts;
    while (this.pending.size > 0) {
      if (!this.flushing) {
        await new Promise<void>((r) => {
          const timer = setTimeout(r, this.options.batchMs ?? 20);
          this.wake = () => {
            clearTimeout(timer);
            r();
          };
        });
        this.wake = undefined;
      }
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
        for (const id of batch.keys()) this.failedTries.delete(id);
      } catch (err) {
        this.options.onStoreError?.(err);
        won = new Set(batch.keys());
        this.requeueFailed(batch);
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
  }

  /**
   * Receipts only being recorded (nobody waits on them) go back for the next write when one fails (the
   * database busy, the SQLite side writer's thread gone), up to MAX_TRIES writes each.
   */
  private requeueFailed(batch: Map<string, ((first: boolean) => void)[]>): void {
    for (const [id, waiting] of batch) {
      const tries = (this.failedTries.get(id) ?? 0) + 1;
      if (waiting.length > 0 || tries >= MAX_TRIES || this.pending.has(id)) {
        this.failedTries.delete(id);
        continue;
      }
      this.failedTries.set(id, tries);
      this.pending.set(id, []);
    }
  }

  private evict(t: number): void {
    for (const [id, at] of this.seen) {
      if (t - at >= TTL_MS || this.seen.size >= MAX_ENTRIES) this.seen.delete(id);
      else break;
    }
  }
}
