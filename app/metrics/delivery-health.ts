/**
 * Each channel's last delivery and last failure, heard from the deliverer (in memory, since this process
 * started: no query), for /healthz details and the admin health page (issue 17). Outcome names only: no
 * person, no message text.
 */
import type { Hub } from '../container.ts';

export interface ChannelDeliveryHealth {
  lastSentAt: string | null;
  lastFailedAt: string | null;
  /** The outcome of the last failure (failed, not_found, unreachable). */
  lastFailure: string | null;
}

const FAILURES = new Set(['failed', 'not_found', 'unreachable']);
const trackers = new WeakMap<Hub, Map<string, ChannelDeliveryHealth>>();

/** Start listening (once per hub); returns the live map, keyed by platform (TEAMS, SLACK, CONSOLE, EMAIL, SMS). */
export function deliveryHealthFor(hub: Hub): Map<string, ChannelDeliveryHealth> {
  let byPlatform = trackers.get(hub);
  if (byPlatform) return byPlatform;
  const map = new Map<string, ChannelDeliveryHealth>();
  byPlatform = map;
  trackers.set(hub, map);
  hub.deliverer?.onAttemptOutcome((outcome, _message, platform) => {
    if (!platform || (outcome !== 'sent' && !FAILURES.has(outcome))) return;
    const h = map.get(platform) ?? { lastSentAt: null, lastFailedAt: null, lastFailure: null };
    const at = hub.clock.now().toISOString();
    if (outcome === 'sent') h.lastSentAt = at;
    else {
      h.lastFailedAt = at;
      h.lastFailure = outcome;
    }
    map.set(platform, h);
  });
  return map;
}

/** The figures as a plain object (for the health report). */
export function deliveryHealthSnapshot(hub: Hub): Record<string, ChannelDeliveryHealth> {
  return Object.fromEntries([...deliveryHealthFor(hub)].map(([p, h]) => [p, { ...h }]));
}
