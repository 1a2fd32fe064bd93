/**
 * Retention: find the records whose retention period has ended (core/retention/retention-rules.ts) and
 * delete them, each deletion audited in the same transaction. Only this repository deletes children's
 * records; the audit trail itself is never purged (it holds ids, codes and counts, no names or text).
 *
 * Candidates are found with a coarse query on the anchor date and then re-checked row by row with the
 * pure rule (month-end clamping, 29 February), so a record is never deleted a day early.
 */
import { addDays, type IsoDate } from '../core/calendar/iso-date.ts';
import type { Clock } from '../core/ports.ts';
import {
  anchorCutoff,
  isDue,
  purgeFrom,
  type RecordType,
  type RetentionPolicy,
  type RetentionRule,
} from '../core/retention/retention-rules.ts';
import type { AuditRepository } from './audit-repository.ts';
import type { Db } from './db.ts';
import { candidateRows, unknownDobCount } from './retention-candidates.ts';

export interface Candidate {
  id: string;
  orgId: string | null;
  studentId: string | null;
  dueFrom: IsoDate;
}

export interface TypeScan {
  type: RecordType;
  rule: RetentionRule;
  due: Candidate[];
  /** Kept although due: the student is under a legal hold (e.g. IICSA). */
  held: number;
  /** Cannot be computed (no date of birth): reported for review, never purged. */
  unknownAnchor: number;
}

/** Slack for the coarse query: rows just past the cut-off are re-checked exactly by `isDue`. */
const SLACK_DAYS = 3;

export class RetentionRepository {
  constructor(
    private readonly db: Db,
    private readonly audit: AuditRepository,
    private readonly clock: Clock,
  ) {}

  /** Which records of `type` are due on `today` under `rule` (at most MAX_PER_TYPE per run: retention-candidates.ts). */
  async scan(
    type: RecordType,
    rule: RetentionRule,
    today: IsoDate,
    holds: ReadonlySet<string>,
  ): Promise<TypeScan> {
    const scan: TypeScan = { type, rule, due: [], held: 0, unknownAnchor: 0 };
    const cutoff = anchorCutoff(rule, today);
    if (rule.kind === 'keep' || !cutoff) return scan;
    const loose = addDays(cutoff, SLACK_DAYS);
    const rows = await candidateRows(this.db, type, rule.anchor, loose);
    if (rule.anchor === 'dob') scan.unknownAnchor = await unknownDobCount(this.db, type);
    for (const r of rows) {
      if (!isDue(rule, { dob: r.dob, record: r.record }, today)) continue;
      if (r.studentId && holds.has(r.studentId)) {
        scan.held++;
        continue;
      }
      scan.due.push({
        id: r.id,
        orgId: r.orgId,
        studentId: r.studentId,
        dueFrom: purgeFrom(rule, { dob: r.dob, record: r.record })!,
      });
    }
    return scan;
  }

  /** Delete the scanned candidates in batches; each batch commits with its audit events. */
  async purge(scan: TypeScan, batchSize = 200): Promise<number> {
    let deleted = 0;
    for (let i = 0; i < scan.due.length; i += batchSize) {
      let batch = scan.due.slice(i, i + batchSize);
      deleted += await this.db.$transaction(async (tx) => {
        let ids = batch.map((c) => c.id);
        let count = 0;
        switch (scan.type) {
          case 'concern':
            count = (await tx.concern.deleteMany({ where: { id: { in: ids } } })).count;
            break;
          case 'incident':
            count = (await tx.incident.deleteMany({ where: { id: { in: ids } } })).count;
            break;
          case 'case':
            // On a record-date rule only closed cases go (an open case's clock is still running).
            count = (
              await tx.case.deleteMany({
                where: {
                  id: { in: ids },
                  ...(scan.rule.kind === 'period' && scan.rule.anchor === 'record'
                    ? { status: 'CLOSED' }
                    : {}),
                },
              })
            ).count;
            break;
          case 'tacNote':
            count = (await tx.tacNote.deleteMany({ where: { id: { in: ids } } })).count;
            break;
          case 'meeting':
            count = (await tx.meeting.deleteMany({ where: { id: { in: ids } } })).count;
            break;
          case 'outbox':
            count = (
              await tx.outboxMessage.deleteMany({
                where: { id: { in: ids }, state: { in: ['SENT', 'FAILED', 'CANCELLED'] } },
              })
            ).count;
            break;
          case 'reminder':
            count = (
              await tx.reminder.deleteMany({
                where: { id: { in: ids }, status: { in: ['DONE', 'CANCELLED'] } },
              })
            ).count;
            break;
          case 'importRejection':
            count = (await tx.importRejection.deleteMany({ where: { id: { in: ids } } })).count;
            break;
          case 'student': {
            // Re-check inside the transaction: a record added since the scan keeps the student.
            const keep = await this.studentsWithRecords(tx as unknown as Db, ids);
            batch = batch.filter((c) => !keep.has(c.id));
            ids = batch.map((c) => c.id);
            count = (await tx.student.deleteMany({ where: { id: { in: ids } } })).count;
            break;
          }
        }
        const perRecord = ['concern', 'incident', 'case', 'tacNote', 'student'].includes(scan.type);
        if (perRecord) {
          for (const c of batch)
            await this.audit.recordIn(tx, {
              orgId: c.orgId,
              actorKind: 'system',
              action: 'retention.purged',
              subjectType: scan.type,
              subjectId: c.id,
              studentId: c.studentId,
              channel: 'SYSTEM',
              details: { rule: ruleText(scan.rule), dueFrom: c.dueFrom },
            });
        } else {
          await this.audit.recordIn(tx, {
            actorKind: 'system',
            action: 'retention.purged',
            subjectType: scan.type,
            subjectId: `batch:${ids[0]}..${ids[ids.length - 1]}`,
            channel: 'SYSTEM',
            details: { rule: ruleText(scan.rule), count, ids },
          });
        }
        return count;
      });
    }
    return deleted;
  }

  /** The day of the last completed retention run (nightly job), from the audit trail. */
  async lastRunDay(): Promise<string | null> {
    const last = await this.db.auditEvent.findFirst({
      where: { action: 'retention.run', actorKind: 'system' },
      orderBy: { seq: 'desc' },
      select: { subjectId: true },
    });
    return last?.subjectId ?? null;
  }

  private async studentsWithRecords(db: Db, ids: string[]): Promise<Set<string>> {
    const where = { studentId: { in: ids } };
    const sel = { select: { studentId: true } } as const;
    const lists = await Promise.all([
      db.concern.findMany({ where, ...sel }),
      db.incident.findMany({ where, ...sel }),
      db.case.findMany({ where, ...sel }),
      db.tacNote.findMany({ where, ...sel }),
    ]);
    return new Set(lists.flat().flatMap((r) => (r.studentId ? [r.studentId] : [])));
  }

  /** Audit the completed run (also the nightly job's "already ran today" marker). */
  async recordRun(
    day: IsoDate,
    mode: 'report' | 'purge',
    counts: Record<string, number>,
    actorKind: 'system' | 'admin-cli' = 'system',
  ): Promise<void> {
    await this.audit.record({
      actorKind,
      action: 'retention.run',
      subjectType: 'retention',
      subjectId: day,
      channel: actorKind === 'system' ? 'SYSTEM' : 'CLI',
      details: { mode, ...counts, at: this.clock.now().toISOString() },
    });
  }
}

const ruleText = (r: RetentionRule) => (r.kind === 'keep' ? 'keep' : `${r.anchor}+${r.amount}${r.unit}`);

/** Run a whole policy: scan every type; purge unless dry-run. Types purge children first, students last. */
export async function runRetention(
  repo: RetentionRepository,
  policy: RetentionPolicy,
  today: IsoDate,
  options: { dryRun: boolean; holds?: ReadonlySet<string> },
): Promise<{ scans: TypeScan[]; deleted: Record<string, number> }> {
  const order: RecordType[] = [
    'outbox',
    'reminder',
    'importRejection',
    'meeting',
    'tacNote',
    'incident',
    'concern',
    'case',
    'student',
  ];
  const scans: TypeScan[] = [];
  const deleted: Record<string, number> = {};
  for (const type of order) {
    const scan = await repo.scan(type, policy[type], today, options.holds ?? new Set());
    scans.push(scan);
    if (!options.dryRun && scan.due.length) deleted[type] = await repo.purge(scan);
  }
  return { scans, deleted };
}
