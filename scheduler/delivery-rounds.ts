/**
 * Lock-step rounds for the e-mail and SMS runs of one claim (issue 18). Each person's run goes out in
 * order, one message after another; left to itself each run reaches its next write when its provider's
 * answer comes back, so 100 runs' writes trickled into the group commit a few at a time (1,000 SMS due at
 * once to 100 people: ~300 commits of ~3 writes on SQLite, each with its fsync and a handful of Prisma
 * statements, the larger part of the CPU). A run waits here before its next message until every run
 * still going has reached the same point, or ROUND_WAIT_MS after the first of them did (a slow answer
 * does not hold the others longer than that): then their writes (the previous message's finish and the
 * next one's begin) form one group. Order within a run is unchanged; nothing is sent before its write.
 */
export const ROUND_WAIT_MS = 50;

export class DeliveryRounds {
  private arrived = 0;
  private gate: Promise<void> | undefined;
  private release: (() => void) | undefined;

  /** `active`: the runs taking part (each calls `leave` once when it ends); `sleep`: the Deliverer's. */
  constructor(
    private active: number,
    private readonly sleep: (ms: number) => Promise<void>,
    private readonly waitMs = ROUND_WAIT_MS,
  ) {}

  /** Wait for the other runs to reach their next message (at most `waitMs` after the first did). */
  arrive(): Promise<void> {
    this.arrived++;
    if (!this.gate) {
      this.gate = new Promise<void>((r) => {
        this.release = r;
      });
      const gate = this.gate;
      void this.sleep(this.waitMs).then(() => {
        if (this.gate === gate) this.open();
      });
    }
    const gate = this.gate;
    if (this.arrived >= this.active) this.open();
    return gate;
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
