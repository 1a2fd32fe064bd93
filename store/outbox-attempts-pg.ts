/**
 * PostgreSQL: a group of the delivery loop's writes (attempt begins, finishes, releases) in ONE statement
 * (data-modifying CTEs over the group's items, `unnest`ed from arrays). A statement is atomic on its own, so
 * this keeps what the SQLite transactions give (the attempt row exists exactly when the message's attempt
 * counter moved; a message changes state only while the caller holds its claim) in one round trip to the
 * server instead of four to six (BEGIN, statements, COMMIT). One DSL's burst of concerns is one ordered
 * stream, sent one message after another: each message's writes are on its critical path (issue 18).
 * Timestamps are UTC in `timestamp(3)` columns, as Prisma writes them.
 */
import type { Db } from './db.ts';
import type { OutboxWrite } from './outbox-attempts-sqlite.ts';

export interface BeginRequest {
  messageId: string;
  /** The claim ("<worker>#<n>") that must still hold the message. */
  worker: string;
  /** Renew the lease for this long from now (none: keep it as it is). */
  leaseMs: number | undefined;
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
 * A group of the delivery loop's writes (store/outbox-coalescer.ts) in ONE statement, whatever the mix:
 * the finishes (a begin's `after` among them: the previous message of the same claimed run, sent), the
 * releases, then the begins, each a data-modifying CTE over its items. Each CTE changes a message only
 * while the item's claim holds it (state SENDING, `leaseOwner` = the claim), and one claim writes a
 * message's begin, finish or release one after another, never two of them in one group, so no two CTEs
 * change the same row (PostgreSQL would apply one of them only). A run's sent finish goes with its next
 * begin (issue 18: on the critical path of 1,000 SMS due at once, one round trip per message instead of
 * two: the begin's, which the send waits for anyway). Returns per write, as writeGroupSqlite: the attempt
 * number or null (begin), whether the message moved (finish), undefined (release).
 */
export async function writeGroupPg(
  db: Db,
  writes: OutboxWrite[],
  now: Date,
): Promise<(number | boolean | null | undefined)[]> {
  const finishes: FinishRequest[] = [];
  for (const w of writes) {
    if (w.kind === 'finish') finishes.push(w.finish);
    else if (w.kind === 'begin' && w.after) finishes.push(w.after);
  }
  const releases = writes.flatMap((w) => (w.kind === 'release' ? [w.release] : []));
  const begins = writes.flatMap((w) => (w.kind === 'begin' ? [w.begin] : []));
  const params: unknown[] = [now.toISOString()];
  /** `unnest` of one array parameter per column (each `[values, element type]`). */
  const unnest = (...cols: [unknown[], string][]) =>
    `unnest(${cols
      .map(([values, type]) => {
        params.push(values);
        return `$${params.length}::${type}[]`;
      })
      .join(', ')})`;
  const ctes: string[] = [];
  const out: string[] = [];
  if (finishes.length > 0) {
    const f = finishes;
    const finReq = unnest(
      [f.map((i) => i.messageId), 'text'],
      [f.map((i) => i.worker), 'text'],
      [f.map((i) => i.attemptNo), 'int'],
      [f.map((i) => i.outcome), 'text'],
      [f.map((i) => i.next.state), 'text'],
      [f.map((i) => i.next.nextAttemptAt?.toISOString() ?? null), 'text'],
      [f.map((i) => i.next.error ?? null), 'text'],
      [f.map((i) => i.next.retryAfterMs ?? null), 'int'],
      [f.map((i) => i.next.platformRef ?? null), 'text'],
      [f.map((i) => i.next.platform ?? null), 'text'],
    );
    ctes.push(
      `fin_req AS (
         SELECT * FROM ${finReq}
           AS r(id, token, attempt_no, outcome, state, next_at, error, retry_after, platform_ref, platform)
       )`,
      `fin_att AS (
         UPDATE "DeliveryAttempt" a
         SET "finishedAt" = $1::timestamp, "outcome" = r.outcome::"DeliveryOutcome", "error" = r.error,
             "retryAfterMs" = r.retry_after, "platform" = r.platform::"Platform"
         FROM fin_req r WHERE a."messageId" = r.id AND a."attemptNo" = r.attempt_no
       )`,
      `fin AS (
         UPDATE "OutboxMessage" o
         SET "state" = r.state::"OutboxState", "leaseOwner" = NULL, "leaseUntil" = NULL, "lastError" = r.error,
             "sentAt" = CASE WHEN r.state = 'SENT' THEN $1::timestamp ELSE o."sentAt" END,
             "nextAttemptAt" = COALESCE(r.next_at::timestamp, o."nextAttemptAt"),
             "platformRef" = COALESCE(r.platform_ref, o."platformRef"),
             "updatedAt" = $1::timestamp
         FROM fin_req r
         WHERE o."id" = r.id AND o."state" = 'SENDING' AND o."leaseOwner" = r.token
         RETURNING o."id", r.token
       )`,
    );
    out.push(`SELECT 'f' AS kind, "id", token, NULL::int AS attempts FROM fin`);
  }
  if (releases.length > 0) {
    const r = releases;
    const relReq = unnest(
      [r.map((i) => i.messageId), 'text'],
      [r.map((i) => i.worker), 'text'],
      [r.map((i) => i.nextAttemptAt.toISOString()), 'text'],
      [r.map((i) => i.error), 'text'],
    );
    ctes.push(
      `rel AS (
         UPDATE "OutboxMessage" o
         SET "state" = 'RETRYING', "leaseOwner" = NULL, "leaseUntil" = NULL,
             "nextAttemptAt" = r.next_at::timestamp, "lastError" = r.error, "updatedAt" = $1::timestamp
         FROM ${relReq} AS r(id, token, next_at, error)
         WHERE o."id" = r.id AND o."state" = 'SENDING' AND o."leaseOwner" = r.token
       )`,
    );
  }
  if (begins.length > 0) {
    const b = begins;
    const begReq = unnest(
      [b.map((i) => i.messageId), 'text'],
      [b.map((i) => i.worker), 'text'],
      [b.map((i) => workerOf(i.worker)), 'text'],
      [b.map((i) => (i.leaseMs ? new Date(now.getTime() + i.leaseMs).toISOString() : null)), 'text'],
    );
    ctes.push(
      `beg_req AS (
         SELECT DISTINCT ON (r.id, r.token) r.* FROM ${begReq} AS r(id, token, worker, until)
       )`,
      `held AS (
         UPDATE "OutboxMessage" o
         SET "attempts" = o."attempts" + 1,
             "leaseUntil" = COALESCE(r.until::timestamp, o."leaseUntil"),
             "updatedAt" = $1::timestamp
         FROM beg_req r
         WHERE o."id" = r.id AND o."state" = 'SENDING' AND o."leaseOwner" = r.token
         RETURNING o."id", r.token, r.worker, o."attempts"
       )`,
      `rec AS (
         INSERT INTO "DeliveryAttempt" ("id", "messageId", "attemptNo", "worker", "startedAt")
         SELECT gen_random_uuid()::text, h."id", h."attempts", h.worker, $1::timestamp FROM held h
       )`,
    );
    out.push(`SELECT 'b' AS kind, "id", token, "attempts" FROM held`);
  }
  if (ctes.length === 0) return writes.map(() => undefined);
  const rows = await db.$queryRawUnsafe<
    { kind: string; id: string; token: string; attempts: number | null }[]
  >(
    `WITH ${ctes.join(',\n')}\n${out.length > 0 ? out.join(' UNION ALL ') : 'SELECT NULL::text AS kind, NULL::text AS "id", NULL::text AS token, NULL::int AS attempts'}`,
    ...params,
  );
  const moved = new Set<string>();
  const held = new Map<string, number>();
  for (const r of rows) {
    if (r.kind === 'f') moved.add(attemptKey(r.id, r.token));
    else if (r.kind === 'b') held.set(attemptKey(r.id, r.token), Number(r.attempts));
  }
  // The same claim twice in one group: the first item has the attempt (or moved the message), the second none.
  const finished = (i: FinishRequest) => moved.delete(attemptKey(i.messageId, i.worker));
  const begun = (i: BeginRequest) => {
    const k = attemptKey(i.messageId, i.worker);
    const n = held.get(k);
    held.delete(k);
    return n ?? null;
  };
  // Finishes first, in the order they were gathered above (a begin's `after` before its begin).
  const finishResults = new Map<FinishRequest, boolean>(finishes.map((f) => [f, finished(f)]));
  return writes.map((w) => {
    if (w.kind === 'release') return undefined;
    if (w.kind === 'finish') return finishResults.get(w.finish) ?? false;
    return begun(w.begin);
  });
}

const attemptKey = (messageId: string, claimToken: string) => `${messageId}\u0000${claimToken}`;

/** "host:pid:x#12" → "host:pid:x": attempts record the worker, leases the claim. */
const workerOf = (claimToken: string) => {
  const i = claimToken.lastIndexOf('#');
  return i > 0 ? claimToken.slice(0, i) : claimToken;
};
