/**
 * Each channel's last delivery and last failure for /healthz details and the admin health page (issue 17),
 * read from the database (store/delivery-health-read.ts): what every replica delivered, also before this
 * process started. Computed in the background with the rest of the report (app/metrics/health-cache.ts),
 * never per request. Outcome names and times only: no person, no message text.
 */

import { type ChannelDeliveryHealth, channelDeliveryHealth } from '../../store/delivery-health-read.ts';
import type { Hub } from '../container.ts';

export type { ChannelDeliveryHealth };

/** The figures as a plain object keyed by platform (TEAMS, SLACK, CONSOLE, EMAIL, SMS), for the health report. */
export function deliveryHealthSnapshot(hub: Hub): Promise<Record<string, ChannelDeliveryHealth>> {
  return channelDeliveryHealth(hub.dbh.db);
}
