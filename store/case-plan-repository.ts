/**
 * The deadline planner's marks on each case (issue 18, docs/deadlines.md "How the tick works"):
 * `Case.planOn` is the case's next moment (the next day time alone changes what a tick writes for it: a
 * nudge or escalation entering the horizon; core/deadlines/next-moment.ts), '' when its inputs changed since it was last planned, NEVER when time alone changes
 * nothing; `Case.planVersion` is bumped by every change to its inputs. A steady tick reads the cases with
 * `planOn <= today` (an indexed range), plans them, and records their new moment only where `planVersion`
 * is still the one it read: a change made during the tick leaves the case marked for the next one.
 */
import { withImpliedTerms } from '../core/calendar/implied-terms.ts';
import type { Role } from '../core/staff/roles.ts';
import type { Db, Provider } from './db.ts';

/** `Case.planOn` of a case whose inputs changed since it was planned (sorts before every date). */
export const PLAN_CHANGED = '';
/** `Case.planOn` of a case that time alone never changes (closed, or nothing left to nudge). */
export const PLAN_NEVER = '9999-12-31';

type Tx = Parameters<Parameters<Db['$transaction']>[0]>[0];

/**
 * Mark cases as changed, inside the writer's transaction: every write to a case's inputs (key dates,
 * exceptions, deadline status, owner, closure) calls this, so the next steady tick plans them.
 */
export async function markCasesChanged(tx: Tx | Db, caseIds: string[]): Promise<void> {
  if (caseIds.length === 0) return;
  await tx.case.updateMany({
    where: { id: { in: caseIds } },
    data: { planOn: PLAN_CHANGED, planVersion: { increment: 1 } },
  });
}

export interface PlanMark {
  id: string;
  planOn: string;
  planVersion: number;
}

export class CasePlanRepository {
  constructor(
    private readonly db: Db,
    private readonly provider: Provider = 'sqlite',
  ) {}

  /** Cases (open or not) whose moment has come or whose inputs changed: `planOn <= today` (indexed). */
  async due(today: string): Promise<{ id: string; open: boolean; planVersion: number }[]> {
    const rows = await this.db.case.findMany({
      where: { planOn: { lte: today } },
      select: { id: true, status: true, planVersion: true },
    });
    return rows.map((r) => ({ id: r.id, open: r.status === 'OPEN', planVersion: r.planVersion }));
  }

  /** Open cases of some organisations (their term dates or staff changed). */
  async openOfOrgs(orgIds: string[]): Promise<string[]> {
    if (orgIds.length === 0) return [];
    const rows = await this.db.case.findMany({
      where: { orgId: { in: orgIds }, status: 'OPEN' },
      select: { id: true },
    });
    return rows.map((r) => r.id);
  }

  /** Open cases whose student changed since `since` (a name or year group: the nudge's label). */
  async openWithStudentChangedSince(since: Date): Promise<string[]> {
    // Two indexed reads (Student.updatedAt, then Case.studentId): a relation filter scanned every open case.
    const students = await this.db.student.findMany({
      where: { updatedAt: { gte: since } },
      select: { id: true },
    });
    if (students.length === 0) return [];
    const out: string[] = [];
    for (let i = 0; i < students.length; i += 5000) {
      const rows = await this.db.case.findMany({
        where: { status: 'OPEN', studentId: { in: students.slice(i, i + 5000).map((s) => s.id) } },
        select: { id: true },
      });
      for (const r of rows) out.push(r.id);
    }
    return out;
  }

  /** Term dates of every organisation (a handful of rows each). */
  async termDates(): Promise<{ orgId: string; kind: string; startDate: string; endDate: string }[]> {
    // A holidays-only calendar implies its school years' term time (core/calendar/implied-terms.ts).
    return withImpliedTerms(
      await this.db.termDate.findMany({
        select: { orgId: true, kind: true, startDate: true, endDate: true },
      }),
    );
  }

  /** Active staff of every organisation with line managers and roles (routing and names in nudges). */
  async staff(): Promise<
    { id: string; orgId: string; displayName: string; lineManagerId: string | null; roles: Role[] }[]
  > {
    const rows = await this.db.staff.findMany({
      where: { active: true },
      select: {
        id: true,
        orgId: true,
        displayName: true,
        lineManagerId: true,
        roles: { select: { role: true } },
      },
    });
    return rows.map((r) => ({ ...r, roles: r.roles.map((x) => x.role as Role) }));
  }

  /**
   * Record planned moments, one statement per 5,000 cases (the rows as one JSON parameter), each only where
   * the case's planVersion is still the one the tick read (in `tx`: the tick's transaction, beside its
   * nudges). Returns the number of cases written.
   */
  async setPlanned(marks: PlanMark[], tx: Pick<Db, '$executeRawUnsafe'> = this.db): Promise<number> {
    if (marks.length === 0) return 0;
    const sql =
      this.provider === 'postgres'
        ? `UPDATE "Case" AS c SET "planOn" = x.p FROM json_to_recordset($1::json) AS x(i text, p text, v int) WHERE c."id" = x.i AND c."planVersion" = x.v`
        : `UPDATE "Case" SET "planOn" = x.value ->> '$.p' FROM json_each(?) AS x WHERE "Case"."id" = x.value ->> '$.i' AND "Case"."planVersion" = x.value ->> '$.v'`;
    let n = 0;
    for (let i = 0; i < marks.length; i += 5000) {
      const part = marks.slice(i, i + 5000).map((m) => ({ i: m.id, p: m.planOn, v: m.planVersion }));
      n += await tx.$executeRawUnsafe(sql, JSON.stringify(part));
    }
    return n;
  }
}
