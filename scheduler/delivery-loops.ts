/**
 * The deliverer's polling loops (scheduler/deliver.ts): drain until nothing is due, run N loops that each
 * claim a batch, deliver it and claim again at once while there is work (else wait the poll interval),
 * wake an idle loop when urgent work is committed, and halt. What one drain does is the Deliverer's.
 */
import type { DeliveryLogger, DrainReport } from './deliverer-options.ts';

export class DeliveryLoops {
  private readonly timers: NodeJS.Timeout[] = [];
  /** Set by `halt`: no loop claims again, and the Deliverer's drains stop early. */
  stopping = false;

  constructor(
    private readonly drainOnce: () => Promise<DrainReport>,
    private readonly log: DeliveryLogger,
  ) {}

  /** Drain until nothing is due (tests, CLI). */
  async drainAll(maxRounds = 1000): Promise<DrainReport> {
    const total: DrainReport = { claimed: 0, sent: 0, retrying: 0, failed: 0 };
    for (let i = 0; i < maxRounds; i++) {
      const r = await this.drainOnce();
      total.claimed += r.claimed;
      total.sent += r.sent;
      total.retrying += r.retrying;
      total.failed += r.failed;
      if (r.claimed === 0) break;
    }
    return total;
  }

  /**
   * Run the delivery loop. Two loops by default: while one batch waits for its rate-limit slots, the
   * other claims the next, so the platform's pace is kept without a gap between batches. Claims are
   * exclusive and only the first open message of a person is claimable, so order is kept.
   */
  start(intervalMs: number, loops: number): void {
    const loop = async (slot: number) => {
      this.idle[slot] = false;
      if (this.stopping) return;
      try {
        const r = await this.drainOnce();
        // Keep going at once while there is work; otherwise wait for the next interval (or a wake-up).
        this.schedule(slot, loop, r.claimed > 0 ? 0 : intervalMs);
      } catch (err) {
        this.log.error({ err }, 'delivery loop failed; retrying');
        this.schedule(slot, loop, intervalMs);
      }
    };
    this.loopFn = loop;
    for (let i = 0; i < loops; i++) this.schedule(i, loop, i * 10);
  }

  private loopFn: ((slot: number) => Promise<void>) | undefined;
  /** Per loop: waiting out its poll interval (a wake-up may cut the wait short). */
  private readonly idle: boolean[] = [];

  private schedule(slot: number, loop: (slot: number) => Promise<void>, ms: number): void {
    if (this.stopping) return;
    this.idle[slot] = ms > 0;
    this.timers[slot] = setTimeout(() => void loop(slot), ms);
  }

  /** Loops waiting out their poll interval (/healthz, tests). */
  get idleLoops(): number {
    return this.idle.filter(Boolean).length;
  }

  /**
   * New urgent work was committed (a safeguarding concern): an idle loop claims at once instead of at the
   * end of its poll interval. A loop that is busy picks it up with its next claim anyway.
   */
  wake(): void {
    const loop = this.loopFn;
    if (!loop || this.stopping) return;
    const slot = this.idle.indexOf(true);
    if (slot < 0) return;
    clearTimeout(this.timers[slot]);
    this.schedule(slot, loop, 0);
  }

  /** Stop claiming: no loop is scheduled again and the waiting ones are cancelled. */
  halt(): void {
    this.stopping = true;
    for (const t of this.timers) clearTimeout(t);
  }
}
