/**
 * PostgreSQL: a group of attempt begins, or of attempt finishes, in ONE statement each (data-modifying
 * CTEs over the group's items, `unnest`ed from arrays). A statement is atomic on its own, so these keep
 * what the SQLite transactions give (the attempt row exists exactly when the message's attempt counter
 * moved; a message changes state only while the caller holds its claim) in one round trip to the server
 * instead of four to six (BEGIN, statements, COMMIT). One DSL's burst of concerns is one ordered stream,
 * sent one message after another: each message's begin and finish are on its critical path (issue 18).
 * Timestamps are UTC in `timestamp(3)` columns, as Prisma writes them.
 */
import type { Db } from './db.ts';

export interface BeginRequest {
  messageId: string;
  /** The claim ("<worker>#<n>") that must still hold the message. */
  worker: string;
  /** Renew the lease for this long from now (none: keep it as it is). */
  leaseMs: number | undefined;
}

/**
 * Increment the attempt counter of every message still held by its claim, renew its lease, and insert its
 * attempt row. Returns, per item, the attempt number, or null when the claim was lost (the same claim
 * twice in one group: the first item has the attempt, the second none).
 */
export async function beginAttemptsPg(db: Db, items: BeginRequest[], now: Date): Promise<(number | null)[]> {
  const rows = await db.$queryRawUnsafe<{ id: string; token: string; attempts: number }[]>(
    `WITH req AS (
       SELECT DISTINCT ON (r.id, r.token) r.* FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])
         AS r(id, token, worker, until)
     ),
     held AS (
       UPDATE "OutboxMessage" o
       SET "attempts" = o."attempts" + 1,
           "leaseUntil" = COALESCE(r.until::timestamp, o."leaseUntil"),
           "updatedAt" = $5::timestamp
       FROM req r
       WHERE o."id" = r.id AND o."state" = 'SENDING' AND o."leaseOwner" = r.token
       RETURNING o."id", r.token, r.worker, o."attempts"
     ),
     rec AS (
       INSERT INTO "DeliveryAttempt" ("id", "messageId", "attemptNo", "worker", "startedAt")
       SELECT gen_random_uuid()::text, h."id", h."attempts", h.worker, $5::timestamp FROM held h
     )
     SELECT "id", token, "attempts" FROM held`,
    items.map((i) => i.messageId),
    items.map((i) => i.worker),
    items.map((i) => workerOf(i.worker)),
    items.map((i) => (i.leaseMs ? new Date(now.getTime() + i.leaseMs).toISOString() : null)),
    now.toISOString(),
  );
  const held = new Map(rows.map((r) => [attemptKey(r.id, r.token), r.attempts]));
  return items.map((i) => {
    const k = attemptKey(i.messageId, i.worker);
    const n = held.get(k);
    held.delete(k);
    return n ?? null;
  });
}

export interface FinishRequest {
  messageId: string;
  /** The claim that must still hold the message. */
  worker: string;
  attemptNo: number;
  outcome: 'SENT' | 'THROTTLED' | 'NOT_FOUND' | 'FAILED';
  next: {
    state: 'SENT' | 'RETRYING' | 'FAILED';
    nextAttemptAt?: Date;
    error?: string;
    retryAfterMs?: number;
    platformRef?: string;
    /** The channel the attempt went by (DeliveryAttempt.platform: the health page's last delivery and failure). */
    platform?: string;
  };
}

/**
 * Close every item's attempt row and move its message to the next state, the message only while the
 * item's claim still holds it. Returns, per item, whether its message moved.
 */
export async function finishAttemptsPg(db: Db, items: FinishRequest[], now: Date): Promise<boolean[]> {
  const rows = await db.$queryRawUnsafe<{ id: string; token: string }[]>(
    `WITH req AS (
       SELECT * FROM unnest($1::text[], $2::text[], $3::int[], $4::text[], $5::text[], $6::text[], $7::text[],
                            $8::int[], $9::text[], $11::text[])
         AS r(id, token, attempt_no, outcome, state, next_at, error, retry_after, platform_ref, platform)
     ),
     att AS (
       UPDATE "DeliveryAttempt" a
       SET "finishedAt" = $10::timestamp, "outcome" = r.outcome::"DeliveryOutcome", "error" = r.error,
           "retryAfterMs" = r.retry_after, "platform" = r.platform::"Platform"
       FROM req r WHERE a."messageId" = r.id AND a."attemptNo" = r.attempt_no
     )
     UPDATE "OutboxMessage" o
     SET "state" = r.state::"OutboxState", "leaseOwner" = NULL, "leaseUntil" = NULL, "lastError" = r.error,
         "sentAt" = CASE WHEN r.state = 'SENT' THEN $10::timestamp ELSE o."sentAt" END,
         "nextAttemptAt" = COALESCE(r.next_at::timestamp, o."nextAttemptAt"),
         "platformRef" = COALESCE(r.platform_ref, o."platformRef"),
         "updatedAt" = $10::timestamp
     FROM req r
     WHERE o."id" = r.id AND o."state" = 'SENDING' AND o."leaseOwner" = r.token
     RETURNING o."id", r.token`,
    items.map((i) => i.messageId),
    items.map((i) => i.worker),
    items.map((i) => i.attemptNo),
    items.map((i) => i.outcome),
    items.map((i) => i.next.state),
    items.map((i) => i.next.nextAttemptAt?.toISOString() ?? null),
    items.map((i) => i.next.error ?? null),
    items.map((i) => i.next.retryAfterMs ?? null),
    items.map((i) => i.next.platformRef ?? null),
    now.toISOString(),
    items.map((i) => i.next.platform ?? null),
  );
  const moved = new Set(rows.map((r) => attemptKey(r.id, r.token)));
  // The same claim twice in one group: the first finish moves the message, the second finds it gone.
  return items.map((i) => moved.delete(attemptKey(i.messageId, i.worker)));
}

const attemptKey = (messageId: string, claimToken: string) => `${messageId}\u0000${claimToken}`;

/** "host:pid:x#12" → "host:pid:x": attempts record the worker, leases the claim. */
const workerOf = (claimToken: string) => {
  const i = claimToken.lastIndexOf('#');
  return i > 0 ? claimToken.slice(0, i) : claimToken;
};
