/**
 * Named leases with an expiry (Lease rows), portable across SQLite and PostgreSQL: acquire is a
 * compare-and-set (`updateMany` where the lease is free, expired, or already ours), so at most one owner
 * holds a name at a time. Used for the planner tick (one replica runs each tick) and for the SQLite
 * single-process guard. A holder that dies simply stops renewing; its lease expires and is taken over.
 * On SQLite, given the process's side writer (store/sqlite-side-writer.ts), `acquire` (the renewals every
 * few seconds) commits on its worker thread, the same compare-and-set, off the event loop.
 */
import type { Clock } from '../core/ports.ts';
import type { Db } from './db.ts';
import type { SqliteSideWriter } from './sqlite-side-writer.ts';

export interface LeaseHolder {
  owner: string;
  until: Date;
}

export class LeaseRepository {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly side?: SqliteSideWriter,
  ) {}

  /** Take or renew `name` for `ttlMs`. True when `owner` now holds it. */
  async acquire(name: string, owner: string, ttlMs: number): Promise<boolean> {
    const now = this.clock.now();
    const until = new Date(now.getTime() + ttlMs);
    if (this.side && !this.side.isClosed) return this.side.acquireLease(name, owner, now, until);
    const won = await this.db.lease.updateMany({
      where: { name, OR: [{ owner }, { until: { lt: now } }] },
      data: { owner, until },
    });
    if (won.count === 1) return true;
    try {
      await this.db.lease.create({ data: { name, owner, until } });
      return true;
    } catch (err) {
      if ((err as { code?: string }).code === 'P2002') return false; // someone else holds it
      throw err;
    }
  }

  /** Take `name` from a holder known to be dead (same host, process gone). */
  async takeOver(name: string, from: string, owner: string, ttlMs: number): Promise<boolean> {
    const until = new Date(this.clock.now().getTime() + ttlMs);
    const won = await this.db.lease.updateMany({ where: { name, owner: from }, data: { owner, until } });
    return won.count === 1;
  }

  async release(name: string, owner: string): Promise<void> {
    await this.db.lease.deleteMany({ where: { name, owner } });
  }

  /** Free every lease whose holder `isDead` says is gone (a crashed process on this host). */
  async releaseDead(isDead: (owner: string) => boolean): Promise<number> {
    const held = await this.db.lease.findMany({
      where: { until: { gte: this.clock.now() } },
      select: { owner: true },
    });
    const dead = [...new Set(held.map((h) => h.owner).filter(isDead))];
    if (dead.length === 0) return 0;
    return (await this.db.lease.deleteMany({ where: { owner: { in: dead } } })).count;
  }

  /** Unexpired holders of leases whose name starts with `prefix` (e.g. every running deliverer). */
  async live(prefix: string): Promise<(LeaseHolder & { name: string })[]> {
    return this.db.lease.findMany({
      where: { name: { startsWith: prefix }, until: { gte: this.clock.now() } },
      select: { name: true, owner: true, until: true },
    });
  }

  async holder(name: string): Promise<LeaseHolder | null> {
    const row = await this.db.lease.findUnique({ where: { name }, select: { owner: true, until: true } });
    return row;
  }
}
