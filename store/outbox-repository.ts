/**
 * The durable outbox (habit 6): explicit states, one idempotency key per message, a lease per claim,
 * every attempt in its own row. Claims are row leases: `FOR UPDATE SKIP LOCKED` on PostgreSQL (several
 * replicas), portable conditional updates on SQLite (one process). The only dialect-specific SQL of the
 * hub's delivery path lives here, behind the repository (habit 7).
 */
import { type OutgoingMessage, outgoingMessageSchema } from '../core/messages/outgoing-message.ts';
import type { Clock, EnqueueRequest, OutboxPort } from '../core/ports.ts';
import type { FieldCipher } from './crypto/field-cipher.ts';
import type { Db, Provider, Tx } from './db.ts';

const PAYLOAD_CONTEXT = 'OutboxMessage.payloadEnc';
const OPEN_STATES = ['PENDING', 'RETRYING', 'SENDING'] as const;
/** Most messages of one person in one claim (SQLite); a claim takes up to `limit` people. */
const MAX_RUN = 10;

/**
 * An earlier message of the same person holds a later one back while it is being sent, retried, or due.
 * One that is merely scheduled for later (a nudge held until quiet hours end) does not: otherwise a
 * digest held overnight would hold back tonight's "meeting in 1 hour" reminder until after the meeting.
 */
const blocking = (now: Date) => [
  { state: { in: ['RETRYING' as const, 'SENDING' as const] } },
  { state: 'PENDING' as const, nextAttemptAt: { lte: now } },
];

export interface ClaimedMessage {
  id: string;
  idempotencyKey: string;
  orgId: string;
  recipientId: string | null;
  conversationId: string | null;
  orderKey: string;
  priority: number;
  attempts: number;
  maxAttempts: number;
  message: OutgoingMessage;
  /** The previous holder died mid-send: an attempt may have reached the platform. */
  inDoubt: boolean;
  /** Who holds this claim ("<worker>#<n>"): pass it to beginAttempt, finishAttempt and release. */
  claimToken: string;
  createdAt: Date;
}

const claimedSelect = {
  id: true,
  idempotencyKey: true,
  orgId: true,
  recipientId: true,
  platformRef: true,
  orderKey: true,
  priority: true,
  attempts: true,
  maxAttempts: true,
  payloadEnc: true,
  createdAt: true,
} as const;

interface ClaimedRow {
  id: string;
  idempotencyKey: string;
  orgId: string;
  recipientId: string | null;
  platformRef: string | null;
  orderKey: string;
  priority: number;
  attempts: number;
  maxAttempts: number;
  payloadEnc: string;
  createdAt: Date;
}

export type AttemptOutcome = 'SENT' | 'THROTTLED' | 'NOT_FOUND' | 'FAILED';

export interface OutboxStats {
  depth: number;
  oldestPendingAt: Date | null;
  byState: Record<string, number>;
}

/** The PostgreSQL NOTIFY channel a writer of urgent work wakes the running hubs with (scheduler/outbox-listener.ts). */
export const OUTBOX_CHANNEL = 'send_hub_outbox';

export class OutboxRepository implements OutboxPort {
  constructor(
    private readonly db: Db,
    private readonly cipher: FieldCipher,
    private readonly clock: Clock,
    /** PostgreSQL claims with one `FOR UPDATE SKIP LOCKED` statement; SQLite with portable updates. */
    private readonly provider: Provider = 'sqlite',
  ) {
    // SQLite has one writer: a group waits for the previous one (and grows meanwhile).
    const serial = provider !== 'postgres';
    this.begins = new Coalescer((items) => this.beginMany(items), serial);
    this.finishes = new Coalescer((items) => this.finishMany(items), serial);
    this.releases = new Coalescer((items) => this.releaseMany(items), serial);
  }

  /**
   * PostgreSQL: wake every running hub's delivery loop when `tx` commits (NOTIFY is transactional: a
   * rolled-back concern wakes nobody). SQLite is one hub process, which polls: nothing to do.
   */
  async notifyUrgentIn(tx: Tx): Promise<void> {
    if (this.provider !== 'postgres') return;
    await tx.$executeRawUnsafe(`NOTIFY ${OUTBOX_CHANNEL}, 'urgent'`);
  }

  async enqueue(request: EnqueueRequest): Promise<boolean> {
    return this.db.$transaction((tx) => this.enqueueIn(tx, request));
  }

  /**
   * Enqueue inside the caller's transaction (the planner marks a reminder PLANNED in the same one).
   * Returns false, writing nothing, when the key exists already.
   */
  async enqueueIn(tx: Tx, request: EnqueueRequest): Promise<boolean> {
    const existing = await tx.outboxMessage.findUnique({
      where: { idempotencyKey: request.idempotencyKey },
      select: { id: true },
    });
    if (existing) return false;
    const priority = request.priority ?? 5;
    // Urgent (safeguarding) messages form their own ordered stream so they never wait behind a digest.
    const target =
      'staffId' in request.to ? `staff:${request.to.staffId}` : `conv:${request.to.conversationId}`;
    const orderKey = priority === 0 ? `${target}:urgent` : target;
    const last = await tx.outboxMessage.findFirst({
      where: { orderKey },
      orderBy: { sequence: 'desc' },
      select: { sequence: true },
    });
    const payload = outgoingMessageSchema.parse(request.message);
    const data = {
      idempotencyKey: request.idempotencyKey,
      orgId: request.orgId,
      recipientId: 'staffId' in request.to ? request.to.staffId : null,
      platformRef: 'conversationId' in request.to ? `conv:${request.to.conversationId}` : null,
      orderKey,
      sequence: (last?.sequence ?? 0) + 1,
      priority,
      payloadEnc: this.cipher.encryptJson(payload, PAYLOAD_CONTEXT),
      nextAttemptAt: request.notBefore ?? this.clock.now(),
      // The hub's clock, not the database's: /healthz and /metrics measure age against it.
      createdAt: this.clock.now(),
      reminderId: request.reminderId ?? null,
    };
    if (this.provider === 'postgres') {
      // Two replicas (or two ticks) enqueueing the same key at once both found it free above; the second
      // insert waits for the first to commit and then does nothing (ON CONFLICT DO NOTHING), instead of
      // failing its whole transaction with a unique violation. The caller's compare-and-set then decides.
      // (skipDuplicates exists only in the PostgreSQL client's types.)
      const pgMessages = tx.outboxMessage as unknown as {
        createMany(args: { data: (typeof data)[]; skipDuplicates: true }): Promise<{ count: number }>;
      };
      const r = await pgMessages.createMany({ data: [data], skipDuplicates: true });
      return r.count === 1;
    }
    await tx.outboxMessage.create({ data });
    return true;
  }

  /**
   * Claim deliverable messages for up to `limit` people for `worker`: due, not leased (or lease expired),
   * and first in line for their recipient (a person's messages go out in order); on SQLite a person's
   * run of due messages behind the first comes too (see claimPortable). Exactly one worker wins each row:
   * on PostgreSQL one `FOR UPDATE SKIP LOCKED` statement (replicas never wait on each other's rows); on
   * SQLite (one process) portable compare-and-set updates.
   */
  async claim(worker: string, limit: number, leaseMs: number): Promise<ClaimedMessage[]> {
    // The lease is held by this claim, not by the worker: if the lease runs out and the same process
    // (another loop, or a later batch) claims the message again, the first holder must lose it too.
    const token = `${worker}#${++this.claims}`;
    return this.claimAs(token, limit, leaseMs);
  }

  private claims = 0;

  private async claimAs(worker: string, limit: number, leaseMs: number): Promise<ClaimedMessage[]> {
    const now = this.clock.now();
    const until = new Date(now.getTime() + leaseMs);
    if (this.provider !== 'postgres') {
      const won = await this.claimPortable(worker, limit, now, until);
      return won.map((w) => this.toClaimed(w, w.inDoubt, worker));
    }
    const won = await this.claimSkipLocked(worker, limit, now, until);
    if (won.length === 0) return [];
    const rows = await this.db.outboxMessage.findMany({
      where: { id: { in: won.map((w) => w.id) } },
      select: claimedSelect,
    });
    const byId = new Map(rows.map((r) => [r.id, r]));
    return won.flatMap((w) => {
      const row = byId.get(w.id);
      return row ? [this.toClaimed(row, w.inDoubt, worker)] : [];
    });
  }

  private toClaimed(row: ClaimedRow, inDoubt: boolean, claimToken: string): ClaimedMessage {
    return {
      id: row.id,
      idempotencyKey: row.idempotencyKey,
      orgId: row.orgId,
      recipientId: row.recipientId,
      conversationId: row.platformRef?.startsWith('conv:') ? row.platformRef.slice(5) : null,
      orderKey: row.orderKey,
      priority: row.priority,
      attempts: row.attempts,
      maxAttempts: row.maxAttempts,
      message: outgoingMessageSchema.parse(this.cipher.decryptJson(row.payloadEnc, PAYLOAD_CONTEXT)),
      inDoubt,
      createdAt: row.createdAt,
      claimToken,
    };
  }

  /**
   * SQLite (one process): one transaction of three or four statements, whatever the batch size: read the
   * due candidates, read in one query which of their people have an earlier message that holds them
   * back, and lease the winners with one conditional update that returns the rows it changed. The
   * transaction takes the driver's lock, so no other claim of this process interleaves; the update
   * re-checks that each row is still due, and returns only the rows this claim won.
   *
   * A person with several due messages gets a run of up to `MAX_RUN` of them in one claim, in order (one
   * DSL receiving a burst of concerns is one ordered stream: one message per claim made that stream as
   * slow as a whole claim round per message). A run is a prefix of the person's blocking messages in
   * sequence order, all of them due: nothing that holds the person back lies between two of its messages.
   * The deliverer sends a run in order and gives the rest back as soon as one is not sent.
   */
  private async claimPortable(
    worker: string,
    limit: number,
    now: Date,
    until: Date,
  ): Promise<(ClaimedRow & { inDoubt: boolean })[]> {
    const due = [
      { state: { in: ['PENDING' as const, 'RETRYING' as const] }, nextAttemptAt: { lte: now } },
      { state: 'SENDING' as const, leaseUntil: { lt: now } },
    ];
    return this.db.$transaction(async (tx) => {
      const candidates = await tx.outboxMessage.findMany({
        where: { OR: due },
        orderBy: [{ priority: 'asc' }, { nextAttemptAt: 'asc' }, { sequence: 'asc' }],
        take: limit * 4,
        select: { ...claimedSelect, sequence: true, state: true },
      });
      if (candidates.length === 0) return [];
      // The first blocking message of each candidate's person. A due candidate blocks itself, so it is
      // first in line exactly when no blocking message has a lower sequence. A later message that is
      // blocked must not hide the earlier one of the same person, which may be due further down the list
      // (it was retried with a later nextAttemptAt, e.g. after a 429).
      const firsts = await tx.outboxMessage.groupBy({
        by: ['orderKey'],
        where: { orderKey: { in: [...new Set(candidates.map((c) => c.orderKey))] }, OR: blocking(now) },
        _min: { sequence: true },
      });
      const first = new Map(firsts.map((f) => [f.orderKey, f._min.sequence ?? 0]));
      const byKey = new Map<string, typeof candidates>();
      for (const c of candidates) {
        if ((first.get(c.orderKey) ?? c.sequence) > c.sequence) continue;
        byKey.set(c.orderKey, [...(byKey.get(c.orderKey) ?? []), c]);
      }
      // Runs: for people with several candidates whose first is in line, every blocking message up to
      // their last candidate, in one query; the run stops at the first that is not a candidate.
      const runs = new Map<string, typeof candidates>();
      const multi = [...byKey.entries()].filter(
        ([key, cs]) => cs.length > 1 && cs.some((c) => c.sequence === first.get(key)),
      );
      const blockers =
        multi.length === 0
          ? []
          : await tx.outboxMessage.findMany({
              where: {
                AND: [
                  {
                    OR: multi.map(([key, cs]) => ({
                      orderKey: key,
                      sequence: { lte: Math.max(...cs.map((c) => c.sequence)) },
                    })),
                  },
                  { OR: blocking(now) },
                ],
              },
              orderBy: { sequence: 'asc' },
              select: { id: true, orderKey: true },
            });
      const blockersOf = new Map<string, string[]>();
      for (const r of blockers) blockersOf.set(r.orderKey, [...(blockersOf.get(r.orderKey) ?? []), r.id]);
      for (const [key, cs] of byKey) {
        const inLine = cs.filter((c) => c.sequence === first.get(key));
        if (inLine.length === 0) continue;
        const ids = blockersOf.get(key);
        if (!ids) {
          runs.set(key, inLine);
          continue;
        }
        const byId = new Map(cs.map((c) => [c.id, c]));
        const run: typeof candidates = [];
        for (const id of ids) {
          const c = byId.get(id);
          if (!c || run.length >= MAX_RUN) break;
          run.push(c);
        }
        runs.set(key, run);
      }
      // In claim order (priority, due time), up to `limit` people, each with their run (their messages
      // go out one after another, different people's concurrently).
      const picked: typeof candidates = [];
      const seenKeys = new Set<string>();
      for (const c of candidates) {
        if (seenKeys.size >= limit) break;
        const run = runs.get(c.orderKey);
        if (seenKeys.has(c.orderKey) || !run) continue;
        seenKeys.add(c.orderKey);
        picked.push(...run);
      }
      if (picked.length === 0) return [];
      const won = await tx.outboxMessage.updateManyAndReturn({
        where: { id: { in: picked.map((c) => c.id) }, OR: due },
        data: { state: 'SENDING', leaseOwner: worker, leaseUntil: until },
        select: { id: true },
      });
      const wonIds = new Set(won.map((w) => w.id));
      // A run is cut at its first message this claim did not win (the rest must wait for it): any later
      // one it did win goes back as it was.
      const lost = new Set<string>();
      const out: (ClaimedRow & { inDoubt: boolean })[] = [];
      for (const c of picked) {
        if (!lost.has(c.orderKey) && wonIds.has(c.id)) {
          out.push({ ...c, inDoubt: c.state === 'SENDING' });
          continue;
        }
        lost.add(c.orderKey);
        if (wonIds.has(c.id))
          await tx.outboxMessage.updateMany({
            where: { id: c.id, leaseOwner: worker },
            data: { state: c.state, leaseOwner: null, leaseUntil: null },
          });
      }
      return out;
    });
  }

  /**
   * PostgreSQL: pick and lease in one statement. `SKIP LOCKED` lets replicas claim disjoint rows without
   * blocking; the re-check of the WHERE clause on a locked row (READ COMMITTED) stops a row another
   * replica has just leased from being taken again. Only the first open message of each orderKey
   * qualifies (NOT EXISTS), so a person's messages keep their order across replicas.
   * Timestamps are UTC in `timestamp(3)` columns, as Prisma writes them.
   */
  private async claimSkipLocked(
    worker: string,
    limit: number,
    now: Date,
    until: Date,
  ): Promise<{ id: string; inDoubt: boolean }[]> {
    const n = Math.max(1, Math.floor(limit));
    const rows = await this.db.$queryRawUnsafe<{ id: string; prev: string }[]>(
      `WITH c AS (
         SELECT m."id", m."state"::text AS prev
         FROM "OutboxMessage" m
         WHERE ((m."state" IN ('PENDING', 'RETRYING') AND m."nextAttemptAt" <= $1::timestamp)
             OR (m."state" = 'SENDING' AND m."leaseUntil" < $1::timestamp))
           AND NOT EXISTS (
             SELECT 1 FROM "OutboxMessage" p
             WHERE p."orderKey" = m."orderKey" AND p."sequence" < m."sequence"
               AND (p."state" IN ('RETRYING', 'SENDING')
                    OR (p."state" = 'PENDING' AND p."nextAttemptAt" <= $1::timestamp)))
         ORDER BY m."priority", m."nextAttemptAt", m."sequence"
         LIMIT ${n}
         FOR UPDATE OF m SKIP LOCKED
       )
       UPDATE "OutboxMessage" o
       SET "state" = 'SENDING', "leaseOwner" = $2, "leaseUntil" = $3::timestamp, "updatedAt" = $1::timestamp
       FROM c WHERE o."id" = c."id"
       RETURNING o."id", c.prev`,
      now.toISOString(),
      worker,
      until.toISOString(),
    );
    return rows.map((r) => ({ id: r.id, inDoubt: r.prev === 'SENDING' }));
  }

  /**
   * Write the attempt row before calling the platform (a crash after this leaves evidence of an in-doubt
   * send), and only while `worker` still holds the claim, renewing it for `leaseMs`. Returns null when the
   * claim was lost (the lease ran out during a long wait and another replica took the message): the
   * caller must then not send, or the message could go out twice.
   *
   * Concurrent calls share one transaction (see Coalescer): the row is committed before this resolves.
   */
  beginAttempt(messageId: string, worker: string, leaseMs?: number): Promise<number | null> {
    return this.begins.add({ messageId, worker, leaseMs });
  }

  private readonly begins: Coalescer<BeginItem, number | null>;

  /**
   * One transaction for a group of begins: per claim, one conditional update that returns the rows still
   * held (attempts incremented, lease renewed), then one insert of their attempt rows.
   */
  private async beginMany(items: BeginItem[]): Promise<(number | null)[]> {
    const now = this.clock.now();
    const key = (id: string, worker: string) => `${id}\u0000${worker}`;
    return this.db.$transaction(async (tx) => {
      const attemptNo = new Map<string, number>();
      const groups = new Map<string, BeginItem[]>();
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
        // The same claim twice in one group: the first call has the attempt, the second gets none.
        attemptNo.delete(k);
        results.push(n ?? null);
        if (n !== undefined)
          rows.push({ messageId: i.messageId, attemptNo: n, worker: workerOf(i.worker), startedAt: now });
      }
      if (rows.length > 0) await tx.deliveryAttempt.createMany({ data: rows });
      return results;
    });
  }

  /** Extend a claim's lease, only while `worker` still holds it; false when the claim was lost. */
  async renewLease(messageId: string, worker: string, leaseMs: number): Promise<boolean> {
    const r = await this.db.outboxMessage.updateMany({
      where: { id: messageId, state: 'SENDING', leaseOwner: worker },
      data: { leaseUntil: new Date(this.clock.now().getTime() + leaseMs) },
    });
    return r.count === 1;
  }

  /**
   * Expire at once the claims of holders `isDead` says are gone (a process on this host that crashed):
   * their messages are claimable now, as in-doubt resends, instead of after the lease runs out.
   */
  async releaseLeasesOf(isDead: (owner: string) => boolean): Promise<number> {
    const now = this.clock.now();
    const held = await this.db.outboxMessage.findMany({
      where: { state: 'SENDING', leaseUntil: { gte: now } },
      select: { leaseOwner: true },
      distinct: ['leaseOwner'],
    });
    const dead = held.map((h) => h.leaseOwner).filter((o): o is string => !!o && isDead(o));
    if (dead.length === 0) return 0;
    const [r] = await this.db.$transaction([
      this.db.outboxMessage.updateMany({
        where: { state: 'SENDING', leaseOwner: { in: dead } },
        data: { leaseUntil: new Date(now.getTime() - 1) },
      }),
    ]);
    return r.count;
  }

  /** Close an attempt and move the message to its next state, only while `worker` still holds the lease. */
  finishAttempt(
    messageId: string,
    worker: string,
    attemptNo: number,
    outcome: AttemptOutcome,
    next: FinishItem['next'],
  ): Promise<boolean> {
    return this.finishes.add({ messageId, worker, attemptNo, outcome, next });
  }

  private readonly finishes: Coalescer<FinishItem, boolean>;

  /** One batch transaction (no round trip between its statements) for a group of finishes. */
  private async finishMany(items: FinishItem[]): Promise<boolean[]> {
    const now = this.clock.now();
    const results = await this.db.$transaction(
      items.flatMap(({ messageId, worker, attemptNo, outcome, next }) => [
        this.db.deliveryAttempt.updateMany({
          where: { messageId, attemptNo },
          data: {
            finishedAt: now,
            outcome,
            error: next.error ?? null,
            retryAfterMs: next.retryAfterMs ?? null,
          },
        }),
        this.db.outboxMessage.updateMany({
          where: { id: messageId, state: 'SENDING', leaseOwner: worker },
          data: {
            state: next.state,
            leaseOwner: null,
            leaseUntil: null,
            lastError: next.error ?? null,
            ...(next.state === 'SENT' ? { sentAt: now } : {}),
            ...(next.nextAttemptAt ? { nextAttemptAt: next.nextAttemptAt } : {}),
            ...(next.platformRef ? { platformRef: next.platformRef } : {}),
          },
        }),
      ]),
    );
    return items.map((_, i) => results[i * 2 + 1]!.count === 1);
  }

  /** Give a claim back without an attempt (no channel could take it yet, or shutting down). */
  async release(messageId: string, worker: string, nextAttemptAt: Date, error?: string): Promise<void> {
    await this.releases.add({ messageId, worker, nextAttemptAt, error: error ?? null });
  }

  private readonly releases: Coalescer<ReleaseItem, undefined>;

  /** One batch transaction for a group of releases (a batch over the rate limit gives many back at once). */
  private async releaseMany(items: ReleaseItem[]): Promise<undefined[]> {
    await this.db.$transaction(
      items.map((i) =>
        this.db.outboxMessage.updateMany({
          where: { id: i.messageId, state: 'SENDING', leaseOwner: i.worker },
          data: {
            state: 'RETRYING',
            leaseOwner: null,
            leaseUntil: null,
            nextAttemptAt: i.nextAttemptAt,
            lastError: i.error,
          },
        }),
      ),
    );
    return items.map(() => undefined);
  }

  async cancelByReminder(reminderId: string): Promise<number> {
    const r = await this.db.outboxMessage.updateMany({
      where: { reminderId, state: { in: ['PENDING', 'RETRYING'] } },
      data: { state: 'CANCELLED' },
    });
    return r.count;
  }

  async stats(): Promise<OutboxStats> {
    const groups = await this.db.outboxMessage.groupBy({ by: ['state'], _count: { _all: true } });
    const byState: Record<string, number> = {};
    for (const g of groups) byState[g.state] = g._count._all;
    const oldest = await this.db.outboxMessage.findFirst({
      where: { state: { in: [...OPEN_STATES] } },
      orderBy: { createdAt: 'asc' },
      select: { createdAt: true },
    });
    const depth = (byState.PENDING ?? 0) + (byState.RETRYING ?? 0) + (byState.SENDING ?? 0);
    return { depth, oldestPendingAt: oldest?.createdAt ?? null, byState };
  }

  async attemptsOf(messageId: string) {
    return this.db.deliveryAttempt.findMany({ where: { messageId }, orderBy: { attemptNo: 'asc' } });
  }
}

interface BeginItem {
  messageId: string;
  worker: string;
  leaseMs: number | undefined;
}

interface ReleaseItem {
  messageId: string;
  worker: string;
  nextAttemptAt: Date;
  error: string | null;
}

interface FinishItem {
  messageId: string;
  worker: string;
  attemptNo: number;
  outcome: AttemptOutcome;
  next: {
    state: 'SENT' | 'RETRYING' | 'FAILED';
    nextAttemptAt?: Date;
    error?: string;
    retryAfterMs?: number;
    platformRef?: string;
  };
}

/**
 * Group commit: calls made while a group is pending (the sends of a batch begin and finish at about the
 * same moment) run as one transaction, and each caller gets its own result once that transaction has
 * committed. On SQLite (one writer; `serial`) the next group waits for the previous one, so groups grow
 * under load instead of queueing one transaction per message behind other writers; every transaction
 * is one turn of the single writer, and one commit. If the transaction fails, every caller of the group
 * gets the error, as each would have alone.
 */
class Coalescer<I, R> {
  private queue: { item: I; resolve(r: R): void; reject(e: unknown): void }[] = [];
  private scheduled = false;
  private running = 0;

  constructor(
    private readonly run: (items: I[]) => Promise<R[]>,
    private readonly serial: boolean,
    private readonly maxGroup = 200,
  ) {}

  add(item: I): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || (this.serial && this.running > 0)) return;
    this.scheduled = true;
    // After the microtasks already queued (the other sends of the batch reaching this point join the
    // group). Not a timer: on SQLite the driver is synchronous, so a busy process can run on microtasks
    // alone for seconds, and a timer or setImmediate would wait for all of it.
    queueMicrotask(() => {
      this.scheduled = false;
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    if (this.queue.length === 0 || (this.serial && this.running > 0)) return;
    const group = this.queue.splice(0, this.maxGroup);
    this.running++;
    try {
      const results = await this.run(group.map((g) => g.item));
      for (const [i, g] of group.entries()) g.resolve(results[i] as R);
    } catch (err) {
      for (const g of group) g.reject(err);
    } finally {
      this.running--;
      if (this.queue.length > 0) this.schedule();
    }
  }
}

/** "host:pid:x#12" → "host:pid:x": attempts record the worker, leases the claim. */
function workerOf(claimToken: string): string {
  const i = claimToken.lastIndexOf('#');
  return i > 0 ? claimToken.slice(0, i) : claimToken;
}
