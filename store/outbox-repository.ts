/**
 * The durable outbox (habit 6): explicit states, one idempotency key per message, a lease per claim,
 * every attempt in its own row. Claims are row leases: `FOR UPDATE SKIP LOCKED` on PostgreSQL (several
 * replicas), portable conditional updates on SQLite (one process). The only dialect-specific SQL of the
 * hub's delivery path lives here, in outbox-claim.ts and in outbox-attempts-pg.ts, behind the repository (habit 7).
 */
import { type OutgoingMessage, outgoingMessageSchema } from '../core/messages/outgoing-message.ts';
import type { Clock, EnqueueRequest, OutboxPort, Platform } from '../core/ports.ts';
import type { FieldCipher } from './crypto/field-cipher.ts';
import type { Db, Provider, Tx } from './db.ts';
import { type FinishRequest as FinishItem, writeGroupPg } from './outbox-attempts-pg.ts';
import { type OutboxWrite, writeGroupSqlite } from './outbox-attempts-sqlite.ts';
import { type ClaimedRow, claimedSelect, claimPortable, claimRunsSkipLocked } from './outbox-claim.ts';
import { Coalescer } from './outbox-coalescer.ts';
import { DELIVERY_POOL_SIZE } from './outbox-pool.ts';
import { viaOf } from './outbox-via.ts';

const PAYLOAD_CONTEXT = 'OutboxMessage.payloadEnc';
const OPEN_STATES = ['PENDING', 'RETRYING', 'SENDING'] as const;

export interface ClaimedMessage {
  id: string;
  idempotencyKey: string;
  orgId: string;
  recipientId: string | null;
  conversationId: string | null;
  /** The channel this message is pinned to (EnqueueRequest.via), or null: the router picks a chat channel. */
  via: Platform | null;
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

/** The PostgreSQL NOTIFY channel a writer of urgent work wakes the running hubs with (scheduler/outbox-listener.ts). */
export const OUTBOX_CHANNEL = 'send_hub_outbox';

export class OutboxRepository implements OutboxPort {
  constructor(
    private readonly db: Db,
    private readonly cipher: FieldCipher,
    private readonly clock: Clock,
    /** PostgreSQL claims with one `FOR UPDATE SKIP LOCKED` statement; SQLite with portable updates. */
    private readonly provider: Provider = 'sqlite',
    /** PostgreSQL: the delivery loop's own pool (store/outbox-pool.ts), for claims, begins and finishes. */
    private readonly dx: Db = db,
  ) {
    // Begins, finishes and releases share one group. SQLite has one writer: one transaction and one
    // commit per group, and a group waits for the previous one (growing meanwhile). PostgreSQL: one
    // statement per group (store/outbox-attempts-pg.ts), at most one group per delivery-pool connection
    // at once, the rest gathering behind them.
    this.writes = this.sqlite
      ? new Coalescer(
          (items) => this.db.$transaction((tx) => writeGroupSqlite(tx, items, this.clock.now())),
          true,
        )
      : new Coalescer(
          (items) => writeGroupPg(this.dx, items, this.clock.now()),
          {
            maxInFlight: DELIVERY_POOL_SIZE,
          },
          500,
        );
  }

  private readonly writes: Coalescer<OutboxWrite, number | boolean | null | undefined>;
  private get sqlite(): boolean {
    return this.provider !== 'postgres';
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
    const via = viaOf(request);
    const priority = request.priority ?? 5;
    // Urgent (safeguarding) messages form their own ordered stream so they never wait behind a digest.
    const target =
      'staffId' in request.to ? `staff:${request.to.staffId}` : `conv:${request.to.conversationId}`;
    const orderKey = `${priority === 0 ? `${target}:urgent` : target}${via.orderSuffix}`;
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
      platform: via.platform,
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
   * and first in line for their recipient (a person's messages go out in order), with the person's run of
   * due messages behind the first (store/outbox-claim.ts). Exactly one worker wins each row: on PostgreSQL
   * one `FOR UPDATE SKIP LOCKED` statement (replicas never wait on each other's rows); on SQLite (one
   * process) portable compare-and-set updates. `outOfChat`: e-mail and SMS people counted apart, up to
   * that many besides `limit` (the Deliverer's outOfChatBatch); without it every person counts to `limit`.
   */
  async claim(worker: string, limit: number, leaseMs: number, outOfChat?: number): Promise<ClaimedMessage[]> {
    // The lease is held by this claim, not by the worker: if the lease runs out and the same process
    // (another loop, or a later batch) claims the message again, the first holder must lose it too.
    const token = `${worker}#${++this.claims}`;
    return this.claimAs(token, limit, leaseMs, outOfChat);
  }

  private claims = 0;

  private async claimAs(
    worker: string,
    limit: number,
    leaseMs: number,
    outOfChat?: number,
  ): Promise<ClaimedMessage[]> {
    const now = this.clock.now();
    const until = new Date(now.getTime() + leaseMs);
    if (this.provider !== 'postgres') {
      const won = await claimPortable(this.db, worker, limit, now, until, outOfChat);
      return won.map((w) => this.toClaimed(w, w.inDoubt, worker));
    }
    const won = await claimRunsSkipLocked(this.dx, worker, limit, now, until, outOfChat);
    if (won.length === 0) return [];
    const rows = await this.dx.outboxMessage.findMany({
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
      via: row.platform,
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
   * Write the attempt row before calling the platform (a crash after this leaves evidence of an in-doubt
   * send), and only while `worker` still holds the claim, renewing it for `leaseMs`. Returns null when the
   * claim was lost (the lease ran out during a long wait and another replica took the message): the
   * caller must then not send, or the message could go out twice.
   *
   * Concurrent calls share one transaction (see Coalescer): the row is committed before this resolves.
   * `after`: the finish of the previous message of the same claimed run (it was sent), written with it: on
   * SQLite in the same transaction, on PostgreSQL in the same statement (one commit per message of a
   * person's run instead of two).
   */
  beginAttempt(
    messageId: string,
    worker: string,
    leaseMs?: number,
    after?: FinishItem,
  ): Promise<number | null> {
    const begin = { messageId, worker, leaseMs };
    return this.writes.add({ kind: 'begin', begin, ...(after ? { after } : {}) }) as Promise<number | null>;
  }

  /** Extend a claim's lease, only while `worker` still holds it; false when the claim was lost. */
  async renewLease(messageId: string, worker: string, leaseMs: number): Promise<boolean> {
    const r = await this.dx.outboxMessage.updateMany({
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
    const finish = { messageId, worker, attemptNo, outcome, next };
    return this.writes.add({ kind: 'finish', finish }) as Promise<boolean>;
  }

  /** Give a claim back without an attempt (no channel could take it yet, or shutting down). */
  async release(messageId: string, worker: string, nextAttemptAt: Date, error?: string): Promise<void> {
    const release = { messageId, worker, nextAttemptAt, error: error ?? null };
    await this.writes.add({ kind: 'release', release });
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

  /**
   * Whether a message has used up its `maxAttempts` tries after attempt `attemptNo`: every attempt counts
   * but those the platform asked to wait on, or held back before the call (THROTTLED: a 429, a full window,
   * a stop), which use up none. The attempts are counted only when the number could reach the maximum (a
   * failure late in its tries), so a run of sends pays nothing.
   */
  async outOfTries(messageId: string, attemptNo: number, maxAttempts: number): Promise<boolean> {
    if (attemptNo < maxAttempts) return false;
    const held = await this.db.deliveryAttempt.count({
      where: { messageId, attemptNo: { lt: attemptNo }, outcome: 'THROTTLED' },
    });
    return attemptNo - held >= maxAttempts;
  }

  async attemptsOf(messageId: string) {
    return this.db.deliveryAttempt.findMany({ where: { messageId }, orderBy: { attemptNo: 'asc' } });
  }
}

/** A finish of an attempt (OutboxRepository.finishAttempt's arguments, as one object). */
export type { FinishRequest } from './outbox-attempts-pg.ts';
