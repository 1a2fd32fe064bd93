/**
 * Concerns: the safeguarding record's state machine (RAISED → ACKNOWLEDGED/OWNED → CLOSED) and the
 * escalation cursor. Every state change is a conditional update (`updateMany … where status/level`),
 * so two workers, or a restarted hub, cannot both take the same step. Callers pass the transaction in
 * which they also write the audit event and enqueue the messages (one commit for all three).
 */
import type { ConcernDto, ConcernStatus } from '../core/escalations/concern.ts';
import type { Db, Tx } from './db.ts';

const concernSelect = {
  id: true,
  orgId: true,
  studentId: true,
  raisedById: true,
  source: true,
  externalId: true,
  category: true,
  immediateRisk: true,
  occurredAt: true,
  raisedAt: true,
  status: true,
  escalationLevel: true,
  nextEscalationAt: true,
  acknowledgedById: true,
  acknowledgedAt: true,
  ownerId: true,
  outcome: true,
  outcomeAt: true,
  notOnRollNameEnc: true,
  notOnRollYear: true,
} as const;

export interface NewConcern {
  orgId: string;
  /** Null for a pupil not on the roll: then notOnRollNameEnc holds the name as given (issue 13). */
  studentId: string | null;
  notOnRollNameEnc?: string | null;
  /** The year group as given for a pupil not on the roll ("5", "R"; an imported row has one). */
  notOnRollYear?: string | null;
  raisedById: string | null;
  source: string;
  externalId: string | null;
  category: string;
  immediateRisk: boolean;
  textEnc: string;
  actionsTakenEnc: string | null;
  occurredAt: Date;
  raisedAt: Date;
  /** Chat intake identity (see prisma Concern.intakeKey); null for imports and the CLI. */
  intakeKey?: string | null;
}

export class ConcernRepository {
  constructor(private readonly db: Db) {}

  /** Run `fn` in one transaction (state change + audit + outbox commit together). */
  transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    return this.db.$transaction(fn, { timeout: 30_000, maxWait: 30_000 });
  }

  async createIn(tx: Tx, c: NewConcern): Promise<ConcernDto> {
    const row = await tx.concern.create({ data: { ...c, escalationLevel: 0 }, select: concernSelect });
    return row as ConcernDto;
  }

  async byId(id: string, tx: Tx = this.db): Promise<ConcernDto | null> {
    const row = await tx.concern.findUnique({ where: { id }, select: concernSelect });
    return row as ConcernDto | null;
  }

  /** The concern a chat submission already created (the same form instance submitted again). */
  async byIntake(
    orgId: string,
    intakeKey: string,
  ): Promise<{ concern: ConcernDto; sentTo: string[] } | null> {
    const row = await this.db.concern.findUnique({
      where: { orgId_intakeKey: { orgId, intakeKey } },
      select: { ...concernSelect, sentTo: true },
    });
    if (!row) return null;
    const { sentTo, ...concern } = row;
    let names: string[] = [];
    try {
      const parsed: unknown = sentTo ? JSON.parse(sentTo) : [];
      if (Array.isArray(parsed)) names = parsed.filter((x): x is string => typeof x === 'string');
    } catch {
      names = [];
    }
    return { concern: concern as ConcernDto, sentTo: names };
  }

  /** Remember who the first step went to (the raiser's confirmation), for a repeated submission. */
  async setSentToIn(tx: Tx, id: string, sentTo: string[]): Promise<void> {
    await tx.concern.update({
      where: { id },
      data: { sentTo: JSON.stringify(sentTo) },
      select: { id: true },
    });
  }

  /**
   * The stored conversation (ChannelConversation row id, the outbox's conversation target) for a chat
   * channel a concern was raised from; with `create`, created on first use (a Slack channel needs no
   * stored reference; a Teams one must have been installed).
   */
  async conversationFor(
    orgId: string,
    platform: 'TEAMS' | 'SLACK',
    tenantId: string,
    conversationId: string,
    create: boolean,
  ): Promise<string | null> {
    const where = { platform_tenantId_conversationId: { platform, tenantId, conversationId } };
    const row = create
      ? await this.db.channelConversation.upsert({
          where,
          create: { orgId, platform, tenantId, conversationId, kind: 'channel' },
          update: {},
          select: { id: true, orgId: true },
        })
      : await this.db.channelConversation.findUnique({ where, select: { id: true, orgId: true } });
    if (!row) return null;
    if (row.orgId !== orgId) throw new Error('that conversation belongs to another organisation');
    return row.id;
  }

  async byExternal(orgId: string, source: string, externalId: string): Promise<ConcernDto | null> {
    const row = await this.db.concern.findUnique({
      where: { orgId_source_externalId: { orgId, source, externalId } },
      select: concernSelect,
    });
    return row as ConcernDto | null;
  }

  /** Encrypted fields for the DSL's record view. */
  async secretFields(
    id: string,
  ): Promise<{ textEnc: string; actionsTakenEnc: string | null; outcomeNoteEnc: string | null } | null> {
    return this.db.concern.findUnique({
      where: { id },
      select: { textEnc: true, actionsTakenEnc: true, outcomeNoteEnc: true },
    });
  }

  /** Unacknowledged concerns whose next step is due. */
  async dueForEscalation(now: Date, limit = 500): Promise<ConcernDto[]> {
    const rows = await this.db.concern.findMany({
      where: { status: 'RAISED', nextEscalationAt: { lte: now } },
      orderBy: [{ immediateRisk: 'desc' }, { nextEscalationAt: 'asc' }],
      take: limit,
      select: concernSelect,
    });
    return rows as ConcernDto[];
  }

  /** Move the escalation cursor from `fromLevel` to `toLevel`; false if someone else moved it (or it was acknowledged). */
  async advanceIn(tx: Tx, id: string, fromLevel: number, toLevel: number, nextAt: Date): Promise<boolean> {
    const r = await tx.concern.updateMany({
      where: { id, status: 'RAISED', escalationLevel: fromLevel },
      data: { escalationLevel: toLevel, nextEscalationAt: nextAt },
    });
    return r.count === 1;
  }

  /** Bring the next step forward to `at` (the Escalate button). */
  async escalateNowIn(tx: Tx, id: string, at: Date): Promise<boolean> {
    const r = await tx.concern.updateMany({
      where: { id, status: 'RAISED' },
      data: { nextEscalationAt: at },
    });
    return r.count === 1;
  }

  /** RAISED → ACKNOWLEDGED (or OWNED with `own`). False when already acknowledged by someone. */
  async acknowledgeIn(tx: Tx, id: string, staffId: string, at: Date, own: boolean): Promise<boolean> {
    const r = await tx.concern.updateMany({
      where: { id, status: 'RAISED' },
      data: {
        status: own ? 'OWNED' : 'ACKNOWLEDGED',
        acknowledgedById: staffId,
        acknowledgedAt: at,
        nextEscalationAt: null,
        ...(own ? { ownerId: staffId } : {}),
      },
    });
    return r.count === 1;
  }

  /** ACKNOWLEDGED/OWNED → OWNED by `staffId`. */
  async takeOwnershipIn(tx: Tx, id: string, staffId: string): Promise<boolean> {
    const r = await tx.concern.updateMany({
      where: { id, status: { in: ['ACKNOWLEDGED', 'OWNED'] } },
      data: { status: 'OWNED', ownerId: staffId },
    });
    return r.count === 1;
  }

  async recordOutcomeIn(tx: Tx, id: string, outcome: string, at: Date, ownerId: string): Promise<boolean> {
    const current = await tx.concern.findUnique({ where: { id }, select: { status: true, ownerId: true } });
    if (!current || current.status === 'CLOSED') return false;
    const r = await tx.concern.updateMany({
      where: { id, status: current.status as ConcernStatus },
      data: {
        status: 'CLOSED',
        outcome,
        outcomeAt: at,
        nextEscalationAt: null,
        ownerId: current.ownerId ?? ownerId,
      },
    });
    return r.count === 1;
  }

  /**
   * Once acknowledged, step messages not yet handed to a channel are cancelled (nobody needs an alarm for
   * a handled concern). Returns how many.
   */
  async cancelPendingStepsIn(tx: Tx, id: string): Promise<number> {
    const r = await tx.outboxMessage.updateMany({
      where: {
        idempotencyKey: { startsWith: `concern:${id}:step:` },
        state: { in: ['PENDING', 'RETRYING'] },
      },
      data: { state: 'CANCELLED' },
    });
    return r.count;
  }

  /**
   * One step's messages to one person (issue 16): the chat message `<prefix>` and its e-mail and SMS
   * `<prefix>:email|sms`, with their state and due moment.
   */
  async stepMessagesTo(prefix: string): Promise<{ key: string; state: string; due: Date }[]> {
    const rows = await this.db.outboxMessage.findMany({
      where: { OR: [{ idempotencyKey: prefix }, { idempotencyKey: { startsWith: `${prefix}:` } }] },
      select: { idempotencyKey: true, state: true, nextAttemptAt: true },
    });
    return rows.map((r) => ({ key: r.idempotencyKey, state: r.state, due: r.nextAttemptAt }));
  }

  /** A pending message not yet due goes now (a method before it failed for good). */
  async bringForward(key: string, now: Date): Promise<boolean> {
    const r = await this.db.outboxMessage.updateMany({
      where: { idempotencyKey: key, state: 'PENDING', nextAttemptAt: { gt: now } },
      data: { nextAttemptAt: now },
    });
    return r.count === 1;
  }

  /** Everyone a step message reached or is reaching (outbox keys `concern:<id>:step:<n>:<staff>`, not cancelled). */
  async notifiedStaff(id: string, tx: Tx = this.db): Promise<string[]> {
    const rows = await tx.outboxMessage.findMany({
      where: { idempotencyKey: { startsWith: `concern:${id}:step:` }, state: { not: 'CANCELLED' } },
      select: { recipientId: true },
    });
    return [...new Set(rows.map((r) => r.recipientId).filter((r): r is string => r !== null))];
  }

  async unacknowledged(orgId: string): Promise<ConcernDto[]> {
    const rows = await this.db.concern.findMany({
      where: { orgId, status: 'RAISED' },
      orderBy: { raisedAt: 'asc' },
      select: concernSelect,
    });
    return rows as ConcernDto[];
  }

  /** A concern by its reference (`C-1A2B3C`, the last six characters of its id) or its id; null if none or several. */
  async byRef(orgId: string | null, ref: string): Promise<ConcernDto | null> {
    const r = ref.trim();
    const tail = /^c-([a-z0-9]{6})$/i.exec(r)?.[1]?.toLowerCase();
    const rows = await this.db.concern.findMany({
      where: { ...(orgId ? { orgId } : {}), ...(tail ? { id: { endsWith: tail } } : { id: r }) },
      select: concernSelect,
      take: 2,
    });
    return rows.length === 1 ? (rows[0] as ConcernDto) : null;
  }

  /**
   * Link a concern recorded "not on roll" to a student record; false if it already has one (the name
   * as given stays, encrypted, for the record). The caller audits in the same transaction.
   */
  /**
   * An imported incident's concern, when the export changed it: the actions it now records (encrypted,
   * context Concern.actionsTakenEnc) and the year group as given, if the concern had none.
   */
  async updateImportedIn(
    tx: Tx,
    id: string,
    data: { actionsTakenEnc?: string | null; notOnRollYear?: string },
  ): Promise<void> {
    await tx.concern.update({ where: { id }, data, select: { id: true } });
  }

  /** The encrypted actions of a concern (an imported one compares them with its export's). */
  async actionsEncOf(id: string): Promise<string | null> {
    const r = await this.db.concern.findUnique({ where: { id }, select: { actionsTakenEnc: true } });
    return r?.actionsTakenEnc ?? null;
  }

  async linkStudentIn(tx: Tx, id: string, studentId: string): Promise<boolean> {
    const r = await tx.concern.updateMany({ where: { id, studentId: null }, data: { studentId } });
    return r.count === 1;
  }

  /**
   * Unacknowledged concerns that no ladder message has reached yet (no `concern:<id>:step:` message SENT):
   * raised by a process that does not deliver (`send-hub import`) while no hub runs, or waiting for the
   * hub's next delivery. Oldest first (`send-hub doctor`, /healthz, the import CLI).
   */
  async awaitingFirstAlert(
    orgId?: string,
    limit = 500,
  ): Promise<{ id: string; orgId: string; raisedAt: Date }[]> {
    const raised = await this.db.concern.findMany({
      where: { status: 'RAISED', ...(orgId ? { orgId } : {}) },
      orderBy: { raisedAt: 'asc' },
      select: { id: true, orgId: true, raisedAt: true },
      take: limit,
    });
    if (raised.length === 0) return [];
    const sent = await this.db.outboxMessage.findMany({
      where: {
        state: 'SENT',
        OR: raised.map((c) => ({ idempotencyKey: { startsWith: `concern:${c.id}:step:` } })),
      },
      select: { idempotencyKey: true },
    });
    const reached = new Set(sent.map((m) => m.idempotencyKey.split(':')[1]));
    return raised.filter((c) => !reached.has(c.id));
  }

  async countByStatus(orgId?: string): Promise<Record<string, number>> {
    const rows = await this.db.concern.groupBy({
      by: ['status'],
      where: orgId ? { orgId } : {},
      _count: { _all: true },
    });
    return Object.fromEntries(rows.map((r) => [r.status, r._count._all]));
  }
}
