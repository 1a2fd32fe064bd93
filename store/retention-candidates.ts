/**
 * Retention candidates: the coarse reads behind RetentionRepository.scan (split from
 * retention-repository.ts, which keeps the exact re-check, the audited purge and the run record). Each
 * record type is read with the dates its retention period counts from; nothing here writes.
 */
import { addDays, type IsoDate } from '../core/calendar/iso-date.ts';
import type { RecordType } from '../core/retention/retention-rules.ts';
import type { Db } from './db.ts';

const iso = (d: Date | null | undefined): string | null => (d ? d.toISOString().slice(0, 10) : null);

const MAX_PER_TYPE = 5000;

/** A candidate record with the dates its retention counts from (ISO days, null when unknown). */
export type CandidateRow = {
  id: string;
  orgId: string | null;
  studentId: string | null;
  dob: string | null;
  record: string | null;
};

/** How many records of `type` have no date of birth to count from (reported for review, never purged). */
export async function unknownDobCount(db: Db, type: RecordType): Promise<number> {
  const noDob = { student: { dateOfBirth: null } };
  switch (type) {
    case 'concern':
      return db.concern.count({ where: noDob });
    case 'incident':
      return db.incident.count({ where: noDob });
    case 'case':
      return db.case.count({ where: noDob });
    case 'tacNote':
      return db.tacNote.count({ where: noDob });
    case 'student':
      return db.student.count({ where: { dateOfBirth: null } });
    default:
      return 0;
  }
}

/**
 * The coarse candidates of `type` whose anchor date (date of birth or the record's own date) is on or before
 * `cutoff`, at most MAX_PER_TYPE, in id order; the caller re-checks each exactly with the pure rule.
 */
export async function candidateRows(
  db: Db,
  type: RecordType,
  anchor: 'dob' | 'record',
  cutoff: IsoDate,
): Promise<CandidateRow[]> {
  const before = new Date(`${addDays(cutoff, 1)}T00:00:00.000Z`);
  const dobWhere = { student: { dateOfBirth: { lte: cutoff } } };
  const take = MAX_PER_TYPE;
  const orderBy = { id: 'asc' } as const;
  switch (type) {
    case 'concern': {
      const rs = await db.concern.findMany({
        where: anchor === 'dob' ? dobWhere : { raisedAt: { lt: before } },
        select: {
          id: true,
          orgId: true,
          studentId: true,
          raisedAt: true,
          student: { select: { dateOfBirth: true } },
        },
        orderBy,
        take,
      });
      // A concern about a pupil not on the roll (issue 13) has no student: kept by the record's date.
      return rs.map((r) => ({ ...r, dob: r.student?.dateOfBirth ?? null, record: iso(r.raisedAt) }));
    }
    case 'incident': {
      const rs = await db.incident.findMany({
        where: anchor === 'dob' ? dobWhere : { occurredAt: { lt: before } },
        select: {
          id: true,
          orgId: true,
          studentId: true,
          occurredAt: true,
          student: { select: { dateOfBirth: true } },
        },
        orderBy,
        take,
      });
      return rs.map((r) => ({ ...r, dob: r.student.dateOfBirth, record: iso(r.occurredAt) }));
    }
    case 'case': {
      // An open case is never purged on a record-date rule: its clock is still running.
      const rs = await db.case.findMany({
        where: anchor === 'dob' ? dobWhere : { status: 'CLOSED', updatedAt: { lt: before } },
        select: {
          id: true,
          orgId: true,
          studentId: true,
          updatedAt: true,
          student: { select: { dateOfBirth: true } },
        },
        orderBy,
        take,
      });
      return rs.map((r) => ({ ...r, dob: r.student.dateOfBirth, record: iso(r.updatedAt) }));
    }
    case 'tacNote': {
      const rs = await db.tacNote.findMany({
        where: anchor === 'dob' ? dobWhere : { createdAt: { lt: before } },
        select: {
          id: true,
          orgId: true,
          studentId: true,
          createdAt: true,
          submittedAt: true,
          meeting: { select: { startsAt: true } },
          student: { select: { dateOfBirth: true } },
        },
        orderBy,
        take,
      });
      return rs.map((r) => ({
        id: r.id,
        orgId: r.orgId,
        studentId: r.studentId,
        dob: r.student.dateOfBirth,
        record: iso(r.meeting?.startsAt ?? r.submittedAt ?? r.createdAt),
      }));
    }
    case 'meeting': {
      const rs = await db.meeting.findMany({
        where: anchor === 'dob' ? dobWhere : { endsAt: { lt: before } },
        select: {
          id: true,
          orgId: true,
          studentId: true,
          endsAt: true,
          student: { select: { dateOfBirth: true } },
        },
        orderBy,
        take,
      });
      return rs.map((r) => ({ ...r, dob: r.student?.dateOfBirth ?? null, record: iso(r.endsAt) }));
    }
    case 'outbox': {
      const rs = await db.outboxMessage.findMany({
        where: { state: { in: ['SENT', 'FAILED', 'CANCELLED'] }, updatedAt: { lt: before } },
        select: { id: true, orgId: true, sentAt: true, updatedAt: true },
        orderBy,
        take,
      });
      return rs.map((r) => ({ ...r, studentId: null, dob: null, record: iso(r.sentAt ?? r.updatedAt) }));
    }
    case 'reminder': {
      const rs = await db.reminder.findMany({
        where: { status: { in: ['DONE', 'CANCELLED'] }, dueAt: { lt: before } },
        select: { id: true, orgId: true, dueAt: true },
        orderBy,
        take,
      });
      return rs.map((r) => ({ ...r, studentId: null, dob: null, record: iso(r.dueAt) }));
    }
    case 'importRejection': {
      const rs = await db.importRejection.findMany({
        where: { run: { startedAt: { lt: before } } },
        select: { id: true, run: { select: { orgId: true, startedAt: true } } },
        orderBy,
        take,
      });
      return rs.map((r) => ({
        id: r.id,
        orgId: r.run.orgId,
        studentId: null,
        dob: null,
        record: iso(r.run.startedAt),
      }));
    }
    case 'student': {
      if (anchor !== 'dob') return [];
      const rs = await db.student.findMany({
        where: {
          dateOfBirth: { lte: cutoff },
          concerns: { none: {} },
          incidents: { none: {} },
          cases: { none: {} },
          tacNotes: { none: {} },
        },
        select: { id: true, orgId: true, dateOfBirth: true },
        orderBy,
        take,
      });
      return rs.map((r) => ({
        id: r.id,
        orgId: r.orgId,
        studentId: r.id,
        dob: r.dateOfBirth,
        record: null,
      }));
    }
  }
}
