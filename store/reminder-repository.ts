/**
 * Reminders (any planned prompt: meeting reminders, deadline nudges, notes prompts, action nudges).
 * `reconcile` makes the stored set for some subjects equal to a desired set (create, move, withdraw),
 * and `planDue` moves due reminders into the outbox in the same transaction that marks them PLANNED.
 */
import type { OutgoingMessageInput } from '../core/messages/outgoing-message.ts';
import { message as buildMessage } from '../core/messages/outgoing-message.ts';
import type { Clock } from '../core/ports.ts';
import type { ReconcileReport, ReminderSpec } from '../core/reminders/reminder.ts';
import { canonicalJson } from './audit-repository.ts';
import type { Db } from './db.ts';
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

// Key order is not preserved by PostgreSQL's jsonb, so compare canonical forms: otherwise every pending
// reminder would look changed and be rewritten on every tick.
const sameJson = (a: unknown, b: unknown) => canonicalJson(a) === canonicalJson(b);

export class ReminderRepository {
  constructor(
    private readonly db: Db,
    private readonly outbox: OutboxRepository,
    private readonly clock: Clock,
  ) {}

  /**
   * Make the PENDING reminders of `subjects` equal to `desired`. Reminders already planned (sent to the
   * outbox) are left alone; pending ones no longer desired are CANCELLED (a cancelled meeting reminds nobody).
   */
  async reconcile(
    subjects: { type: string; id: string }[],
    desired: ReminderSpec[],
    kinds?: string[],
  ): Promise<ReconcileReport> {
    const report: ReconcileReport = { created: 0, updated: 0, cancelled: 0, unchanged: 0 };
    if (subjects.length === 0 && desired.length === 0) return report;
    const byType = new Map<string, string[]>();
    for (const s of subjects) byType.set(s.type, [...(byType.get(s.type) ?? []), s.id]);
    const existing = await this.db.reminder.findMany({
      where: {
        OR: [...byType.entries()].map(([subjectType, ids]) => ({ subjectType, subjectId: { in: ids } })),
        ...(kinds ? { kind: { in: kinds } } : {}),
      },
      select: { id: true, dedupeKey: true, dueAt: true, status: true, payload: true, recipientId: true },
    });
    const byKey = new Map(existing.map((r) => [r.dedupeKey, r]));
    const wanted = new Set(desired.map((d) => d.dedupeKey));
    for (const spec of desired) {
      const cur = byKey.get(spec.dedupeKey);
      const payload = {
        message: spec.message,
        priority: spec.priority ?? 5,
        quiet: spec.respectQuietHours ?? false,
      };
      if (!cur) {
        await this.db.reminder.upsert({
          where: { dedupeKey: spec.dedupeKey },
          create: {
            orgId: spec.orgId,
            kind: spec.kind,
            subjectType: spec.subject.type,
            subjectId: spec.subject.id,
            recipientId: spec.recipientId,
            dueAt: spec.dueAt,
            dedupeKey: spec.dedupeKey,
            payload: payload as never,
          },
          update: {},
        });
        report.created++;
      } else if (
        (cur.status === 'PENDING' || cur.status === 'CANCELLED') &&
        (cur.dueAt.getTime() !== spec.dueAt.getTime() ||
          !sameJson(cur.payload, payload) ||
          cur.status === 'CANCELLED')
      ) {
        await this.db.reminder.update({
          where: { id: cur.id },
          data: {
            dueAt: spec.dueAt,
            payload: payload as never,
            status: 'PENDING',
            recipientId: spec.recipientId,
          },
        });
        report.updated++;
      } else {
        report.unchanged++;
      }
    }
    const toCancel = existing
      .filter((r) => !wanted.has(r.dedupeKey) && r.status === 'PENDING')
      .map((r) => r.id);
    if (toCancel.length > 0) {
      const res = await this.db.reminder.updateMany({
        where: { id: { in: toCancel } },
        data: { status: 'CANCELLED' },
      });
      report.cancelled = res.count;
    }
    return report;
  }

  /**
   * Move every PENDING reminder due by now into the outbox, each in one transaction with its status
   * change, so a crash between the two can neither lose nor duplicate it.
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
    for (const r of due) {
      const payload = r.payload as {
        message: OutgoingMessageInput;
        priority?: number;
        quiet?: boolean;
      } | null;
      const ok = await this.db.$transaction(async (tx) => {
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
      });
      if (ok) planned++;
    }
    return planned;
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
