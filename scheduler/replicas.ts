/**
 * Wiring for running one or several hub processes safely (docs/scaling.md):
 * - SQLite: this process takes the single-process lease, or refuses to start (SecondProcessError);
 * - Both providers: the planner tick runs under the scheduler lease, so with several replicas on
 *   PostgreSQL exactly one of them plans each tick. Outbox claims are per row (store/outbox-repository.ts).
 * - Both providers: a delivery heartbeat (scheduler/delivery-heartbeat.ts) tells `send-hub import` and
 *   `doctor` whether a hub is running; on PostgreSQL a LISTEN wakes delivery (scheduler/outbox-listener.ts).
 */
import type { Hub } from '../app/container.ts';
import { LeaseRepository } from '../store/lease-repository.ts';
import { openSideWriter } from '../store/sqlite-side-writer.ts';
import { startDeliveryHeartbeat } from './delivery-heartbeat.ts';
import { listenForOutbox } from './outbox-listener.ts';
import { acquireProcessLock } from './process-lock.ts';

export interface ReplicaGuard {
  release(): Promise<void>;
}

export async function coordinateReplicas(hub: Hub): Promise<ReplicaGuard> {
  // SQLite: the renewals (every 10 s, and each tick's) commit on the side writer's thread, so their waits
  // for the disk do not delay the requests this process is answering (bench/README.md "slack-ack").
  const side = hub.dbh.provider === 'sqlite' ? openSideWriter(hub.dbh.url) : undefined;
  const leases = new LeaseRepository(hub.dbh.db, hub.clock, side?.writer);
  const lock =
    hub.dbh.provider === 'sqlite'
      ? await acquireProcessLock(leases, hub.workerId, hub.dbh.url, (err) =>
          hub.log.error({ err }, 'lost the SQLite single-process lease'),
        ).catch(async (err: unknown) => {
          await side?.release();
          throw err;
        })
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
      await side?.release();
    },
  };
}
