/**
 * Group commit: calls made while a group is pending (the sends of a batch begin and finish at about the
 * same moment) run as one transaction, and each caller gets its own result once that transaction has
 * committed. On SQLite (one writer; `serial`) the next group waits for the previous one, so groups grow
 * under load instead of queueing one transaction per message behind other writers; every transaction
 * is one turn of the single writer, and one commit. On PostgreSQL (`{ maxInFlight }`: the delivery pool's
 * connections) at most that many groups run at once and the rest gather behind them: unbounded, each
 * write that came alone (a provider's answer, as an I/O callback) was a statement of its own queued on
 * the pool (issue 18: 1,000 SMS due at once, 990 finish statements of one item each, ~350 ms apiece in
 * the pool's queue). If the transaction fails, every caller of the group gets the error, as each would
 * have alone.
 */
/**
 * Microtask turns a serial coalescer waits after a group before the next: the callers it answered reach
 * their next write in a few dozen (a sent message's finish and the next begin of its run), so they join
 * one group. Each turn lets every other pending microtask run once; no timer is involved.
 */
const SETTLE_HOPS = 64;
/**
 * After the settle hops a serial coalescer with nothing queued waits one turn of the event loop for the
 * platform answers that arrived while the synchronous driver held it, but never longer than this: a write
 * added while it waits flushes at once once this much time has passed. On SQLite a busy process can run on
 * microtasks alone for seconds (1,000 concerns raised in one burst), and setImmediate would wait for all of
 * it: the DSL's first alert would wait for the whole burst (escalation bench, 2026-12-07: p99 241 ms ->
 * 3.4 s with an unbounded wait).
 */
const IO_WAIT_MS = 4;

/**
 * `true`: serial (SQLite's one writer: one group at a time, the next gathered over SETTLE_HOPS and a
 * bounded turn of the event loop); `false`: every group at once, flushed after one microtask turn;
 * `{ maxInFlight }`: at most that many groups at once, each gathered over SETTLE_HOPS microtask turns
 * (the runs of a delivery round reach their writes a few dozen turns apart).
 */
export type CoalescerMode = boolean | { maxInFlight: number };

export class Coalescer<I, R> {
  private queue: { item: I; resolve(r: R): void; reject(e: unknown): void }[] = [];
  private scheduled = false;
  private running = 0;
  /** A flush waiting for the event loop's turn: when it was armed, and its token (0: none). */
  private ioWaitSince = 0;
  private ioWait = 0;
  private readonly serial: boolean;
  private readonly maxInFlight: number;
  private readonly hops: number;

  constructor(
    private readonly run: (items: I[]) => Promise<R[]>,
    mode: CoalescerMode,
    private readonly maxGroup = 200,
  ) {
    this.serial = mode === true;
    this.maxInFlight =
      typeof mode === 'object' ? Math.max(1, mode.maxInFlight) : mode ? 1 : Number.POSITIVE_INFINITY;
    this.hops = typeof mode === 'object' ? SETTLE_HOPS : 1;
  }

  add(item: I): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (this.ioWait !== 0 && performance.now() - this.ioWaitSince >= IO_WAIT_MS) {
        this.ioWait = 0;
        queueMicrotask(() => this.flushScheduled());
      } else this.schedule();
    });
  }

  /**
   * Flush after `hops` turns of the microtask queue: after the microtasks already queued (the other sends
   * of the batch reaching this point join the group). Not a timer: on SQLite the driver is synchronous, so
   * a busy process can run on microtasks alone for seconds, and a timer or setImmediate would wait for all
   * of it.
   */
  private schedule(hops = this.hops, thenIo = false): void {
    if (this.scheduled || this.running >= this.maxInFlight) return;
    this.scheduled = true;
    const turn = (left: number) =>
      queueMicrotask(() => {
        if (left > 1) return turn(left - 1);
        // Writes already waiting go now; with none, wait for the loop's turn (bounded: IO_WAIT_MS).
        if (!thenIo || this.queue.length > 0) return this.flushScheduled();
        const token = ++this.ioToken;
        this.ioWait = token;
        this.ioWaitSince = performance.now();
        setImmediate(() => {
          if (this.ioWait === token) {
            this.ioWait = 0;
            this.flushScheduled();
          }
        });
      });
    turn(hops);
  }

  private ioToken = 0;

  private flushScheduled(): void {
    this.scheduled = false;
    void this.flush();
  }

  private async flush(): Promise<void> {
    if (this.queue.length === 0 || this.running >= this.maxInFlight) return;
    const group = this.queue.splice(0, this.maxGroup);
    this.running++;
    try {
      const results = await this.run(group.map((g) => g.item));
      for (const [i, g] of group.entries()) g.resolve(results[i] as R);
    } catch (err) {
      for (const g of group) g.reject(err);
    } finally {
      this.running--;
      // Serial: the callers of this group write again a few microtasks from now (a run's next begin);
      // flushing at once would send the few that came meanwhile alone and split the groups in two. Then
      // one turn of the event loop: the transaction ran on the synchronous driver and held the loop, so
      // the answers of the platform calls made meanwhile (HTTP responses from Notify or Teams) are waiting
      // as I/O callbacks, and each brings the next write of its run. Flushing on microtasks alone sent
      // each of those as a group of its own (issue 18: 1,000 SMS by Notify, 1,005 commits of 1.09 writes).
      if (this.serial) this.schedule(SETTLE_HOPS, true);
      else if (this.queue.length > 0) this.schedule();
    }
  }
}
