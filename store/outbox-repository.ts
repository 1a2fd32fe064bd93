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

export type AttemptOutcome = 'SENT' | 'THROTTLED' | 'NOT_FOUND' | 'FAILED';

export interface OutboxStats {
  depth: number;
  oldestPendingAt: Date | null;
  byState: Record<string, number>;
}

export class OutboxRepository implements OutboxPort {
  constructor(
    private readonly db: Db,
    private readonly cipher: FieldCipher,
    private readonly clock: Clock,
    /** PostgreSQL claims with one `FOR UPDATE SKIP LOCKED` statement; SQLite with portable updates. */
    private readonly provider: Provider = 'sqlite',
  ) {}

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
    await tx.outboxMessage.create({
      data: {
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
      },
    });
    return true;
  }

  /**
   * Claim up to `limit` deliverable messages for `worker`: due, not leased (or lease expired), and first
   * in line for their recipient (a person's messages go out in order). Exactly one worker wins each row:
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
    const won =
      this.provider === 'postgres'
        ? await this.claimSkipLocked(worker, limit, now, until)
        : await this.claimPortable(worker, limit, now, until);
    if (won.length === 0) return [];
    const rows = await this.db.outboxMessage.findMany({
      where: { id: { in: won.map((w) => w.id) } },
      select: {
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
      },
    });
    const byId = new Map(rows.map((r) => [r.id, r]));
    return won.flatMap((w) => {
      const row = byId.get(w.id);
      if (!row) return [];
      return [
        {
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
          inDoubt: w.inDoubt,
          createdAt: row.createdAt,
          claimToken: worker,
        },
      ];
    });
  }

  /** SQLite (and any provider): read candidates, then win each with a conditional update. */
  private async claimPortable(
    worker: string,
    limit: number,
    now: Date,
    until: Date,
  ): Promise<{ id: string; inDoubt: boolean }[]> {
    const due = [
      { state: { in: ['PENDING' as const, 'RETRYING' as const] }, nextAttemptAt: { lte: now } },
      { state: 'SENDING' as const, leaseUntil: { lt: now } },
    ];
    const candidates = await this.db.outboxMessage.findMany({
      where: { OR: due },
      orderBy: [{ priority: 'asc' }, { nextAttemptAt: 'asc' }, { sequence: 'asc' }],
      take: limit * 4,
      select: { id: true, orderKey: true, sequence: true, state: true },
    });
    const won: { id: string; inDoubt: boolean }[] = [];
    const seenKeys = new Set<string>();
    for (const c of candidates) {
      if (won.length >= limit) break;
      if (seenKeys.has(c.orderKey)) continue;
      const ahead = await this.db.outboxMessage.count({
        where: { orderKey: c.orderKey, sequence: { lt: c.sequence }, OR: blocking(now) },
      });
      // A later message that is blocked must not hide the earlier one of the same person, which may be
      // due further down the list (it was retried with a later nextAttemptAt, e.g. after a 429).
      if (ahead > 0) continue;
      seenKeys.add(c.orderKey);
      const r = await this.db.outboxMessage.updateMany({
        where: { id: c.id, OR: due },
        data: { state: 'SENDING', leaseOwner: worker, leaseUntil: until },
      });
      if (r.count === 1) won.push({ id: c.id, inDoubt: c.state === 'SENDING' });
    }
    return won;
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
   */
  async beginAttempt(messageId: string, worker: string, leaseMs?: number): Promise<number | null> {
    const now = this.clock.now();
    return this.db.$transaction(async (tx) => {
      const held = await tx.outboxMessage.updateMany({
        where: { id: messageId, state: 'SENDING', leaseOwner: worker },
        data: {
          attempts: { increment: 1 },
          ...(leaseMs ? { leaseUntil: new Date(now.getTime() + leaseMs) } : {}),
        },
      });
      if (held.count !== 1) return null;
      const m = await tx.outboxMessage.findUniqueOrThrow({
        where: { id: messageId },
        select: { attempts: true },
      });
      await tx.deliveryAttempt.create({
        data: { messageId, attemptNo: m.attempts, worker: workerOf(worker), startedAt: now },
      });
      return m.attempts;
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

  /** Close an attempt and move the message to its next state, only while `worker` still holds the lease. */
  async finishAttempt(
    messageId: string,
    worker: string,
    attemptNo: number,
    outcome: AttemptOutcome,
    next: {
      state: 'SENT' | 'RETRYING' | 'FAILED';
      nextAttemptAt?: Date;
      error?: string;
      retryAfterMs?: number;
      platformRef?: string;
    },
  ): Promise<boolean> {
    const now = this.clock.now();
    return this.db.$transaction(async (tx) => {
      await tx.deliveryAttempt.updateMany({
        where: { messageId, attemptNo },
        data: {
          finishedAt: now,
          outcome,
          error: next.error ?? null,
          retryAfterMs: next.retryAfterMs ?? null,
        },
      });
      const res = await tx.outboxMessage.updateMany({
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
      });
      return res.count === 1;
    });
  }

  /** Give a claim back without an attempt (no channel could take it yet, or shutting down). */
  async release(messageId: string, worker: string, nextAttemptAt: Date, error?: string): Promise<void> {
    await this.db.outboxMessage.updateMany({
      where: { id: messageId, state: 'SENDING', leaseOwner: worker },
      data: {
        state: 'RETRYING',
        leaseOwner: null,
        leaseUntil: null,
        nextAttemptAt,
        lastError: error ?? null,
      },
    });
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

/** "host:pid:x#12" → "host:pid:x": attempts record the worker, leases the claim. */
function workerOf(claimToken: string): string {
  const i = claimToken.lastIndexOf('#');
  return i > 0 ? claimToken.slice(0, i) : claimToken;
}
