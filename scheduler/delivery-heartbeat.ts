/**
 * "Is a hub delivering?" for the processes that only write to the outbox (`send-hub import`, the CLI):
 * every running hub holds a lease `deliverer:<workerId>` and renews it every HEARTBEAT_MS; it expires
 * LEASE_MS after the last renewal, so a hub that was killed stops counting within half a minute, and one
 * that stopped cleanly releases it at once. Both providers (a Lease row), any number of replicas.
 */
import type { LeaseRepository } from '../store/lease-repository.ts';
import { DELIVERER_LEASE_PREFIX } from '../store/worker-id.ts';

const LEASE_MS = 30_000;
const HEARTBEAT_MS = 10_000;

export interface DeliveryHeartbeat {
  release(): Promise<void>;
}

export async function startDeliveryHeartbeat(
  leases: LeaseRepository,
  workerId: string,
  onError: (err: unknown) => void,
): Promise<DeliveryHeartbeat> {
  const name = `${DELIVERER_LEASE_PREFIX}${workerId}`;
  await leases.acquire(name, workerId, LEASE_MS);
  const timer = setInterval(() => {
    leases.acquire(name, workerId, LEASE_MS).catch(onError);
  }, HEARTBEAT_MS);
  timer.unref();
  return {
    async release() {
      clearInterval(timer);
      await leases.release(name, workerId).catch(onError);
    },
  };
}

/** The worker ids of the hubs delivering now (an empty list: no hub is running). */
export async function deliveringHubs(leases: LeaseRepository): Promise<string[]> {
  return (await leases.live(DELIVERER_LEASE_PREFIX)).map((l) => l.owner);
}
