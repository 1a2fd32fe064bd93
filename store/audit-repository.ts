/**
 * The audit trail: append-only and hash-chained. Each event's hash covers the previous event's hash and
 * the event's own fields, so a changed or removed row breaks the chain (`send-hub audit verify`).
 * There is no update or delete path here; the database refuses them too (migration audit_append_only).
 */
import { createHash } from 'node:crypto';
import type { AuditEventInput, AuditLog, Clock } from '../core/ports.ts';
import type { Db, Provider, Tx } from './db.ts';

export const GENESIS_HASH = '0'.repeat(64);

export interface AuditRow {
  seq: number;
  at: Date;
  orgId: string | null;
  actorId: string | null;
  actorKind: string;
  action: string;
  subjectType: string;
  subjectId: string;
  studentId: string | null;
  channel: string | null;
  details: unknown;
  prevHash: string;
  hash: string;
}

/** Stable JSON: keys sorted, so the hash does not depend on property order or the provider's JSON type. */
export function canonicalJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function hashEvent(prevHash: string, e: Omit<AuditRow, 'seq' | 'hash' | 'prevHash'>): string {
  const body = canonicalJson({
    at: e.at.toISOString(),
    orgId: e.orgId,
    actorId: e.actorId,
    actorKind: e.actorKind,
    action: e.action,
    subjectType: e.subjectType,
    subjectId: e.subjectId,
    studentId: e.studentId,
    channel: e.channel,
    details: e.details ?? null,
  });
  return createHash('sha256').update(prevHash).update('\n').update(body).digest('hex');
}

const auditSelect = {
  seq: true,
  at: true,
  orgId: true,
  actorId: true,
  actorKind: true,
  action: true,
  subjectType: true,
  subjectId: true,
  studentId: true,
  channel: true,
  details: true,
  prevHash: true,
  hash: true,
} as const;

export class AuditRepository implements AuditLog {
  constructor(
    private readonly db: Db,
    private readonly provider: Provider,
    private readonly clock: Clock,
  ) {}

  async record(event: AuditEventInput): Promise<void> {
    await this.db.$transaction(async (tx) => this.recordIn(tx, event));
  }

  /** Record inside the caller's transaction, so the audit event commits with the change it describes. */
  async recordIn(tx: Tx, event: AuditEventInput): Promise<void> {
    if (this.provider === 'postgres') {
      // Serialise appends across replicas: the chain needs one writer at a time. Released at commit.
      await tx.$executeRawUnsafe('SELECT pg_advisory_xact_lock(7264001)');
    }
    const last = await tx.auditEvent.findFirst({ orderBy: { seq: 'desc' }, select: { hash: true } });
    const prevHash = last?.hash ?? GENESIS_HASH;
    const row = {
      at: this.clock.now(),
      orgId: event.orgId ?? null,
      actorId: event.actorId ?? null,
      actorKind: event.actorKind,
      action: event.action,
      subjectType: event.subjectType,
      subjectId: event.subjectId,
      studentId: event.studentId ?? null,
      channel: event.channel ?? null,
      details: event.details ?? null,
    };
    const hash = hashEvent(prevHash, row);
    await tx.auditEvent.create({
      data: { ...row, details: (row.details ?? undefined) as never, prevHash, hash },
    });
  }

  /** Walk the chain in order; returns the first broken link, or ok. */
  async verify(
    batchSize = 1000,
  ): Promise<{ ok: true; count: number } | { ok: false; seq: number; reason: string }> {
    let prev = GENESIS_HASH;
    let after = 0;
    let count = 0;
    for (;;) {
      const rows = await this.db.auditEvent.findMany({
        where: { seq: { gt: after } },
        orderBy: { seq: 'asc' },
        take: batchSize,
        select: auditSelect,
      });
      if (rows.length === 0) return { ok: true, count };
      for (const r of rows) {
        if (r.prevHash !== prev)
          return {
            ok: false,
            seq: r.seq,
            reason: 'previous-hash link broken (a row was removed or reordered)',
          };
        const expected = hashEvent(prev, r);
        if (expected !== r.hash)
          return { ok: false, seq: r.seq, reason: 'hash mismatch (the row was changed)' };
        prev = r.hash;
        after = r.seq;
        count++;
      }
    }
  }

  async forSubject(subjectType: string, subjectId: string): Promise<AuditRow[]> {
    return this.db.auditEvent.findMany({
      where: { subjectType, subjectId },
      orderBy: { seq: 'asc' },
      select: auditSelect,
    });
  }

  async forStudent(studentId: string): Promise<AuditRow[]> {
    return this.db.auditEvent.findMany({
      where: { studentId },
      orderBy: { seq: 'asc' },
      select: auditSelect,
    });
  }

  /**
   * Everything the trail says about one child: events tagged with the student, and events about their
   * records (a concern, a case, a TAC note, a meeting) that were recorded without the student id.
   */
  async forSubjectAccess(studentId: string, subjects: { type: string; id: string }[]): Promise<AuditRow[]> {
    return this.db.auditEvent.findMany({
      where: {
        OR: [{ studentId }, ...subjects.map((s) => ({ subjectType: s.type, subjectId: s.id }))],
      },
      orderBy: { seq: 'asc' },
      select: auditSelect,
    });
  }

  async recent(limit = 50): Promise<AuditRow[]> {
    return this.db.auditEvent.findMany({ orderBy: { seq: 'desc' }, take: limit, select: auditSelect });
  }
}
