/**
 * Wiring for running one or several hub processes safely (docs/scaling.md):
 * - SQLite: this process takes the single-process lease, or refuses to start (SecondProcessError);
 * - Both providers: the planner tick runs under the scheduler lease, so with several replicas on
 *   PostgreSQL exactly one of them plans each tick. Outbox claims are per row (store/outbox-repository.ts).
 * - Both providers: a delivery heartbeat (scheduler/delivery-heartbeat.ts) tells `send-hub import` and
 *   `doctor` whether a hub is running; on PostgreSQL a LISTEN wakes delivery (scheduler/outbox-listener.ts).
 */
import type { Hub } from '../app/container.ts';
import type { DbHandle } from '../store/db.ts';
import { LeaseRepository } from '../store/lease-repository.ts';
import { startDeliveryHeartbeat } from './delivery-heartbeat.ts';
import { listenForOutbox } from './outbox-listener.ts';
import { acquireProcessLock } from './process-lock.ts';

export interface ReplicaGuard {
  release(): Promise<void>;
}

/**
 * SQLite in write-ahead-log mode roughly doubles the delivery rate (a commit appends to the log), but it
 * is NOT enabled: the mode is stored in the file, and the wasm migration engine that every CLI command
 * runs beside the hub then cannot open the database ("SocketTimeout"). Kept for a later fix.
 */
export async function enableWal(dbh: DbHandle): Promise<void> {
  if (dbh.provider === 'sqlite') await dbh.db.$queryRawUnsafe('PRAGMA journal_mode=WAL');
}

export async function coordinateReplicas(hub: Hub): Promise<ReplicaGuard> {
  const leases = new LeaseRepository(hub.dbh.db, hub.clock);
  const lock =
    hub.dbh.provider === 'sqlite'
      ? await acquireProcessLock(leases, hub.workerId, hub.dbh.url, (err) =>
          hub.log.error({ err }, 'lost the SQLite single-process lease'),
        )
      : undefined;
  hub.scheduler.useLease(leases, hub.workerId);
  // "Is a hub delivering?" for `send-hub import` and `doctor` (issue 13), and on PostgreSQL a wake-up
  // from the process that wrote urgent work (NOTIFY), so it goes out at once, not at the next poll.
  const heartbeat = await startDeliveryHeartbeat(leases, hub.workerId, (err) =>
    hub.log.warn({ err: err instanceof Error ? err.message : String(err) }, 'delivery heartbeat failed'),
  );
  const listener =
    hub.dbh.provider === 'postgres'
      ? listenForOutbox(hub.dbh.url, () => hub.deliverer.wake(), hub.log)
      : undefined;
  return {
    async release() {
      await listener?.stop();
      await heartbeat.release();
      await lock?.release();
    },
  };
}
