/**
 * Concerns waiting for a first alert (issue 13): a concern raised by a process that does not deliver
 * (`send-hub import`, the CLI) is stored with its first ladder messages in the outbox, and the running
 * hub sends them within seconds. With no hub running they wait, and the person who ran the import, the
 * admin running `send-hub doctor` and /healthz are told so. Content-free: counts and ages only.
 */
import { deliveringHubs } from '../../scheduler/delivery-heartbeat.ts';
import { LeaseRepository } from '../../store/lease-repository.ts';
import type { Hub } from '../container.ts';
import type { Safeguarding } from './module.ts';

export interface FirstAlertStatus {
  /** Unacknowledged concerns no ladder message has reached yet. */
  waiting: number;
  /** Minutes since the oldest of them was raised (null: none waiting). */
  oldestMinutes: number | null;
  /** Hubs renewing their delivery heartbeat now (0: no hub is running). */
  hubsDelivering: number;
}

export async function firstAlertStatus(hub: Hub, orgId?: string): Promise<FirstAlertStatus> {
  const sg = hub.services.get('safeguarding') as Safeguarding | undefined;
  const waiting = sg ? await sg.service.concerns.awaitingFirstAlert(orgId) : [];
  const hubs = await deliveringHubs(new LeaseRepository(hub.dbh.db, hub.clock));
  const oldest = waiting[0]?.raisedAt;
  return {
    waiting: waiting.length,
    oldestMinutes: oldest ? Math.floor((hub.clock.now().getTime() - oldest.getTime()) / 60_000) : null,
    hubsDelivering: hubs.length,
  };
}

const concerns = (n: number) => (n === 1 ? '1 safeguarding concern is' : `${n} safeguarding concerns are`);

/** One line for the import CLI when concerns wait and no hub runs to send them; null otherwise. */
export function noHubLine(s: FirstAlertStatus): string | null {
  if (s.waiting === 0 || s.hubsDelivering > 0) return null;
  return `No hub is running: ${concerns(s.waiting)} waiting, and the DSL will be alerted when the hub starts (send-hub start).`;
}

/** The `send-hub doctor` line. */
export function doctorLine(s: FirstAlertStatus): string {
  const hubs = s.hubsDelivering === 0 ? 'no hub is running' : `${s.hubsDelivering} hub(s) delivering`;
  if (s.waiting === 0) return `ok   safeguarding: no concern waiting for a first alert (${hubs})`;
  return `WARN safeguarding: ${concerns(s.waiting)} waiting for a first alert, the oldest for ${s.oldestMinutes} min (${hubs}${s.hubsDelivering === 0 ? ': run send-hub start' : ''})`;
}
