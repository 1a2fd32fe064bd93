/**
 * Turns between this process's two writers on one SQLite file: the Prisma connection (store/db.ts, on the
 * event loop) and the side writer (store/sqlite-side-writer.ts, a worker thread's own connection).
 *
 * Prisma begins its transactions with a deferred BEGIN. In write-ahead-log mode a transaction that has
 * read and then writes fails at once with SQLITE_BUSY (no busy wait can help) if another connection
 * committed in between (https://www.sqlite.org/isolation.html, "BUSY_SNAPSHOT"). So a side write never
 * runs while a Prisma transaction of this process is open, and a Prisma transaction does not begin while a
 * side write is running: each waits for the other without blocking the event loop. A side write that is
 * waiting goes before transactions that begin after it (the lease renewals must not starve), and
 * transactions that waited for a side write go before the next one. Single Prisma statements outside a
 * transaction are not affected (each takes the write lock with the busy timeout, snapshot included).
 */
import path from 'node:path';

export class WriteTurns {
  private open = 0;
  private sideRunning = false;
  /** Waiting in arrival order: a side write waits for open transactions; transactions behind it wait too. */
  private readonly queue: { kind: 'main' | 'side'; go: () => void }[] = [];

  /** Prisma transactions open now (tests). */
  get openTransactions(): number {
    return this.open;
  }

  /** Before a Prisma transaction begins. */
  async beginMain(): Promise<void> {
    if (!this.sideRunning && this.queue.length === 0) {
      this.open++;
      return;
    }
    await new Promise<void>((go) => this.queue.push({ kind: 'main', go }));
  }

  /** After it has committed or rolled back. */
  endMain(): void {
    this.open = Math.max(0, this.open - 1);
    this.pump();
  }

  /**
   * Run one side write when no Prisma transaction of this process is open. Never await a side write
   * inside a Prisma transaction: it would wait for that transaction's end.
   */
  async side<T>(write: () => Promise<T>): Promise<T> {
    if (this.open === 0 && !this.sideRunning && this.queue.length === 0) this.sideRunning = true;
    else await new Promise<void>((go) => this.queue.push({ kind: 'side', go }));
    try {
      return await write();
    } finally {
      this.sideRunning = false;
      this.pump();
    }
  }

  /** Let the waiting go in order: transactions together, a side write alone once none is open. */
  private pump(): void {
    while (this.queue.length > 0 && !this.sideRunning) {
      const head = this.queue[0] as { kind: 'main' | 'side'; go: () => void };
      if (head.kind === 'side' && this.open > 0) return;
      this.queue.shift();
      if (head.kind === 'main') this.open++;
      else this.sideRunning = true;
      head.go();
    }
  }
}

/** The absolute path of a `file:` URL's database. */
export function sqliteFile(url: string): string {
  return path.resolve(url.replace(/^file:/, '').split('?')[0] ?? '');
}

const turnsByFile = new Map<string, WriteTurns>();

/** The turns of one database file, shared by every connection of this process to it. */
export function writeTurns(url: string): WriteTurns {
  const file = sqliteFile(url);
  let t = turnsByFile.get(file);
  if (!t) {
    t = new WriteTurns();
    turnsByFile.set(file, t);
  }
  return t;
}
