/**
 * Acknowledgements first, after-ack work second. Slack needs each request answered within 3 s and retries
 * (or shows the person an error) when it is not; the work behind a request (database, replies) can wait a
 * little. Everything runs on one event loop, so the gate gives the ack path priority:
 *
 * - the route tells the gate when a request arrives and when it has been answered;
 * - after-ack work waits until no request is being answered and none arrived in the last `quietMs`, or
 *   until it has waited `maxWaitMs` (so it is never starved, and a modal's trigger_id, valid 3 s, is still
 *   fresh), and waiting jobs are let through one per turn of the event loop, so a request arriving
 *   meanwhile is read and answered between two of them;
 * - at most `max` jobs run at once: under a burst the jobs queue here instead of all competing with the
 *   HTTP path, and the replies follow as the queue drains. Nothing is dropped.
 */
export interface WorkGateOptions {
  /** Jobs running at once. */
  max: number;
  /** Quiet time after the last request before waiting work goes ahead (default 2 ms). */
  quietMs?: number;
  /** Longest a job waits for quiet (default 300 ms). */
  maxWaitMs?: number;
  now?: () => number;
}

export class WorkGate {
  private running = 0;
  private readonly slots: (() => void)[] = [];
  /** Jobs waiting for quiet, each with the time it started waiting. */
  private readonly waiting: { since: number; go: () => void }[] = [];
  private answering = 0;
  private lastArrival = Number.NEGATIVE_INFINITY;
  private timer: NodeJS.Timeout | undefined;
  private releasing = false;
  private readonly max: number;
  private readonly quietMs: number;
  private readonly maxWaitMs: number;
  private readonly now: () => number;

  constructor(options: WorkGateOptions) {
    this.max = options.max;
    this.quietMs = options.quietMs ?? 2;
    this.maxWaitMs = options.maxWaitMs ?? 300;
    this.now = options.now ?? (() => performance.now());
  }

  /** Jobs waiting for quiet or for a slot. */
  get backlog(): number {
    return this.waiting.length + this.slots.length;
  }

  /** A request has arrived; call `answered` once its response has gone. */
  requestArrived(): void {
    this.answering++;
    this.lastArrival = this.now();
  }

  answered(): void {
    this.answering = Math.max(0, this.answering - 1);
    this.schedule();
  }

  /** Resolves when no request is waiting for its answer (or after `maxWaitMs`). */
  whenQuiet(): Promise<void> {
    if (this.waiting.length === 0 && this.isQuiet()) return Promise.resolve();
    return new Promise<void>((go) => {
      this.waiting.push({ since: this.now(), go });
      this.schedule();
    });
  }

  async run<T>(job: () => Promise<T>): Promise<T> {
    await this.whenQuiet();
    if (this.running >= this.max) await new Promise<void>((r) => this.slots.push(r));
    this.running++;
    try {
      return await job();
    } finally {
      this.running--;
      this.slots.shift()?.();
    }
  }

  private isQuiet(): boolean {
    return this.answering === 0 && this.now() - this.lastArrival >= this.quietMs;
  }

  /** Let waiting jobs through one per event-loop turn while it is quiet (or they have waited long enough). */
  private schedule(): void {
    if (this.releasing || this.waiting.length === 0) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const head = this.waiting[0] as { since: number };
    const now = this.now();
    const overdue = now - head.since >= this.maxWaitMs;
    if (!overdue && !this.isQuiet()) {
      const untilQuiet = this.answering === 0 ? this.quietMs - (now - this.lastArrival) : this.quietMs;
      const untilOverdue = this.maxWaitMs - (now - head.since);
      this.timer = setTimeout(
        () => {
          this.timer = undefined;
          this.schedule();
        },
        Math.max(1, Math.ceil(Math.min(untilQuiet, untilOverdue))),
      );
      return;
    }
    this.releasing = true;
    this.waiting.shift()?.go();
    // Next one on the following turn, after any request that arrived meanwhile has been read.
    setImmediate(() => {
      this.releasing = false;
      this.schedule();
    });
  }
}
