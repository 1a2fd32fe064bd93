/**
 * Lock-step rounds for the e-mail and SMS runs of one claim (issue 18). Each person's run goes out in
 * order, one message after another; left to itself each run reaches its next write when its provider's
 * answer comes back, so 100 runs' writes trickled into the group commit a few at a time (1,000 SMS due at
 * once to 100 people: ~300 commits of ~3 writes on SQLite, each with its fsync and a handful of Prisma
 * statements, the larger part of the CPU). A run waits here before its next message until every run
 * still going has reached the same point, or until no run has arrived for ROUND_WAIT_MS (a slow answer
 * does not hold the others longer than that once the rest are in), and never more than
 * ROUND_WAIT_MS × ROUND_MAX_WAITS after the first arrival: then their writes (the previous message's
 * finish and the next one's begin) form one group. Order within a run is unchanged; nothing is sent
 * before its write.
 *
 * Why the round stays open while runs still arrive (issue 18, bench/README.md "out-of-chat"): on a busy
 * process a round's sends can leave over a few hundred milliseconds (200-430 ms in the bench's first
 * round, with the other loop's chat claims between them), so a fixed wait after the first arrival split
 * the runs in two: the late ones (12-49 of 100) became a second cohort one round behind, with groups and
 * commits of its own every round, and their last messages went out a whole round after everyone else's.
 */
export const ROUND_WAIT_MS = 50;
/** Quiet periods a round may be extended by while runs keep arriving (at most 500 ms in all). */
export const ROUND_MAX_WAITS = 10;

/** One turn of the event loop: a provider answer already received reaches `arrive` before the check. */
const nextTurn = () => new Promise<void>((r) => setImmediate(r));

export class DeliveryRounds {
  private arrived = 0;
  /** Arrivals so far (all rounds): a quiet period is one in which this did not move. */
  private arrivals = 0;
  private gate: Promise<void> | undefined;
  private release: (() => void) | undefined;

  /**
   * `active`: the runs taking part (each calls `leave` once when it ends); `sleep`: the Deliverer's;
   * `turn`: a turn of the event loop (the timer that ends a quiet period fires before the I/O callbacks
   * of answers that came in while the process was busy; they are heard before the round is closed).
   */
  constructor(
    private active: number,
    private readonly sleep: (ms: number) => Promise<void>,
    private readonly waitMs = ROUND_WAIT_MS,
    private readonly turn: () => Promise<void> = nextTurn,
  ) {}

  /** Wait for the other runs to reach their next message (see the class comment for the bound). */
  arrive(): Promise<void> {
    this.arrived++;
    this.arrivals++;
    if (!this.gate) {
      this.gate = new Promise<void>((r) => {
        this.release = r;
      });
      void this.watch(this.gate, this.arrivals, ROUND_MAX_WAITS);
    }
    const gate = this.gate;
    if (this.arrived >= this.active) this.open();
    return gate;
  }

  /** Close the round after a quiet period (no run arrived during it), or after `left` periods in all. */
  private async watch(gate: Promise<void>, seen: number, left: number): Promise<void> {
    await this.sleep(this.waitMs);
    if (this.gate !== gate) return;
    await this.turn();
    if (this.gate !== gate) return;
    if (this.arrivals !== seen && left > 1) return this.watch(gate, this.arrivals, left - 1);
    this.open();
  }

  /** A run ended (sent in full, or the rest given back): the others no longer wait for it. */
  leave(): void {
    this.active--;
    if (this.gate && this.arrived >= this.active) this.open();
  }

  private open(): void {
    const release = this.release;
    this.gate = undefined;
    this.release = undefined;
    this.arrived = 0;
    release?.();
  }
}
