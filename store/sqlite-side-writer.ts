/**
 * SQLite writes that no request waits on, done in a worker thread with its own better-sqlite3 connection
 * (store/sqlite-side-writer.worker.mjs): the Slack event receipts and the lease renewals (the single-process
 * lock, the delivery heartbeat, the scheduler lease). The driver is synchronous, so on the hub's own
 * connection each of these commits held the event loop while SQLite waited for the disk (3 to 50 ms on the
 * shared machine, bench/README.md "slack-ack"), delaying the Slack acks that arrived meanwhile.
 *
 * Same guarantees as before: the same rows and statements (insert-if-absent on the receipt's event id; the
 * lease's compare-and-set), `synchronous = FULL` (a write's promise resolves only after its commit is on
 * disk), the same busy timeout. The file is in write-ahead-log mode (store/db.ts), which allows one writer
 * at a time beside readers; this process's Prisma transactions and the side writes take turns
 * (store/sqlite-write-turns.ts), so neither sees the other's commit in the middle of a transaction.
 *
 * One worker per database file per process, shared (reference-counted) by its users. If the worker dies
 * (killed, out of memory), the writes it had not answered fail (their callers handle a failed write as
 * they would a database error) and the next write starts a new worker.
 */
import { Worker } from 'node:worker_threads';
import { SQLITE_BUSY_TIMEOUT_MS } from './db.ts';
import { sqliteTimestamp } from './deadline-bulk.ts';
import { sqliteFile, type WriteTurns, writeTurns } from './sqlite-write-turns.ts';

type Op = 'claimReceipts' | 'pruneReceipts' | 'acquireLease';
interface Waiting {
  resolve(v: unknown): void;
  reject(err: Error): void;
}

export class SqliteSideWriter {
  private worker: Worker | undefined;
  private nextId = 0;
  private readonly waiting = new Map<number, Waiting>();
  private readonly turns: WriteTurns;
  private closed = false;
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(readonly url: string) {
    this.turns = writeTurns(url);
  }

  /** The ids of `eventIds` this call inserted (the others were there already). */
  async claimReceipts(eventIds: string[], at: Date): Promise<Set<string>> {
    const won = await this.call<string[]>('claimReceipts', { ids: eventIds, at: sqliteTimestamp(at) });
    return new Set(won);
  }

  async pruneReceipts(before: Date): Promise<number> {
    return this.call<number>('pruneReceipts', { before: sqliteTimestamp(before) });
  }

  /** Take or renew lease `name` until `until` if it is free, expired at `now`, or already `owner`'s. */
  async acquireLease(name: string, owner: string, now: Date, until: Date): Promise<boolean> {
    return this.call<boolean>('acquireLease', {
      name,
      owner,
      now: sqliteTimestamp(now),
      until: sqliteTimestamp(until),
    });
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** The worker's thread id while it runs (tests kill it to prove a crash loses nothing answered). */
  get threadId(): number | undefined {
    return this.worker?.threadId;
  }

  /** Stop the worker (after the writes already sent have been answered). */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([...this.inFlight]);
    const w = this.worker;
    this.worker = undefined;
    await w?.terminate();
  }

  /** Stop the worker at once, as a crash would (tests). */
  async kill(): Promise<void> {
    await this.worker?.terminate();
  }

  private call<T>(op: Op, args: Record<string, unknown>): Promise<T> {
    if (this.closed) return Promise.reject(new Error('the SQLite side writer is closed'));
    const p = this.turns.side(
      () =>
        new Promise<T>((resolve, reject) => {
          const id = ++this.nextId;
          this.waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
          this.start().postMessage({ id, op, args });
        }),
    );
    this.inFlight.add(p);
    const forget = () => this.inFlight.delete(p);
    p.then(forget, forget);
    return p;
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(new URL('./sqlite-side-writer.worker.mjs', import.meta.url), {
      workerData: { file: sqliteFile(this.url), busyTimeoutMs: SQLITE_BUSY_TIMEOUT_MS },
      // Plain JavaScript: no loader (tsx) needed, whatever the parent was started with.
      execArgv: [],
    });
    worker.unref();
    worker.on(
      'message',
      (m: { id: number; result?: unknown; error?: { message: string; code?: string } }) => {
        const w = this.waiting.get(m.id);
        if (!w) return;
        this.waiting.delete(m.id);
        if (m.error) w.reject(Object.assign(new Error(m.error.message), { code: m.error.code }));
        else w.resolve(m.result);
      },
    );
    const gone = (why: string) => {
      if (this.worker === worker) this.worker = undefined;
      const err = new Error(`the SQLite side writer stopped (${why}) before answering`);
      for (const w of this.waiting.values()) w.reject(err);
      this.waiting.clear();
    };
    worker.on('error', (err) => gone(err.message.slice(0, 200)));
    worker.on('exit', (code) => gone(`exit ${code}`));
    this.worker = worker;
    return worker;
  }
}

const shared = new Map<string, { writer: SqliteSideWriter; users: number }>();

/** This process's side writer for the database at `url` (a `file:` URL); `release` when done with it. */
export function openSideWriter(url: string): { writer: SqliteSideWriter; release(): Promise<void> } {
  const file = sqliteFile(url);
  let entry = shared.get(file);
  if (!entry) {
    entry = { writer: new SqliteSideWriter(url), users: 0 };
    shared.set(file, entry);
  }
  entry.users++;
  const e = entry;
  let released = false;
  return {
    writer: e.writer,
    async release() {
      if (released) return;
      released = true;
      e.users--;
      if (e.users > 0) return;
      if (shared.get(file) === e) shared.delete(file);
      await e.writer.close();
    },
  };
}
