/**
 * SQLite: a group of attempt finishes in three statements, whatever the group's size (the group commit of
 * store/outbox-coalescer.ts; one statement pair per message made a group of 20 cost 40 statements, the
 * larger part of the delivery loop's time in issue 16's burst of 1,000 SMS). Inside the caller's
 * transaction: read which messages each item's claim still holds, close the attempt rows, move the held
 * messages, each UPDATE joined to the items as one JSON parameter (`json_each`; SQLite 3.33+ UPDATE FROM).
 * Same results as store/outbox-attempts-pg.ts: a message changes state only while the caller holds its
 * claim, and the same claim twice in one group moves it once (the first item). Timestamps in Prisma's
 * SQLite text form (store/deadline-bulk.ts).
 */
import type { Db, Tx } from './db.ts';
import { sqliteTimestamp } from './deadline-bulk.ts';
import type { FinishRequest } from './outbox-attempts-pg.ts';

const REQ = `WITH req AS MATERIALIZED (
  SELECT value ->> '$.id' AS id, value ->> '$.attemptNo' AS attempt_no, value ->> '$.outcome' AS outcome,
         value ->> '$.state' AS state, value ->> '$.nextAt' AS next_at, value ->> '$.error' AS error,
         value ->> '$.retryAfter' AS retry_after, value ->> '$.platformRef' AS platform_ref,
         value ->> '$.token' AS token, value ->> '$.platform' AS platform
  FROM json_each(?))`;

export async function finishAttemptsSqlite(tx: Tx, items: FinishRequest[], now: Date): Promise<boolean[]> {
  const ts = sqliteTimestamp(now);
  // Who holds each message now: an item moves its message only if its claim is the holder, once.
  const ids = [...new Set(items.map((i) => i.messageId))];
  const holders = await tx.outboxMessage.findMany({
    where: { id: { in: ids }, state: 'SENDING' },
    select: { id: true, leaseOwner: true },
  });
  const holder = new Map(holders.map((h) => [h.id, h.leaseOwner]));
  const moves = items.map((i) => {
    const held = holder.get(i.messageId) === i.worker;
    if (held) holder.delete(i.messageId);
    return held;
  });
  const req = JSON.stringify(
    items.map((i) => ({
      id: i.messageId,
      attemptNo: i.attemptNo,
      outcome: i.outcome,
      state: i.next.state,
      nextAt: i.next.nextAttemptAt ? sqliteTimestamp(i.next.nextAttemptAt) : null,
      error: i.next.error ?? null,
      retryAfter: i.next.retryAfterMs ?? null,
      platformRef: i.next.platformRef ?? null,
      platform: i.next.platform ?? null,
    })),
  );
  await tx.$executeRawUnsafe(
    `${REQ}
     UPDATE "DeliveryAttempt" SET "finishedAt" = ?, "outcome" = req.outcome, "error" = req.error,
            "retryAfterMs" = req.retry_after, "platform" = req.platform
     FROM req WHERE "DeliveryAttempt"."messageId" = req.id AND "DeliveryAttempt"."attemptNo" = req.attempt_no`,
    req,
    ts,
  );
  const moving = items.filter((_, k) => moves[k]);
  if (moving.length > 0)
    await tx.$executeRawUnsafe(
      `${REQ}
       UPDATE "OutboxMessage" SET "state" = req.state, "leaseOwner" = NULL, "leaseUntil" = NULL,
              "lastError" = req.error,
              "sentAt" = CASE WHEN req.state = 'SENT' THEN ? ELSE "OutboxMessage"."sentAt" END,
              "nextAttemptAt" = COALESCE(req.next_at, "OutboxMessage"."nextAttemptAt"),
              "platformRef" = COALESCE(req.platform_ref, "OutboxMessage"."platformRef"),
              "updatedAt" = ?
       FROM req WHERE "OutboxMessage"."id" = req.id AND "OutboxMessage"."state" = 'SENDING'
         AND "OutboxMessage"."leaseOwner" = req.token`,
      JSON.stringify(
        moving.map((i) => ({
          id: i.messageId,
          token: i.worker,
          state: i.next.state,
          nextAt: i.next.nextAttemptAt ? sqliteTimestamp(i.next.nextAttemptAt) : null,
          error: i.next.error ?? null,
          platformRef: i.next.platformRef ?? null,
        })),
      ),
      ts,
      ts,
    );
  return moves;
}

export interface ReleaseRequest {
  messageId: string;
  worker: string;
  nextAttemptAt: Date;
  error: string | null;
}

/**
 * Give a group of claims back (RETRYING at each one's `nextAttemptAt`), each only while its claim holds the
 * message, in one statement (a claimed run whose first message failed gives the other nine back at once).
 */
export async function releaseClaimsSqlite(db: Db, items: ReleaseRequest[]): Promise<void> {
  await db.$executeRawUnsafe(
    `WITH req AS MATERIALIZED (
       SELECT value ->> '$.id' AS id, value ->> '$.token' AS token, value ->> '$.nextAt' AS next_at,
              value ->> '$.error' AS error
       FROM json_each(?))
     UPDATE "OutboxMessage" SET "state" = 'RETRYING', "leaseOwner" = NULL, "leaseUntil" = NULL,
            "nextAttemptAt" = req.next_at, "lastError" = req.error, "updatedAt" = ?
     FROM req WHERE "OutboxMessage"."id" = req.id AND "OutboxMessage"."state" = 'SENDING'
       AND "OutboxMessage"."leaseOwner" = req.token`,
    JSON.stringify(
      items.map((i) => ({
        id: i.messageId,
        token: i.worker,
        nextAt: sqliteTimestamp(i.nextAttemptAt),
        error: i.error,
      })),
    ),
    sqliteTimestamp(new Date()),
  );
}
