/**
 * Deadlines computed by the engine, and what people do to them (met, snoozed, reassigned, paused by a
 * recorded exception). Every change by a person is audited in the same transaction.
 */
import { randomUUID } from 'node:crypto';
import type { AuditRepository } from './audit-repository.ts';
import { markCasesChanged } from './case-plan-repository.ts';
import { type DeadlineRow, deadlineSelect, type Who } from './case-repository.ts';
import type { Db, Provider, Tx } from './db.ts';
import { type BulkColumn, bulkInsert } from './deadline-bulk.ts';
import {
  lookupNudges,
  type NudgeState,
  type NudgeWrite,
  readNudgeState,
  type StoredNudge,
  writeNudgeRows,
} from './deadline-nudges.ts';

const DEADLINE_COLUMNS: BulkColumn[] = [
  { name: 'id', type: 'text' },
  { name: 'caseId', type: 'text' },
  { name: 'ruleId', type: 'text' },
  { name: 'dueOn', type: 'text' },
  { name: 'status', type: 'enum', enumName: 'DeadlineStatus' },
  { name: 'metOn', type: 'text' },
  { name: 'ownerId', type: 'text' },
  { name: 'createdAt', type: 'timestamp' },
  { name: 'updatedAt', type: 'timestamp' },
];

export type { NudgeState, NudgeWrite, StoredNudge } from './deadline-nudges.ts';

export interface DeadlineWithCase extends DeadlineRow {
  case: {
    id: string;
    orgId: string;
    kind: string;
    rulePack: string;
    reference: string | null;
    studentId: string;
    ownerId: string | null;
    owner: { lineManagerId: string | null } | null;
    student: { givenName: string; familyName: string; yearGroup: string | null };
  };
  owner: { id: string; displayName: string; lineManagerId: string | null } | null;
}

const withCase = {
  ...deadlineSelect,
  case: {
    select: {
      id: true,
      orgId: true,
      kind: true,
      rulePack: true,
      reference: true,
      studentId: true,
      ownerId: true,
      owner: { select: { lineManagerId: true } },
      student: { select: { givenName: true, familyName: true, yearGroup: true } },
    },
  },
  owner: { select: { id: true, displayName: true, lineManagerId: true } },
} as const;

export class DeadlineRepository {
  constructor(
    private readonly db: Db,
    private readonly audit: AuditRepository,
    private readonly provider: Provider = 'sqlite',
  ) {}

  /**
   * Write the engine's changes in batches: new deadlines with createMany (ids chosen here, so nudges can
   * be planned in the same tick), updates grouped by identical data.
   */
  async apply(
    creates: {
      caseId: string;
      ruleId: string;
      dueOn: string;
      status: string;
      metOn: string | null;
      ownerId: string | null;
    }[],
    updates: { id: string; data: Record<string, unknown> }[],
  ): Promise<{ id: string; caseId: string; ruleId: string }[]> {
    const now = new Date();
    const rows = creates.map((c) => ({ ...c, id: randomUUID(), createdAt: now, updatedAt: now }));
    await bulkInsert(this.db, this.provider, 'Deadline', DEADLINE_COLUMNS, rows);
    const groups = new Map<string, string[]>();
    for (const u of updates) {
      const k = JSON.stringify(u.data);
      groups.set(k, [...(groups.get(k) ?? []), u.id]);
    }
    for (const [k, ids] of groups)
      for (let i = 0; i < ids.length; i += 2000)
        await this.db.deadline.updateMany({
          where: { id: { in: ids.slice(i, i + 2000) } },
          data: JSON.parse(k),
        });
    return rows.map((r) => ({ id: r.id, caseId: r.caseId, ruleId: r.ruleId }));
  }

  /**
   * The stored deadline reminders a tick compares its slots with, in one packed query: every PENDING one
   * (a pending nudge no longer wanted is cancelled) and the CANCELLED ones due since `since` (a nudge wanted
   * again is re-armed). Others (planned, sent, answered) are looked up by key only for the rare slot that is
   * not found here (`storedNudges`). With `caseIds`, only the reminders of those cases' deadlines (a steady
   * tick's pick, through the Reminder (subjectType, subjectId) index). On PostgreSQL those cases' reminders
   * of every status come back (`everyStatus`): the index scan visits their heap pages to check the status
   * anyway, and a slot not among them is a new nudge, written without a lookup by key (`writeNudges` with
   * `upsert`; issue 18, docs/deadlines.md "How the tick works").
   */
  nudgeState(kinds: string[], since: Date, caseIds?: string[]): Promise<NudgeState> {
    return readNudgeState(this.db, this.provider, kinds, since, caseIds);
  }

  /**
   * Stored deadline reminders by key, whatever their status (for slots `nudgeState` did not return: the
   * nudges already handed to the outbox, and the new ones). One packed query per 20,000 keys, the keys as
   * one parameter probed through the Reminder.dedupeKey index (SQLite a JSON array `IN (json_each)`,
   * PostgreSQL a text[] `= ANY($1)`): a morning's 10,000 keys went through Prisma in ten `IN` lists of 1,000 bound
   * parameters, each row decoded cell by cell.
   */
  storedNudges(keys: string[]): Promise<Map<string, StoredNudge>> {
    return lookupNudges(this.db, this.provider, keys);
  }

  /** Run `fn` in one transaction (a tick's writes: its nudges and its cases' next moments together). */
  inTransaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    // Generous limits: a morning at LA scale writes thousands of rows on a loaded machine.
    return this.db.$transaction(fn, { timeout: 120_000, maxWait: 30_000 });
  }

  /**
   * Write a tick's nudge changes (in `tx`, the tick's transaction): new reminders in bulk (`creates`,
   * consumed lazily: the rows as one JSON parameter per statement; on PostgreSQL each statement is sent
   * before the next rows are taken, so the caller's rendering runs beside the server's insert), changed
   * ones re-armed (PENDING, new due time, recipient and message; one statement), withdrawn ones CANCELLED
   * (one statement). The payload carries the slot's fingerprint in Reminder.contentHash, which the next
   * tick compares instead of the message. With `upsert` (PostgreSQL, after a `nudgeState` of every
   * status), a new nudge whose key is stored after all is re-armed or left as a lookup by key would have
   * had it. Returns the reminders inserted and re-armed.
   */
  writeNudges(
    creates: Iterable<NudgeWrite>,
    updates: NudgeWrite[],
    cancels: string[],
    tx: Tx = this.db,
    opts: { upsert?: boolean } = {},
  ): Promise<{ created: number; rearmed: number }> {
    return writeNudgeRows(tx, this.provider, creates, updates, cancels, opts);
  }

  async byId(id: string): Promise<DeadlineWithCase | null> {
    return (await this.db.deadline.findUnique({
      where: { id },
      select: withCase,
    })) as DeadlineWithCase | null;
  }

  private async change(
    d: DeadlineWithCase,
    data: Record<string, unknown>,
    action: string,
    who: Who,
    details: Record<string, unknown>,
    extra?: (tx: Parameters<Parameters<Db['$transaction']>[0]>[0]) => Promise<void>,
  ): Promise<boolean> {
    return this.db.$transaction(async (tx) => {
      const res = await tx.deadline.updateMany({
        where: { id: d.id, status: { in: ['OPEN', 'PAUSED'] } },
        data: data as never,
      });
      if (res.count !== 1) return false;
      // The case's inputs changed: the next steady tick plans it (store/case-plan-repository.ts).
      await markCasesChanged(tx, [d.case.id]);
      await extra?.(tx);
      await this.audit.recordIn(tx, {
        orgId: d.case.orgId,
        actorId: who.actorId,
        actorKind: who.actorKind,
        action,
        subjectType: 'deadline',
        subjectId: d.id,
        studentId: d.case.studentId,
        channel: who.channel,
        details: { caseId: d.case.id, ruleId: d.ruleId, dueOn: d.dueOn, ...details },
      });
      return true;
    });
  }

  markMet(d: DeadlineWithCase, metOn: string, who: Who): Promise<boolean> {
    return this.change(d, { status: 'MET', metOn }, 'deadline.met', who, { metOn, late: metOn > d.dueOn });
  }

  snooze(d: DeadlineWithCase, until: string, who: Who): Promise<boolean> {
    return this.change(d, { snoozedUntil: until }, 'deadline.snoozed', who, { until });
  }

  reassign(d: DeadlineWithCase, toStaffId: string, who: Who): Promise<boolean> {
    return this.change(d, { ownerId: toStaffId, snoozedUntil: null }, 'deadline.reassigned', who, {
      from: d.ownerId ?? d.case.ownerId,
      to: toStaffId,
    });
  }

  /** Record an exception on the case (reason code, dates, encrypted evidence) and pause the deadline. */
  pause(
    d: DeadlineWithCase,
    e: { reason: string; fromDate: string; toDate: string | null; evidenceEnc: string | null },
    who: Who,
  ): Promise<boolean> {
    return this.change(
      d,
      { status: 'PAUSED', pausedReason: e.reason },
      'deadline.paused',
      who,
      {
        reason: e.reason,
        fromDate: e.fromDate,
        toDate: e.toDate,
        evidence: e.evidenceEnc ? 'recorded' : 'none',
      },
      async (tx) => {
        await tx.caseException.create({
          data: {
            caseId: d.case.id,
            ruleId: d.ruleId,
            reason: e.reason,
            evidence: e.evidenceEnc,
            fromDate: e.fromDate,
            toDate: e.toDate,
            recordedById: who.actorId ?? 'system',
          },
        });
      },
    );
  }

  /** Lift a pause (the exception no longer applies): back to OPEN, audited. */
  resume(d: DeadlineWithCase, who: Who): Promise<boolean> {
    return this.change(d, { status: 'OPEN', pausedReason: null }, 'deadline.resumed', who, {});
  }
}
