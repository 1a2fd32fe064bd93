/**
 * Deadlines computed by the engine, and what people do to them (met, snoozed, reassigned, paused by a
 * recorded exception). Every change by a person is audited in the same transaction.
 */
import { randomUUID } from 'node:crypto';
import type { ReminderSpec } from '../core/reminders/reminder.ts';
import type { AuditRepository } from './audit-repository.ts';
import { markCasesChanged } from './case-plan-repository.ts';
import {
  aggregate,
  type DeadlineRow,
  deadlineSelect,
  jsonIds,
  PackedReader,
  US,
  type Who,
} from './case-repository.ts';
import type { Db, Provider, Tx } from './db.ts';
import { type BulkColumn, bulkInsert, sqliteTimestamp } from './deadline-bulk.ts';
import { reminderPayload } from './reminder-repository.ts';
import { insertRows } from './sqlite-json-insert.ts';

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

const REMINDER_COLUMNS: BulkColumn[] = [
  { name: 'id', type: 'text' },
  { name: 'orgId', type: 'text' },
  { name: 'kind', type: 'text' },
  { name: 'subjectType', type: 'text' },
  { name: 'subjectId', type: 'text' },
  { name: 'recipientId', type: 'text' },
  { name: 'dueAt', type: 'timestamp' },
  { name: 'status', type: 'enum', enumName: 'ReminderStatus' },
  { name: 'dedupeKey', type: 'text' },
  { name: 'payload', type: 'json' },
  { name: 'contentHash', type: 'text' },
  { name: 'createdAt', type: 'timestamp' },
  { name: 'updatedAt', type: 'timestamp' },
];

/** A stored deadline reminder as a tick compares it: its status and Reminder.contentHash (the slot's fingerprint). */
export interface StoredNudge {
  status: string;
  fingerprint: string;
}

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
   * of every status come back: the index scan visits their heap pages to check the status anyway, and the
   * nudges already handed to the outbox are then found here rather than probed again by key
   * (`storedNudges` is left with the new slots; issue 18, docs/deadlines.md "How the tick works").
   */
  async nudgeState(kinds: string[], since: Date, caseIds?: string[]): Promise<Map<string, StoredNudge>> {
    const out = new Map<string, StoredNudge>();
    if (caseIds?.length === 0) return out;
    const kindList = kinds.map((k) => `'${k.replaceAll("'", "''")}'`).join(', ');
    const cols = ['"dedupeKey"', 'CAST("status" AS TEXT)', `coalesce("contentHash", '')`].join(
      ` || '${US}' || `,
    );
    const p = (i: number) => (this.provider === 'postgres' ? `$${i}` : '?');
    const everyStatus = caseIds !== undefined && this.provider === 'postgres';
    const status = everyStatus
      ? ''
      : ` AND ("status" = 'PENDING' OR ("status" = 'CANCELLED' AND "dueAt" >= ${p(1)}))`;
    // PostgreSQL: the ids as arrays (`= ANY(...)`, index probes whatever the statistics say). As
    // `IN (json)` semi-joins, a table never analysed (autovacuum off, or just after a bulk load) was planned
    // as a nested loop re-reading the case list for every pending reminder: 7-16 s at 20,000 cases.
    const ofCases = !caseIds
      ? ''
      : everyStatus
        ? ` AND "subjectId" = ANY(ARRAY(SELECT "id" FROM "Deadline" WHERE "caseId" = ANY($1::text[])))`
        : ` AND "subjectId" IN (SELECT "id" FROM "Deadline" WHERE "caseId" IN (${jsonIds(this.provider, p(2))}))`;
    const rows = await this.db.$queryRawUnsafe<{ x: string | null }[]>(
      `SELECT ${aggregate(this.provider, cols)} AS "x" FROM "Reminder" WHERE "subjectType" = 'deadline' AND "kind" IN (${kindList})${status}${ofCases}`,
      ...(everyStatus ? [caseIds] : caseIds ? [since, JSON.stringify(caseIds)] : [since]),
    );
    if (rows[0]?.x)
      for (const r = new PackedReader(rows[0].x); !r.done; ) {
        const key = r.field();
        const status = r.field();
        out.set(key, { status, fingerprint: r.last() });
      }
    return out;
  }

  /**
   * Stored deadline reminders by key, whatever their status (for slots `nudgeState` did not return: the
   * nudges already handed to the outbox, and the new ones). One packed query per 20,000 keys, the keys as
   * one parameter probed through the Reminder.dedupeKey index (SQLite a JSON array `IN (json_each)`,
   * PostgreSQL a text[] `= ANY($1)`): a morning's 10,000 keys went through Prisma in ten `IN` lists of 1,000 bound
   * parameters, each row decoded cell by cell.
   */
  async storedNudges(keys: string[]): Promise<Map<string, StoredNudge>> {
    const out = new Map<string, StoredNudge>();
    const cols = ['"dedupeKey"', 'CAST("status" AS TEXT)', `coalesce("contentHash", '')`].join(
      ` || '${US}' || `,
    );
    const match =
      this.provider === 'postgres'
        ? `"dedupeKey" = ANY($1::text[])`
        : `"dedupeKey" IN (${jsonIds(this.provider, '?')})`;
    const sql = `SELECT ${aggregate(this.provider, cols)} AS "x" FROM "Reminder" WHERE ${match}`;
    for (let i = 0; i < keys.length; i += 20_000) {
      const part = keys.slice(i, i + 20_000);
      const rows = await this.db.$queryRawUnsafe<{ x: string | null }[]>(
        sql,
        this.provider === 'postgres' ? part : JSON.stringify(part),
      );
      if (rows[0]?.x)
        for (const r = new PackedReader(rows[0].x); !r.done; ) {
          const key = r.field();
          const status = r.field();
          out.set(key, { status, fingerprint: r.last() });
        }
    }
    return out;
  }

  /** Run `fn` in one transaction (a tick's writes: its nudges and its cases' next moments together). */
  inTransaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    // Generous limits: a morning at LA scale writes thousands of rows on a loaded machine.
    return this.db.$transaction(fn, { timeout: 120_000, maxWait: 30_000 });
  }

  /**
   * Write a tick's nudge changes (in `tx`, the tick's transaction): new reminders in bulk (one statement
   * per 5,000 rows, the rows as one JSON parameter), changed ones re-armed (PENDING, new due time,
   * recipient and message; one statement), withdrawn ones CANCELLED (one statement). The payload carries
   * the slot's fingerprint in Reminder.contentHash, which the next tick compares instead of the message.
   */
  async writeNudges(
    creates: { spec: ReminderSpec; fingerprint: string }[],
    updates: { spec: ReminderSpec; fingerprint: string }[],
    cancels: string[],
    tx: Tx = this.db,
  ): Promise<void> {
    const now = new Date();
    const pg = this.provider === 'postgres';
    const rows = creates.map(({ spec: s, fingerprint }) => ({
      id: randomUUID(),
      orgId: s.orgId,
      kind: s.kind,
      subjectType: s.subject.type,
      subjectId: s.subject.id,
      recipientId: s.recipientId,
      dueAt: s.dueAt,
      status: 'PENDING',
      dedupeKey: s.dedupeKey,
      payload: reminderPayload(s),
      contentHash: fingerprint,
      createdAt: now,
      updatedAt: now,
    }));
    // On SQLite each row is parsed once (JSONB, sqlite-json-insert.ts), not once per column: the payload is
    // most of a row. 4,140 nudge rows (a morning's, bench deadlines): 0.41-0.56x the time of bulkInsert.
    // On PostgreSQL the rows stay one JSON parameter (json_to_recordset): one array parameter per column
    // (unnest) cost more, 4,140 rows 2.5-3.4 s against 0.85-1.6 s at load 12, the ~4 MB array literal of
    // messages serialised by the driver and parsed at bind time (docs/deadlines.md "How the tick works").
    await insertRows(tx, this.provider, 'Reminder', REMINDER_COLUMNS, rows, 5000);
    const stamp = (d: Date) => (pg ? d.toISOString() : sqliteTimestamp(d));
    if (updates.length > 0) {
      // The stored payload is the message's JSON text (as Prisma writes a Json column), jsonb on PostgreSQL.
      const part = updates.map(({ spec: s, fingerprint }) => ({
        k: s.dedupeKey,
        d: stamp(s.dueAt),
        p: JSON.stringify(reminderPayload(s)),
        h: fingerprint,
        r: s.recipientId,
      }));
      await tx.$executeRawUnsafe(
        pg
          ? `UPDATE "Reminder" AS m SET "dueAt" = x.d::timestamp(3), "payload" = x.p::jsonb, "contentHash" = x.h, "status" = 'PENDING', "recipientId" = x.r, "updatedAt" = $2::timestamp(3) FROM json_to_recordset($1::json) AS x(k text, d text, p text, h text, r text) WHERE m."dedupeKey" = x.k`
          : `UPDATE "Reminder" SET "dueAt" = x.value ->> '$.d', "payload" = x.value ->> '$.p', "contentHash" = x.value ->> '$.h', "status" = 'PENDING', "recipientId" = x.value ->> '$.r', "updatedAt" = ? FROM json_each(?) AS x WHERE "Reminder"."dedupeKey" = x.value ->> '$.k'`,
        ...(pg ? [JSON.stringify(part), stamp(now)] : [stamp(now), JSON.stringify(part)]),
      );
    }
    if (cancels.length > 0)
      await tx.$executeRawUnsafe(
        pg
          ? `UPDATE "Reminder" SET "status" = 'CANCELLED', "updatedAt" = $2::timestamp(3) WHERE "status" = 'PENDING' AND "dedupeKey" = ANY(ARRAY(${jsonIds(this.provider, '$1')}))`
          : `UPDATE "Reminder" SET "status" = 'CANCELLED', "updatedAt" = ? WHERE "status" = 'PENDING' AND "dedupeKey" IN (${jsonIds(this.provider, '?')})`,
        ...(pg ? [JSON.stringify(cancels), stamp(now)] : [stamp(now), JSON.stringify(cancels)]),
      );
  }

  async byId(id: string): Promise<DeadlineWithCase | null> {
    return (await this.db.deadline.findUnique({
      where: { id },
      select: withCase,
    })) as DeadlineWithCase | null;
  }

  /** Open or paused deadlines due by `until` (and overdue ones), optionally for one owner or org. */
  async dueBy(until: string, opts: { orgId?: string; ownerId?: string } = {}): Promise<DeadlineWithCase[]> {
    return (await this.db.deadline.findMany({
      where: {
        status: { in: ['OPEN', 'PAUSED'] },
        dueOn: { lte: until },
        case: { status: 'OPEN', ...(opts.orgId ? { orgId: opts.orgId } : {}) },
        ...(opts.ownerId
          ? { OR: [{ ownerId: opts.ownerId }, { ownerId: null, case: { ownerId: opts.ownerId } }] }
          : {}),
      },
      orderBy: { dueOn: 'asc' },
      select: withCase,
    })) as DeadlineWithCase[];
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
