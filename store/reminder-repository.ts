/**
 * Reminders (any planned prompt: meeting reminders, deadline nudges, notes prompts, action nudges).
 * `reconcile` makes the stored set for some subjects equal to a desired set (create, move, withdraw),
 * and `planDue` moves due reminders into the outbox in the same transaction that marks them PLANNED.
 */
import { createHash } from 'node:crypto';
import type { OutgoingMessageInput } from '../core/messages/outgoing-message.ts';
import { message as buildMessage } from '../core/messages/outgoing-message.ts';
import type { Clock } from '../core/ports.ts';
import type { ReconcileReport, ReminderSpec } from '../core/reminders/reminder.ts';
import { canonicalJson } from './audit-repository.ts';
import type { Db, Tx } from './db.ts';
import type { OutboxRepository } from './outbox-repository.ts';

export interface ReminderDto {
  id: string;
  orgId: string;
  kind: string;
  subjectType: string;
  subjectId: string;
  recipientId: string;
  dueAt: Date;
  status: string;
  dedupeKey: string;
  answer: string | null;
}

const reminderSelect = {
  id: true,
  orgId: true,
  kind: true,
  subjectType: true,
  subjectId: true,
  recipientId: true,
  dueAt: true,
  status: true,
  dedupeKey: true,
  answer: true,
} as const;

// Key order is not preserved by PostgreSQL's jsonb, so a stored payload is compared in canonical form
// (only for rows written before Reminder.contentHash existed, or by code that does not set it).
const sameJson = (a: unknown, b: unknown) => canonicalJson(a) === canonicalJson(b);

/** Rows per `IN (…)` list: SQLite's bound-parameter limit is far below a school's meeting count. */
const CHUNK = 500;

function chunks<T>(xs: T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += size) out.push(xs.slice(i, i + size));
  return out;
}

/** What a reminder row stores for a spec: the message and how to deliver it. */
export function reminderPayload(spec: ReminderSpec) {
  return { message: spec.message, priority: spec.priority ?? 5, quiet: spec.respectQuietHours ?? false };
}

/**
 * Hash of what the planner planned for a reminder (due time, recipient, payload), stored in
 * Reminder.contentHash. Specs are built by the same code at every tick, so JSON.stringify is stable for
 * equal specs; the stored (possibly re-ordered) jsonb is never hashed. Repositories that create reminder
 * rows outside `reconcile` should store it too, so the planner never has to read their payloads.
 */
export function reminderContentHash(spec: ReminderSpec): string {
  return createHash('sha1')
    .update(JSON.stringify([spec.dueAt.getTime(), spec.recipientId, reminderPayload(spec)]))
    .digest('base64url');
}

/** Due reminders claimed and enqueued per transaction. */
const PLAN_BATCH = 100;

const isUniqueViolation = (err: unknown) => (err as { code?: string } | null)?.code === 'P2002';

export class ReminderRepository {
  constructor(
    private readonly db: Db,
    private readonly outbox: OutboxRepository,
    private readonly clock: Clock,
  ) {}

  /**
   * Make the PENDING reminders of `subjects` equal to `desired`. Reminders already planned (sent to the
   * outbox) are left alone; pending ones no longer desired are CANCELLED (a cancelled meeting reminds nobody).
   *
   * Set-based: the stored rows are read in a few queries (no payloads), compared with the desired set by
   * content hash in memory, and only the differences are written, in one transaction; when nothing
   * changed nothing is written. A reminder the planner still plans as before keeps a due time moved by
   * its recipient (snooze); a changed plan (a moved meeting) replaces it.
   */
  async reconcile(
    subjects: { type: string; id: string }[],
    desired: ReminderSpec[],
    kinds?: string[],
  ): Promise<ReconcileReport> {
    try {
      return await this.reconcileOnce(subjects, desired, kinds);
    } catch (err) {
      // Another planner (a calendar re-plan beside the tick) created one of our rows between our read and
      // our write: read again and write what is still missing.
      if (!isUniqueViolation(err)) throw err;
      return this.reconcileOnce(subjects, desired, kinds);
    }
  }

  private async reconcileOnce(
    subjects: { type: string; id: string }[],
    desired: ReminderSpec[],
    kinds?: string[],
  ): Promise<ReconcileReport> {
    const report: ReconcileReport = { created: 0, updated: 0, cancelled: 0, unchanged: 0 };
    if (subjects.length === 0 && desired.length === 0) return report;
    const byType = new Map<string, Set<string>>();
    for (const s of subjects) {
      const ids = byType.get(s.type) ?? new Set<string>();
      byType.set(s.type, ids.add(s.id));
    }
    const existing: {
      id: string;
      dedupeKey: string;
      dueAt: Date;
      status: string;
      contentHash: string | null;
    }[] = [];
    for (const [subjectType, ids] of byType)
      for (const chunk of chunks([...ids]))
        existing.push(
          ...(await this.db.reminder.findMany({
            where: { subjectType, subjectId: { in: chunk }, ...(kinds ? { kind: { in: kinds } } : {}) },
            select: { id: true, dedupeKey: true, dueAt: true, status: true, contentHash: true },
          })),
        );
    const byKey = new Map(existing.map((r) => [r.dedupeKey, r]));

    // Rows without a hash (written before it existed, or by another repository): compare their payloads.
    const legacyIds = existing
      .filter((r) => r.contentHash === null && r.status === 'PENDING')
      .map((r) => r.id);
    const legacyPayload = new Map<string, unknown>();
    for (const chunk of chunks(legacyIds))
      for (const r of await this.db.reminder.findMany({
        where: { id: { in: chunk } },
        select: { id: true, payload: true },
      }))
        legacyPayload.set(r.id, r.payload);

    const creates: ReminderSpec[] = [];
    const updates: { id: string; spec: ReminderSpec; hash: string }[] = [];
    const wanted = new Set<string>();
    for (const spec of desired) {
      if (wanted.has(spec.dedupeKey)) continue;
      wanted.add(spec.dedupeKey);
      const cur = byKey.get(spec.dedupeKey);
      if (!cur) {
        creates.push(spec);
        continue;
      }
      if (cur.status !== 'PENDING' && cur.status !== 'CANCELLED') {
        report.unchanged++;
        continue;
      }
      const hash = reminderContentHash(spec);
      const same =
        cur.status === 'PENDING' &&
        (cur.contentHash !== null
          ? cur.contentHash === hash
          : cur.dueAt.getTime() === spec.dueAt.getTime() &&
            sameJson(legacyPayload.get(cur.id), reminderPayload(spec)));
      if (same) report.unchanged++;
      else updates.push({ id: cur.id, spec, hash });
    }
    const toCancel = existing
      .filter((r) => !wanted.has(r.dedupeKey) && r.status === 'PENDING')
      .map((r) => r.id);
    if (creates.length === 0 && updates.length === 0 && toCancel.length === 0) return report;

    await this.db.$transaction(
      async (tx) => {
        if (creates.length > 0) {
          // Rows whose subject was not among `subjects` (or created meanwhile) exist already: leave them.
          const present = new Set<string>();
          for (const chunk of chunks(creates.map((c) => c.dedupeKey)))
            for (const r of await tx.reminder.findMany({
              where: { dedupeKey: { in: chunk } },
              select: { dedupeKey: true },
            }))
              present.add(r.dedupeKey);
          const rows = creates
            .filter((spec) => !present.has(spec.dedupeKey))
            .map((spec) => ({
              orgId: spec.orgId,
              kind: spec.kind,
              subjectType: spec.subject.type,
              subjectId: spec.subject.id,
              recipientId: spec.recipientId,
              dueAt: spec.dueAt,
              dedupeKey: spec.dedupeKey,
              payload: reminderPayload(spec) as never,
              contentHash: reminderContentHash(spec),
            }));
          for (const chunk of chunks(rows)) await tx.reminder.createMany({ data: chunk });
          report.created += creates.length;
        }
        for (const u of updates)
          await tx.reminder.update({
            where: { id: u.id },
            data: {
              dueAt: u.spec.dueAt,
              payload: reminderPayload(u.spec) as never,
              contentHash: u.hash,
              status: 'PENDING',
              recipientId: u.spec.recipientId,
            },
          });
        report.updated += updates.length;
        for (const chunk of chunks(toCancel)) {
          const res = await tx.reminder.updateMany({
            where: { id: { in: chunk }, status: 'PENDING' },
            data: { status: 'CANCELLED' },
          });
          report.cancelled += res.count;
        }
      },
      { timeout: 120_000, maxWait: 30_000 },
    );
    return report;
  }

  /**
   * Move every PENDING reminder due by now into the outbox, each claimed in the same transaction that
   * enqueues its message, so a crash between the two can neither lose nor duplicate it. Reminders are
   * handled in batches of `PLAN_BATCH` per transaction (a first tick or a backlog pays one commit per
   * batch, not per reminder); a batch that fails is retried one reminder per transaction, so one bad
   * reminder holds back no more than it did before.
   * @param notBefore quiet-hours gate: given an org id and the due time, the earliest delivery time.
   */
  async planDue(limit = 500, notBefore?: (orgId: string, at: Date) => Date): Promise<number> {
    const now = this.clock.now();
    const due = await this.db.reminder.findMany({
      where: { status: 'PENDING', dueAt: { lte: now } },
      orderBy: { dueAt: 'asc' },
      take: limit,
      select: { id: true, orgId: true, recipientId: true, payload: true, dueAt: true },
    });
    let planned = 0;
    for (const batch of chunks(due, PLAN_BATCH)) {
      try {
        planned += await this.db.$transaction(
          async (tx) => {
            let n = 0;
            for (const r of batch) if (await this.planOneIn(tx, r, now, notBefore)) n++;
            return n;
          },
          { timeout: 60_000, maxWait: 30_000 },
        );
      } catch (err) {
        if (batch.length === 1) throw err;
        for (const r of batch)
          if (await this.db.$transaction((tx) => this.planOneIn(tx, r, now, notBefore))) planned++;
      }
    }
    return planned;
  }

  private async planOneIn(
    tx: Tx,
    r: { id: string; orgId: string; recipientId: string; payload: unknown; dueAt: Date },
    now: Date,
    notBefore?: (orgId: string, at: Date) => Date,
  ): Promise<boolean> {
    const payload = r.payload as {
      message: OutgoingMessageInput;
      priority?: number;
      quiet?: boolean;
    } | null;
    const claimed = await tx.reminder.updateMany({
      where: { id: r.id, status: 'PENDING' },
      data: { status: 'PLANNED', plannedAt: now },
    });
    if (claimed.count !== 1) return false;
    if (!payload?.message) return true;
    await this.outbox.enqueueIn(tx, {
      // One key per reminder and due time: a snoozed reminder that falls due again is a new message.
      idempotencyKey: `reminder:${r.id}:${r.dueAt.toISOString()}`,
      orgId: r.orgId,
      to: { staffId: r.recipientId },
      // Buttons carry the reminder id back, so "done" or "snooze" lands on this reminder.
      message: buildMessage({
        ...payload.message,
        actions: (payload.message.actions ?? []).map((a) => ({
          ...a,
          args: { ...(a.args ?? {}), reminderId: r.id },
        })),
      }),
      priority: payload.priority ?? 5,
      reminderId: r.id,
      notBefore: payload.quiet && notBefore ? notBefore(r.orgId, now) : now,
    });
    return true;
  }

  /** Subjects of one type that have PENDING reminders of these kinds (one query, distinct ids). */
  async pendingSubjects(subjectType: string, kinds: string[]): Promise<string[]> {
    const rows = await this.db.reminder.findMany({
      where: { subjectType, status: 'PENDING', kind: { in: kinds } },
      select: { subjectId: true },
      distinct: ['subjectId'],
    });
    return rows.map((r) => r.subjectId);
  }

  async byId(id: string): Promise<ReminderDto | null> {
    return this.db.reminder.findUnique({ where: { id }, select: reminderSelect });
  }

  /** Record a person's answer (done / snooze). Snoozing re-arms the reminder for `until`. */
  async answer(id: string, answer: 'done' | 'snooze', until?: Date): Promise<ReminderDto | null> {
    const now = this.clock.now();
    const data =
      answer === 'snooze' && until
        ? {
            status: 'PENDING' as const,
            dueAt: until,
            answer: `snooze:${until.toISOString()}`,
            answeredAt: now,
          }
        : { status: 'DONE' as const, answer: 'done', answeredAt: now };
    const res = await this.db.reminder.updateMany({
      where: { id, status: { in: ['PLANNED', 'PENDING', 'SNOOZED'] } },
      data,
    });
    if (res.count === 0) return null;
    return this.byId(id);
  }

  async forSubject(subjectType: string, subjectId: string): Promise<ReminderDto[]> {
    return this.db.reminder.findMany({
      where: { subjectType, subjectId },
      select: reminderSelect,
      orderBy: { dueAt: 'asc' },
    });
  }

  async upcoming(orgId: string | undefined, until: Date, recipientId?: string): Promise<ReminderDto[]> {
    return this.db.reminder.findMany({
      where: {
        status: 'PENDING',
        dueAt: { lte: until },
        ...(orgId ? { orgId } : {}),
        ...(recipientId ? { recipientId } : {}),
      },
      select: reminderSelect,
      orderBy: { dueAt: 'asc' },
    });
  }
}
