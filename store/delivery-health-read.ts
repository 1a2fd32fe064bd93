/**
 * Each channel's last delivery and last failure, read from the delivery attempts (DeliveryAttempt.platform,
 * outcome, finishedAt; one index): whichever replica sent the message, before or after a restart. One
 * statement of fifteen single-row index reads (per channel the latest SENT, FAILED and NOT_FOUND attempt:
 * PostgreSQL an index-only backward scan, SQLite a covering-index search), never a scan of the table; one
 * round trip, as the health report runs it every 2 s beside the delivery loop.
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
const OUTCOMES = ['SENT', 'FAILED', 'NOT_FOUND'] as const;

/** The statement: one column per channel and outcome ("TEAMS_SENT" …), constants only (no input). */
const SQL = `SELECT ${DELIVERY_PLATFORMS.flatMap((p) =>
  OUTCOMES.map(
    (o) =>
      `(SELECT "finishedAt" FROM "DeliveryAttempt" WHERE "platform" = '${p}' AND "outcome" = '${o}'` +
      ` ORDER BY "finishedAt" DESC LIMIT 1) AS "${p}_${o}"`,
  ),
).join(', ')}`;

/** A time as the driver gives it: a Date (PostgreSQL), or Prisma's SQLite text ("…T10:00:01.000+00:00"). */
function asDate(v: unknown): Date | null {
  if (v instanceof Date) return v;
  if (typeof v === 'string' || typeof v === 'number') {
    const d = new Date(v);
    return Number.isNaN(d.getTime()) ? null : d;
  }
  return null;
}

/** Per channel that has ever had a delivery or a failure: its latest of each (ISO times). */
export async function channelDeliveryHealth(db: Db): Promise<Record<string, ChannelDeliveryHealth>> {
  const [row = {}] = await db.$queryRawUnsafe<Record<string, unknown>[]>(SQL);
  const out: Record<string, ChannelDeliveryHealth> = {};
  for (const p of DELIVERY_PLATFORMS) {
    const sent = asDate(row[`${p}_SENT`]);
    const failed = asDate(row[`${p}_FAILED`]);
    const notFound = asDate(row[`${p}_NOT_FOUND`]);
    if (!sent && !failed && !notFound) continue;
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
  }
  return out;
}
