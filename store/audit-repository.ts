/**
 * The audit trail: append-only and hash-chained. Each event's hash covers the previous event's hash and
 * the event's own fields, so a changed or removed row breaks the chain (`send-hub audit verify`).
 * There is no update or delete path here; the database refuses them too (migration audit_append_only).
 *
 * The chain is keyed: each hash is an HMAC-SHA256 under a key that is not in the database in plain text
 * (`k1.<key id>:<hex>`), so someone who can write to the database cannot recompute it after an edit.
 * Rows written before keying (bare SHA-256) still verify; a bare row after a keyed one is a downgrade and
 * is reported. A cut tail leaves a valid chain: the checkpoints outside the database (audit-anchors.ts)
 * catch it. docs/data-protection.md has the threat model.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { AuditEventInput, AuditLog, Clock } from '../core/ports.ts';
import type { Db, Provider, Tx } from './db.ts';

/** An audit chain key and its public id (the first 8 hex digits of its SHA-256). */
export interface AuditKey {
  id: string;
  key: Buffer;
}

export const auditKey = (key: Buffer): AuditKey => ({
  id: createHash('sha256').update('send-hub audit key\n').update(key).digest('hex').slice(0, 8),
  key,
});

/** Where the chain's keys come from: the one that signs new rows, and every one that verifies. */
export interface AuditKeySource {
  current(): Promise<AuditKey>;
  all(): Promise<AuditKey[]>;
}

/** A checkpoint of the chain's head kept outside the database (store/audit-anchors.ts). */
export interface AuditAnchorPoint {
  seq: number;
  hash: string;
  at: string;
  where: string;
}

export type AuditVerifyResult = { ok: true; count: number } | { ok: false; seq: number; reason: string };

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

/** The unkeyed link of rows written before the chain was keyed: SHA-256 of the previous hash and the event. */
export function hashEvent(prevHash: string, e: Omit<AuditRow, 'seq' | 'hash' | 'prevHash'>): string {
  return createHash('sha256').update(prevHash).update('\n').update(eventBody(e)).digest('hex');
}

function eventBody(e: Omit<AuditRow, 'seq' | 'hash' | 'prevHash'>): string {
  return canonicalJson({
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
}

/** The keyed link: `k1.<key id>:` and the HMAC of the previous hash and the event. */
export function keyedHashEvent(
  k: AuditKey,
  prevHash: string,
  e: Omit<AuditRow, 'seq' | 'hash' | 'prevHash'>,
): string {
  const mac = createHmac('sha256', k.key).update(prevHash).update('\n').update(eventBody(e)).digest('hex');
  return `k1.${k.id}:${mac}`;
}

const KEYED = /^k1\.([0-9a-f]{8}):([0-9a-f]{64})$/;

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
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
    /** Without keys (some unit tests) the chain is plain SHA-256, as before keying. */
    private readonly keys?: AuditKeySource,
  ) {}

  async record(event: AuditEventInput): Promise<void> {
    await this.keys?.current(); // before the transaction: see createHub
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
    const hash = this.keys
      ? keyedHashEvent(await this.keys.current(), prevHash, row)
      : hashEvent(prevHash, row);
    await tx.auditEvent.create({
      data: { ...row, details: (row.details ?? undefined) as never, prevHash, hash },
    });
  }

  /** The newest event's sequence number and hash (for checkpoints), or null on an empty trail. */
  async head(): Promise<{ seq: number; hash: string } | null> {
    return this.db.auditEvent.findFirst({ orderBy: { seq: 'desc' }, select: { seq: true, hash: true } });
  }

  /**
   * Walk the chain in order; returns the first broken link, or ok. With `anchors` (checkpoints kept
   * outside the database) it also finds a rewritten chain (an anchored hash that differs) and a cut tail
   * (an anchored sequence number the database no longer reaches).
   */
  async verify(
    options: { batchSize?: number; anchors?: AuditAnchorPoint[] } = {},
  ): Promise<AuditVerifyResult> {
    const batchSize = options.batchSize ?? 1000;
    const keys = new Map((this.keys ? await this.keys.all() : []).map((k) => [k.id, k]));
    const anchors = new Map<number, AuditAnchorPoint>();
    for (const a of options.anchors ?? []) anchors.set(a.seq, a);
    let prev = GENESIS_HASH;
    let after = 0;
    let count = 0;
    let keyedSince: number | null = null;
    for (;;) {
      const rows = await this.db.auditEvent.findMany({
        where: { seq: { gt: after } },
        orderBy: { seq: 'asc' },
        take: batchSize,
        select: auditSelect,
      });
      if (rows.length === 0) break;
      for (const r of rows) {
        if (r.prevHash !== prev)
          return {
            ok: false,
            seq: r.seq,
            reason: 'previous-hash link broken (a row was removed or reordered)',
          };
        const keyed = KEYED.exec(r.hash);
        if (keyed) {
          const k = keys.get(keyed[1] as string);
          if (!k)
            return {
              ok: false,
              seq: r.seq,
              reason: `signed with audit key ${keyed[1]}, which this hub does not have (set SEND_HUB_AUDIT_KEY?)`,
            };
          if (!sameText(keyedHashEvent(k, prev, r), r.hash))
            return { ok: false, seq: r.seq, reason: 'hash mismatch (the row was changed)' };
          keyedSince ??= r.seq;
        } else {
          if (keyedSince !== null)
            return {
              ok: false,
              seq: r.seq,
              reason: `unkeyed hash after keyed event ${keyedSince} (the chain was recomputed without the key)`,
            };
          if (hashEvent(prev, r) !== r.hash)
            return { ok: false, seq: r.seq, reason: 'hash mismatch (the row was changed)' };
        }
        const anchor = anchors.get(r.seq);
        if (anchor && anchor.hash !== r.hash)
          return {
            ok: false,
            seq: r.seq,
            reason: `differs from the checkpoint of ${anchor.at} (${anchor.where}): the chain was rewritten`,
          };
        prev = r.hash;
        after = r.seq;
        count++;
      }
    }
    const furthest = [...anchors.values()].sort((a, b) => b.seq - a.seq)[0];
    if (furthest && furthest.seq > after)
      return {
        ok: false,
        seq: after + 1,
        reason: `events ${after + 1} to ${furthest.seq} are missing: the checkpoint of ${furthest.at} (${furthest.where}) saw event ${furthest.seq} (the tail was cut)`,
      };
    return { ok: true, count };
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
