/**
 * Unacknowledged concerns in digests (issue 13, point 4), for the DSL, the deputies and the head (by role,
 * or on the organisation's rota) and nobody else:
 * - the chat `digest` (app/deadlines/commands.ts asks `hub.services.get('concerns').digestSection`);
 * - on the digest day (DEADLINE_DIGEST_DAY at DEADLINE_NUDGE_TIME, app/deadlines/config.ts), a private
 *   message to each of them while any concern is unacknowledged.
 * Content-free: reference, initials and year, age (core/escalations/concern-digest.ts).
 */
import { localDate, localTime, zonedInstant } from '../../core/calendar/zoned-time.ts';
import {
  onSafeguardingLadder,
  unacknowledgedDigest,
  unacknowledgedSection,
} from '../../core/escalations/concern-digest.ts';
import type { Planner } from '../../scheduler/tick.ts';
import type { Hub } from '../container.ts';
import { readDeadlinesEnv } from '../deadlines/config.ts';
import type { ConcernService } from './concern-service.ts';

const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];

/** Active staff of the organisation who see unacknowledged concerns: safeguarding roles, or on the rota. */
export async function digestLadder(hub: Hub, service: ConcernService, orgId: string): Promise<string[]> {
  const rota = new Set((await service.rota.list(orgId)).map((e) => e.staffId));
  return (await hub.staff.all(orgId))
    .filter((s) => s.active && (onSafeguardingLadder(s.roles) || rota.has(s.id)))
    .map((s) => s.id);
}

/** The section for `staffId`'s digest, or null (not on the ladder, or nothing waiting). */
export async function concernDigestSection(
  hub: Hub,
  service: ConcernService,
  orgId: string,
  staffId: string,
): Promise<{ heading: string; lines: string[] } | null> {
  if (!(await digestLadder(hub, service, orgId)).includes(staffId)) return null;
  return unacknowledgedSection(await service.unacknowledged(orgId), hub.clock.now());
}

/** On the digest day, once per person and day: the waiting concerns to everyone on the ladder. */
export function concernDigestPlanner(hub: Hub, service: ConcernService): Planner {
  const env = readDeadlinesEnv(hub.config.raw);
  const zone = hub.config.env.TIME_ZONE;
  return {
    name: 'safeguarding-digest',
    async run(now) {
      const today = localDate(now, zone);
      const day = WEEKDAYS[new Date(`${today}T00:00:00Z`).getUTCDay()];
      if (day !== env.DEADLINE_DIGEST_DAY || localTime(now, zone) < env.DEADLINE_NUDGE_TIME)
        return { sent: 0 };
      let sent = 0;
      const digestAt = zonedInstant(today, env.DEADLINE_NUDGE_TIME, zone);
      for (const org of await hub.orgs.all()) {
        // Those waiting at digest time (a concern raised later today went up the ladder already).
        const waiting = (await service.unacknowledged(org.id)).filter((c) => c.raisedAt <= digestAt);
        const digest = unacknowledgedDigest(waiting, now);
        if (!digest) continue;
        for (const staffId of await digestLadder(hub, service, org.id)) {
          const queued = await hub.outbox.enqueue({
            idempotencyKey: `concern-digest:${staffId}:${today}`,
            orgId: org.id,
            to: { staffId },
            priority: 1,
            message: digest,
          });
          if (queued) sent++;
        }
      }
      return { sent };
    },
  };
}
