/**
 * At start, what a process that died on THIS host (kill -9, a power cut, an OOM kill) left behind is
 * taken back at once instead of waiting for its leases to expire (up to a minute): outbox messages it
 * had claimed (in doubt: they may or may not have reached the platform, and the deliverer says so when it
 * resends one) and named leases it held (the planner tick). A holder is dead only when its worker id
 * names this host and its process id is gone; holders on other hosts keep their leases until expiry.
 */
import os from 'node:os';
import type { LeaseRepository } from '../store/lease-repository.ts';
import type { OutboxRepository } from '../store/outbox-repository.ts';

/** True only for `<host>:<pid>:…` owners on this host whose process is gone (never for our own pid). */
export function deadOnThisHost(owner: string): boolean {
  const [host, pid] = owner.split(':');
  if (host !== os.hostname() || !pid || !/^\d+$/.test(pid) || Number(pid) === process.pid) return false;
  try {
    process.kill(Number(pid), 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

export async function reconcileDeadHolders(
  outbox: OutboxRepository,
  leases: LeaseRepository,
): Promise<{ messages: number; leases: number }> {
  return {
    messages: await outbox.releaseLeasesOf(deadOnThisHost),
    leases: await leases.releaseDead(deadOnThisHost),
  };
}
