/**
 * A case's named officer over time (`CaseAssignment`: case, officer, the day from which they held it). A
 * row is written in the same transaction as every assignment: the case's opening (store/case-repository.ts
 * `open`, from its start date) and every handover (`reassign` below, from the day it is made). The
 * migration that made the table wrote one row per existing case, its officer then, from its start date,
 * flagged `beforeHistory`: nobody knows who held it earlier. The LA timeliness page counts a plan under the
 * officer who held the case the day it was issued (store/timeliness-repository.ts; docs/web.md). One row
 * a case and day: a second handover on the same day replaces that day's officer. `history` reads it back
 * (`case history <ref>` in chat and on the CLI); `openCasesOf` lists an officer's open cases for a bulk
 * handover (`send-hub case handover`).
 */
import type { AuditRepository } from './audit-repository.ts';
import { markCasesChanged } from './case-plan-repository.ts';
import type { Who } from './case-repository.ts';
import type { Db, Tx } from './db.ts';

/** The history row of a case's first officer, inside the opening's transaction. */
export async function recordFirstOfficer(
  tx: Tx,
  caseId: string,
  officerId: string | null,
  fromOn: string,
): Promise<void> {
  await tx.caseAssignment.create({ data: { caseId, officerId, fromOn } });
}

export interface CaseForHandover {
  id: string;
  orgId: string;
  studentId: string;
  kind: string;
  status: string;
  reference: string | null;
  ownerId: string | null;
  ownerLineManagerId: string | null;
}

/** One row of a case's assignment history, with the officer's name and e-mail (null: no officer). */
export interface AssignmentRow {
  fromOn: string;
  beforeHistory: boolean;
  officer: { displayName: string; email: string } | null;
}

/** An open case of an officer, as a bulk handover lists it (no child: reference, kind, start date). */
export interface OpenCaseOfOfficer extends CaseForHandover {
  startDate: string;
}

const handoverSelect = {
  id: true,
  orgId: true,
  studentId: true,
  kind: true,
  status: true,
  reference: true,
  ownerId: true,
  owner: { select: { lineManagerId: true } },
} as const;

export class CaseAssignmentRepository {
  constructor(
    private readonly db: Db,
    private readonly audit: AuditRepository,
  ) {}

  /** A case by its reference within an organisation, with what the policy needs to allow a handover. */
  async byReference(orgId: string, reference: string): Promise<CaseForHandover | null> {
    const c = await this.db.case.findFirst({ where: { orgId, reference }, select: handoverSelect });
    if (!c) return null;
    const { owner, ...rest } = c;
    return { ...rest, ownerLineManagerId: owner?.lineManagerId ?? null };
  }

  /** Who held the case from when, oldest first (one indexed read of [caseId, fromOn]). */
  history(caseId: string): Promise<AssignmentRow[]> {
    return this.db.caseAssignment.findMany({
      where: { caseId },
      orderBy: { fromOn: 'asc' },
      select: {
        fromOn: true,
        beforeHistory: true,
        officer: { select: { displayName: true, email: true } },
      },
    });
  }

  /**
   * A member of staff of the organisation by e-mail, whether still active or not: a bulk handover is most
   * often from an officer who has left.
   */
  officerByEmail(
    orgId: string,
    email: string,
  ): Promise<{ id: string; displayName: string; email: string; active: boolean } | null> {
    return this.db.staff.findFirst({
      where: { orgId, email: email.trim().toLowerCase() },
      select: { id: true, displayName: true, email: true, active: true },
    });
  }

  /** The open cases of an officer, by reference (index [ownerId]). */
  async openCasesOf(orgId: string, ownerId: string): Promise<OpenCaseOfOfficer[]> {
    const rows = await this.db.case.findMany({
      where: { orgId, ownerId, status: 'OPEN' },
      select: { ...handoverSelect, kind: true, startDate: true },
      orderBy: [{ reference: 'asc' }, { id: 'asc' }],
    });
    return rows.map(({ owner, ...rest }) => ({ ...rest, ownerLineManagerId: owner?.lineManagerId ?? null }));
  }

  /**
   * Hand the case to another officer from `fromOn` (the day it is made): the case's officer, its history
   * row, the planner's mark (the open deadlines that follow the case's officer are nudged to the new one by
   * the next tick) and the audit event, in one transaction. False when the case's officer was no longer
   * `expectedFrom` (someone else handed it over first) or the case is closed.
   */
  reassign(c: CaseForHandover, toStaffId: string, fromOn: string, who: Who): Promise<boolean> {
    return this.db.$transaction(async (tx) => {
      const res = await tx.case.updateMany({
        where: { id: c.id, status: 'OPEN', ownerId: c.ownerId },
        data: { ownerId: toStaffId },
      });
      if (res.count !== 1) return false;
      // One row a day (@@unique caseId, fromOn): a second handover today replaces today's officer.
      await tx.caseAssignment.upsert({
        where: { caseId_fromOn: { caseId: c.id, fromOn } },
        create: { caseId: c.id, officerId: toStaffId, fromOn },
        update: { officerId: toStaffId, beforeHistory: false },
      });
      await markCasesChanged(tx, [c.id]);
      await this.audit.recordIn(tx, {
        orgId: c.orgId,
        actorId: who.actorId,
        actorKind: who.actorKind,
        action: 'case.reassigned',
        subjectType: 'case',
        subjectId: c.id,
        studentId: c.studentId,
        channel: who.channel,
        details: { from: c.ownerId, to: toStaffId, fromOn },
      });
      return true;
    });
  }
}
