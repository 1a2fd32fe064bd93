/**
 * A hub process's worker id, `<host>:<pid>:<suffix>` (app/container.ts), as it stands in the leases it holds:
 * the SQLite process lease (scheduler/process-lock.ts) and the deliverer's heartbeat
 * (`deliverer:<workerId>`, scheduler/delivery-heartbeat.ts), which store/migrate.ts also reads before it
 * migrates.
 */
import os from 'node:os';

/** The lease each running hub holds while it delivers: `deliverer:<workerId>`. */
export const DELIVERER_LEASE_PREFIX = 'deliverer:';

/** True unless the worker id names this host and its process is gone; another host's: cannot tell, alive. */
export function workerAlive(owner: string): boolean {
  const [host, pid] = owner.split(':');
  if (host !== os.hostname() || !pid || !/^\d+$/.test(pid)) return true;
  try {
    process.kill(Number(pid), 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** "pid 123 on host-a" for a worker id. */
export function describeWorker(owner: string): string {
  const [host, pid] = owner.split(':');
  return `pid ${pid} on ${host}`;
}
