/**
 * Group commit: calls made while a group is pending (the sends of a batch begin and finish at about the
 * same moment) run as one transaction, and each caller gets its own result once that transaction has
 * committed. On SQLite (one writer; `serial`) the next group waits for the previous one, so groups grow
 * under load instead of queueing one transaction per message behind other writers; every transaction
 * is one turn of the single writer, and one commit. If the transaction fails, every caller of the group
 * gets the error, as each would have alone.
 */
export class Coalescer<I, R> {
  private queue: { item: I; resolve(r: R): void; reject(e: unknown): void }[] = [];
  private scheduled = false;
  private running = 0;

  constructor(
    private readonly run: (items: I[]) => Promise<R[]>,
    private readonly serial: boolean,
    private readonly maxGroup = 200,
  ) {}

  add(item: I): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || (this.serial && this.running > 0)) return;
    this.scheduled = true;
    // After the microtasks already queued (the other sends of the batch reaching this point join the
    // group). Not a timer: on SQLite the driver is synchronous, so a busy process can run on microtasks
    // alone for seconds, and a timer or setImmediate would wait for all of it.
    queueMicrotask(() => {
      this.scheduled = false;
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    if (this.queue.length === 0 || (this.serial && this.running > 0)) return;
    const group = this.queue.splice(0, this.maxGroup);
    this.running++;
    try {
      const results = await this.run(group.map((g) => g.item));
      for (const [i, g] of group.entries()) g.resolve(results[i] as R);
    } catch (err) {
      for (const g of group) g.reject(err);
    } finally {
      this.running--;
      if (this.queue.length > 0) this.schedule();
    }
  }
}
