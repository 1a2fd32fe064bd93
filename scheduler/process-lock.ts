/**
 * SQLite is single-process: a second `send-hub start` on the same database file would run every tick
 * and delivery twice and fight over the file. The running hub holds the Lease "sqlite-process" and renews
 * it (heartbeat); a second process finds it held and refuses to start with a clear message. A lease left
 * by a process that crashed on this host is taken over at once (its pid is gone); one from another host
 * expires after PROCESS_LEASE_MS. PostgreSQL needs no such guard: replicas coordinate through leases.
 */
import type { LeaseRepository } from '../store/lease-repository.ts';
import { describeWorker, workerAlive } from '../store/worker-id.ts';

export const PROCESS_LEASE = 'sqlite-process';
const PROCESS_LEASE_MS = 30_000;
const HEARTBEAT_MS = 10_000;

export class SecondProcessError extends Error {
  constructor(
    readonly holder: string,
    databaseUrl: string,
  ) {
    super(
      `another send-hub process (${describeWorker(holder)}) is already using the SQLite database ${databaseUrl.replace(/^file:/, '')}. ` +
        'SQLite supports one hub process: stop the other one first, or use PostgreSQL (DATABASE_URL=postgresql://…) to run several replicas.',
    );
  }
}

export interface ProcessLock {
  release(): Promise<void>;
}

export async function acquireProcessLock(
  leases: LeaseRepository,
  owner: string,
  databaseUrl: string,
  onLost: (err: unknown) => void,
): Promise<ProcessLock> {
  if (!(await leases.acquire(PROCESS_LEASE, owner, PROCESS_LEASE_MS))) {
    const holder = await leases.holder(PROCESS_LEASE);
    const dead = holder && !workerAlive(holder.owner);
    if (!holder || !dead || !(await leases.takeOver(PROCESS_LEASE, holder.owner, owner, PROCESS_LEASE_MS))) {
      throw new SecondProcessError(holder?.owner ?? 'unknown:?', databaseUrl);
    }
  }
  const timer = setInterval(() => {
    leases.acquire(PROCESS_LEASE, owner, PROCESS_LEASE_MS).then((ok) => {
      if (!ok) onLost(new Error('the SQLite process lease was taken by another process'));
    }, onLost);
  }, HEARTBEAT_MS);
  timer.unref();
  return {
    async release() {
      clearInterval(timer);
      await leases.release(PROCESS_LEASE, owner);
    },
  };
}
