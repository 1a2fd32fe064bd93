/**
 * Joined reads for caseload views (issue 14 point 8): cases with their owner, child and next open deadline;
 * the SEN register (pupils on SEN support or with an EHCP, and children in care) with their open cases and
 * next review meeting;
 * and the staff a manager line-manages. Reads only: names for people, initials and year for children are
 * chosen by the caller (core/students/student-label.ts).
 */
import type { Db } from './db.ts';

export interface CaseloadRow {
  id: string;
  orgId: string;
  kind: string;
  rulePack: string;
  reference: string | null;
  status: string;
  startDate: string;
  owner: { id: string; displayName: string; email: string } | null;
  student: { givenName: string; familyName: string; yearGroup: string | null };
  /** The earliest open (or paused) deadline: rule id and due date. */
  next: { ruleId: string; dueOn: string; status: string } | null;
  openDeadlines: number;
  overdue: number;
}

export interface RegisterPupil {
  studentId: string;
  givenName: string;
  familyName: string;
  yearGroup: string | null;
  senStatus: string;
  ehcp: boolean;
  childInCare: boolean;
  keyWorker: { displayName: string; email: string } | null;
  /** The pupil's open cases: their review deadlines are read as the next tick will store them (the caller). */
  openCaseIds: string[];
  /** The next review meeting in the calendar (EHCP annual review, PEP, CIN, CPA, TAC), if any. */
  nextMeeting: { kind: string; startsAt: Date } | null;
}

export class CaseloadRepository {
  constructor(private readonly db: Db) {}

  async cases(
    orgId: string,
    opts: { ownerIds?: string[]; kind?: string; status?: 'OPEN' | 'CLOSED'; today: string },
  ): Promise<CaseloadRow[]> {
    const rows = await this.db.case.findMany({
      where: {
        orgId,
        ...(opts.ownerIds ? { ownerId: { in: opts.ownerIds } } : {}),
        ...(opts.kind ? { kind: opts.kind as never } : {}),
        ...(opts.status ? { status: opts.status } : {}),
      },
      select: {
        id: true,
        orgId: true,
        kind: true,
        rulePack: true,
        reference: true,
        status: true,
        startDate: true,
        owner: { select: { id: true, displayName: true, email: true } },
        student: { select: { givenName: true, familyName: true, yearGroup: true } },
        deadlines: {
          where: { status: { in: ['OPEN', 'PAUSED'] } },
          select: { ruleId: true, dueOn: true, status: true },
          orderBy: { dueOn: 'asc' },
        },
      },
      orderBy: [{ startDate: 'asc' }, { id: 'asc' }],
    });
    return rows.map((r) => ({
      id: r.id,
      orgId: r.orgId,
      kind: r.kind,
      rulePack: r.rulePack,
      reference: r.reference,
      status: r.status,
      startDate: r.startDate,
      owner: r.owner,
      student: r.student,
      next: r.deadlines[0] ?? null,
      openDeadlines: r.deadlines.length,
      overdue: r.deadlines.filter((d) => d.status === 'OPEN' && d.dueOn < opts.today).length,
    }));
  }

  /** The staff whose line manager is `managerId` (active ones). */
  async reports(managerId: string): Promise<{ id: string; displayName: string; email: string }[]> {
    return this.db.staff.findMany({
      where: { lineManagerId: managerId, active: true },
      select: { id: true, displayName: true, email: true },
      orderBy: { displayName: 'asc' },
    });
  }

  /**
   * Pupils on SEN support (K) or with an EHCP (E), and children in care, with their open cases and next
   * review meeting (app/deadlines/caseload-register.ts picks the next review).
   */
  async register(orgId: string, now: Date): Promise<RegisterPupil[]> {
    const students = await this.db.student.findMany({
      where: { orgId, OR: [{ senStatus: { in: ['K', 'E'] } }, { ehcp: true }, { childInCare: true }] },
      select: {
        id: true,
        givenName: true,
        familyName: true,
        yearGroup: true,
        senStatus: true,
        ehcp: true,
        childInCare: true,
        keyWorker: { select: { displayName: true, email: true } },
        cases: { where: { status: 'OPEN' }, select: { id: true } },
        meetings: {
          where: { startsAt: { gte: now }, kind: { in: ['EHCP_ANNUAL_REVIEW', 'PEP', 'CIN', 'CPA', 'TAC'] } },
          select: { kind: true, startsAt: true },
          orderBy: { startsAt: 'asc' },
          take: 1,
        },
      },
      orderBy: [{ yearGroup: 'asc' }, { familyName: 'asc' }, { givenName: 'asc' }],
    });
    return students.map((s) => ({
      studentId: s.id,
      givenName: s.givenName,
      familyName: s.familyName,
      yearGroup: s.yearGroup,
      senStatus: s.senStatus,
      ehcp: s.ehcp,
      childInCare: s.childInCare,
      keyWorker: s.keyWorker,
      openCaseIds: s.cases.map((c) => c.id),
      nextMeeting: s.meetings[0] ?? null,
    }));
  }
}
