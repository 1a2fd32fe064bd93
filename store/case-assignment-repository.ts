/**
 * A case's named officer over time (`CaseAssignment`: case, officer, the day from which they held it). A
 * row is written in the same transaction as every assignment: the case's opening (store/case-repository.ts
 * `open`, from its start date) and every handover (`reassign` below, from the day it is made). The
 * migration that made the table wrote one row per existing case, its officer then, from its start date,
 * flagged `beforeHistory`: nobody knows who held it earlier. The LA timeliness page counts a plan under the
 * officer who held the case the day it was issued (store/timeliness-repository.ts; docs/web.md). One row
 * a case and day: a second handover on the same day replaces that day's officer.
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
  status: string;
  reference: string | null;
  ownerId: string | null;
  ownerLineManagerId: string | null;
}

export class CaseAssignmentRepository {
  constructor(
    private readonly db: Db,
    private readonly audit: AuditRepository,
  ) {}

  /** A case by its reference within an organisation, with what the policy needs to allow a handover. */
  async byReference(orgId: string, reference: string): Promise<CaseForHandover | null> {
    const c = await this.db.case.findFirst({
      where: { orgId, reference },
      select: {
        id: true,
        orgId: true,
        studentId: true,
        status: true,
        reference: true,
        ownerId: true,
        owner: { select: { lineManagerId: true } },
      },
    });
    if (!c) return null;
    const { owner, ...rest } = c;
    return { ...rest, ownerLineManagerId: owner?.lineManagerId ?? null };
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
