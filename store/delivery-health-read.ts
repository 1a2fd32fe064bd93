/**
 * Each channel's last delivery and last failure, read from the delivery attempts (DeliveryAttempt.platform,
 * outcome, finishedAt; one index): whichever replica sent the message, before or after a restart. Three
 * single-row index reads per channel (the latest SENT, FAILED and NOT_FOUND attempt), never a scan.
 */
import type { Db } from './db.ts';

export interface ChannelDeliveryHealth {
  lastSentAt: string | null;
  lastFailedAt: string | null;
  /** The outcome of the last failure: failed, or not_found (the platform does not know the recipient). */
  lastFailure: string | null;
}

/** The channels a message can go by (the Platform enum). */
export const DELIVERY_PLATFORMS = ['TEAMS', 'SLACK', 'CONSOLE', 'EMAIL', 'SMS'] as const;
type DeliveryPlatform = (typeof DELIVERY_PLATFORMS)[number];
type Outcome = 'SENT' | 'FAILED' | 'NOT_FOUND';

/** Per channel that has ever had a delivery or a failure: its latest of each (ISO times). */
export async function channelDeliveryHealth(db: Db): Promise<Record<string, ChannelDeliveryHealth>> {
  const latest = (platform: DeliveryPlatform, outcome: Outcome) =>
    db.deliveryAttempt
      .findFirst({
        where: { platform, outcome },
        orderBy: { finishedAt: 'desc' },
        select: { finishedAt: true },
      })
      .then((r) => r?.finishedAt ?? null);
  const out: Record<string, ChannelDeliveryHealth> = {};
  await Promise.all(
    DELIVERY_PLATFORMS.map(async (p) => {
      const [sent, failed, notFound] = await Promise.all([
        latest(p, 'SENT'),
        latest(p, 'FAILED'),
        latest(p, 'NOT_FOUND'),
      ]);
      if (!sent && !failed && !notFound) return;
      const failure =
        failed && (!notFound || failed >= notFound)
          ? { at: failed, kind: 'failed' }
          : notFound
            ? { at: notFound, kind: 'not_found' }
            : null;
      out[p] = {
        lastSentAt: sent?.toISOString() ?? null,
        lastFailedAt: failure?.at.toISOString() ?? null,
        lastFailure: failure?.kind ?? null,
      };
    }),
  );
  // The channels in a fixed order, whichever query answered first.
  return Object.fromEntries(DELIVERY_PLATFORMS.filter((p) => out[p]).map((p) => [p, out[p]!]));
}
