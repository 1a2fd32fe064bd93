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

  /**
   * Flat reads with relation filters (EXISTS subqueries), no nested relation loads: Prisma loads a nested
   * relation with one bind parameter per parent row, and past 999 of them (a local authority's caseload,
   * a register of 1,000 pupils) SQLite refused the query ("query parameter limit ... exceeded").
   */
  async cases(
    orgId: string,
    opts: { ownerIds?: string[]; kind?: string; status?: 'OPEN' | 'CLOSED'; today: string },
  ): Promise<CaseloadRow[]> {
    const where = {
      orgId,
      ...(opts.ownerIds ? { ownerId: { in: opts.ownerIds } } : {}),
      ...(opts.kind ? { kind: opts.kind as never } : {}),
      ...(opts.status ? { status: opts.status } : {}),
    };
    const [rows, students, owners, deadlines] = await Promise.all([
      this.db.case.findMany({
        where,
        select: {
          id: true,
          orgId: true,
          kind: true,
          rulePack: true,
          reference: true,
          status: true,
          startDate: true,
          ownerId: true,
          studentId: true,
        },
        orderBy: [{ startDate: 'asc' }, { id: 'asc' }],
      }),
      this.db.student.findMany({
        where: { cases: { some: where } },
        select: { id: true, givenName: true, familyName: true, yearGroup: true },
      }),
      this.db.staff.findMany({
        where: { casesOwned: { some: where } },
        select: { id: true, displayName: true, email: true },
      }),
      this.db.deadline.findMany({
        where: { status: { in: ['OPEN', 'PAUSED'] }, case: where },
        select: { caseId: true, ruleId: true, dueOn: true, status: true },
        orderBy: [{ dueOn: 'asc' }, { id: 'asc' }],
      }),
    ]);
    const studentOf = new Map(students.map((s) => [s.id, s]));
    const ownerOf = new Map(owners.map((o) => [o.id, o]));
    const open = new Map<string, { ruleId: string; dueOn: string; status: string }[]>();
    for (const d of deadlines) {
      const l = open.get(d.caseId);
      const row = { ruleId: d.ruleId, dueOn: d.dueOn, status: d.status };
      if (l) l.push(row);
      else open.set(d.caseId, [row]);
    }
    return rows.map((r) => {
      const ds = open.get(r.id) ?? [];
      const s = studentOf.get(r.studentId);
      return {
        id: r.id,
        orgId: r.orgId,
        kind: r.kind,
        rulePack: r.rulePack,
        reference: r.reference,
        status: r.status,
        startDate: r.startDate,
        owner: r.ownerId ? (ownerOf.get(r.ownerId) ?? null) : null,
        student: {
          givenName: s?.givenName ?? '',
          familyName: s?.familyName ?? '',
          yearGroup: s?.yearGroup ?? null,
        },
        next: ds[0] ?? null,
        openDeadlines: ds.length,
        overdue: ds.filter((d) => d.status === 'OPEN' && d.dueOn < opts.today).length,
      };
    });
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
    const pupil = {
      orgId,
      OR: [{ senStatus: { in: ['K' as const, 'E' as const] } }, { ehcp: true }, { childInCare: true }],
    };
    const [students, keyWorkers, cases, meetings] = await Promise.all([
      this.db.student.findMany({
        where: pupil,
        select: {
          id: true,
          givenName: true,
          familyName: true,
          yearGroup: true,
          senStatus: true,
          ehcp: true,
          childInCare: true,
          keyWorkerId: true,
        },
        orderBy: [{ yearGroup: 'asc' }, { familyName: 'asc' }, { givenName: 'asc' }],
      }),
      this.db.staff.findMany({
        where: { keyWorkerOf: { some: pupil } },
        select: { id: true, displayName: true, email: true },
      }),
      this.db.case.findMany({
        where: { status: 'OPEN', student: pupil },
        select: { id: true, studentId: true },
        orderBy: { id: 'asc' },
      }),
      this.db.meeting.findMany({
        where: {
          startsAt: { gte: now },
          kind: { in: ['EHCP_ANNUAL_REVIEW', 'PEP', 'CIN', 'CPA', 'TAC'] },
          student: pupil,
        },
        select: { studentId: true, kind: true, startsAt: true },
        orderBy: [{ startsAt: 'asc' }, { id: 'asc' }],
      }),
    ]);
    const worker = new Map(keyWorkers.map((k) => [k.id, { displayName: k.displayName, email: k.email }]));
    const caseIds = new Map<string, string[]>();
    for (const c of cases) {
      const l = caseIds.get(c.studentId);
      if (l) l.push(c.id);
      else caseIds.set(c.studentId, [c.id]);
    }
    const meeting = new Map<string, { kind: string; startsAt: Date }>();
    for (const m of meetings)
      if (m.studentId && !meeting.has(m.studentId))
        meeting.set(m.studentId, { kind: m.kind, startsAt: m.startsAt });
    return students.map((s) => ({
      studentId: s.id,
      givenName: s.givenName,
      familyName: s.familyName,
      yearGroup: s.yearGroup,
      senStatus: s.senStatus,
      ehcp: s.ehcp,
      childInCare: s.childInCare,
      keyWorker: s.keyWorkerId ? (worker.get(s.keyWorkerId) ?? null) : null,
      openCaseIds: caseIds.get(s.id) ?? [],
      nextMeeting: meeting.get(s.id) ?? null,
    }));
  }
}
