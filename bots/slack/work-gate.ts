/**
 * After-ack work runs through this gate, a few jobs at a time. Under a burst the jobs queue here instead
 * of all competing with the HTTP path for the event loop, so new requests are still acknowledged well
 * inside Slack's 3 seconds; the replies follow as the queue drains. Nothing is dropped.
 */
export class WorkGate {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly max: number) {}

  get backlog(): number {
    return this.waiting.length;
  }

  async run<T>(job: () => Promise<T>): Promise<T> {
    if (this.running >= this.max) await new Promise<void>((r) => this.waiting.push(r));
    this.running++;
    // Yield to the I/O phase first, so requests already waiting are read and acknowledged before this job.
    await new Promise<void>((r) => setImmediate(r));
    try {
      return await job();
    } finally {
      this.running--;
      this.waiting.shift()?.();
    }
  }
}
