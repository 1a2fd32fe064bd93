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
import type { Tx } from './db.ts';
import { sqliteTimestamp } from './deadline-bulk.ts';
import type { BeginRequest, FinishRequest } from './outbox-attempts-pg.ts';

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
export async function releaseClaimsSqlite(db: Tx, items: ReleaseRequest[]): Promise<void> {
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

/**
 * A group of attempt begins inside the caller's transaction: per claim (and lease), one conditional update
 * that returns the rows still held (attempts incremented, lease renewed), then one insert of their attempt
 * rows. Returns, per item, the attempt number, or null when the claim was lost (the same claim twice in
 * one group: the first item has the attempt, the second none).
 */
export async function beginAttemptsSqlite(
  tx: Tx,
  items: BeginRequest[],
  now: Date,
): Promise<(number | null)[]> {
  const key = (id: string, worker: string) => `${id}\u0000${worker}`;
  const attemptNo = new Map<string, number>();
  const groups = new Map<string, BeginRequest[]>();
  for (const i of items) {
    const g = `${i.worker}\u0000${i.leaseMs ?? 0}`;
    groups.set(g, [...(groups.get(g) ?? []), i]);
  }
  for (const group of groups.values()) {
    const { worker, leaseMs } = group[0]!;
    const held = await tx.outboxMessage.updateManyAndReturn({
      where: {
        id: { in: [...new Set(group.map((g) => g.messageId))] },
        state: 'SENDING',
        leaseOwner: worker,
      },
      data: {
        attempts: { increment: 1 },
        ...(leaseMs ? { leaseUntil: new Date(now.getTime() + leaseMs) } : {}),
      },
      select: { id: true, attempts: true },
    });
    for (const r of held) attemptNo.set(key(r.id, worker), r.attempts);
  }
  const results: (number | null)[] = [];
  const rows: { messageId: string; attemptNo: number; worker: string; startedAt: Date }[] = [];
  for (const i of items) {
    const k = key(i.messageId, i.worker);
    const n = attemptNo.get(k);
    attemptNo.delete(k);
    results.push(n ?? null);
    if (n !== undefined)
      rows.push({ messageId: i.messageId, attemptNo: n, worker: workerOf(i.worker), startedAt: now });
  }
  if (rows.length > 0) await tx.deliveryAttempt.createMany({ data: rows });
  return results;
}

/** One write of the delivery loop: an attempt's begin (after the previous message's finish), finish, or a release. */
export type OutboxWrite =
  | { kind: 'begin'; begin: BeginRequest; after?: FinishRequest }
  | { kind: 'finish'; finish: FinishRequest }
  | { kind: 'release'; release: ReleaseRequest };

/**
 * SQLite: a group of the delivery loop's writes (begins, finishes, releases) in one transaction, so one
 * commit, whatever the mix (on the single writer each commit waits for the disk: most of the SMS burst's
 * time, issue 18). Finishes first (a begin's `after` among them: the previous message of the same
 * person, written with it), then releases, then begins; they touch different claims, so the order only
 * keeps each statement's group whole. Returns per write: the attempt number or null (begin), whether the
 * message moved (finish), undefined (release).
 */
export async function writeGroupSqlite(
  tx: Tx,
  writes: OutboxWrite[],
  now: Date,
): Promise<(number | boolean | null | undefined)[]> {
  const finishes: FinishRequest[] = [];
  for (const w of writes) {
    if (w.kind === 'finish') finishes.push(w.finish);
    else if (w.kind === 'begin' && w.after) finishes.push(w.after);
  }
  const moved = finishes.length > 0 ? await finishAttemptsSqlite(tx, finishes, now) : [];
  const releases = writes.flatMap((w) => (w.kind === 'release' ? [w.release] : []));
  if (releases.length > 0) await releaseClaimsSqlite(tx, releases);
  const begins = writes.flatMap((w) => (w.kind === 'begin' ? [w.begin] : []));
  const begun = begins.length > 0 ? await beginAttemptsSqlite(tx, begins, now) : [];
  let f = 0;
  let b = 0;
  return writes.map((w) => {
    if (w.kind === 'release') return undefined;
    if (w.kind === 'finish') return moved[f++];
    if (w.after) f++;
    return begun[b++];
  });
}

/** "host:pid:x#12" → "host:pid:x": attempts record the worker, leases the claim. */
function workerOf(claimToken: string): string {
  const i = claimToken.lastIndexOf('#');
  return i > 0 ? claimToken.slice(0, i) : claimToken;
}
