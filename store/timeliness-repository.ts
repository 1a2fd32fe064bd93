/**
 * Reads for the LA timeliness page (issue 17): the EHC needs assessments whose final plan was issued in a
 * period (request date, issue date, officer, whether an exception was recorded against the 20-week
 * deadline E7), in one query; and the open assessments whose 20-week date is near, with their key dates.
 * The counting itself is core/deadlines/timeliness.ts.
 */
import type { FinalisedPlan, OpenAssessment } from '../core/deadlines/timeliness.ts';
import { jsonIds } from './case-planning-read.ts';
import type { Db, Provider } from './db.ts';

export class TimelinessRepository {
  constructor(
    private readonly db: Db,
    private readonly provider: Provider,
  ) {}

  /** Plans first issued from `from` to `to` (ISO dates, inclusive), one row per case. */
  async finalisedPlans(orgId: string, from: string, to: string): Promise<FinalisedPlan[]> {
    const p = (i: number) => (this.provider === 'postgres' ? `$${i}` : '?');
    const rows = await this.db.$queryRawUnsafe<
      {
        id: string;
        reference: string | null;
        ownerId: string | null;
        ownerName: string | null;
        requestOn: string;
        issuedOn: string;
        exception: boolean | number | bigint;
      }[]
    >(
      `SELECT c."id" AS "id", c."reference" AS "reference", c."ownerId" AS "ownerId", s."displayName" AS "ownerName",
        c."startDate" AS "requestOn", f."issuedOn" AS "issuedOn",
        CASE WHEN EXISTS (SELECT 1 FROM "CaseException" x WHERE x."caseId" = c."id" AND x."ruleId" = 'E7') THEN 1 ELSE 0 END AS "exception"
      FROM (SELECT e."caseId" AS "caseId", MIN(e."occurredOn") AS "issuedOn" FROM "CaseEvent" e
            WHERE e."kind" = 'final_plan_issued' GROUP BY e."caseId") f
      JOIN "Case" c ON c."id" = f."caseId"
      LEFT JOIN "Staff" s ON s."id" = c."ownerId"
      WHERE c."orgId" = ${p(1)} AND c."kind" = 'EHC_NEEDS_ASSESSMENT' AND f."issuedOn" >= ${p(2)} AND f."issuedOn" <= ${p(3)}
      ORDER BY f."issuedOn", c."id"`,
      orgId,
      from,
      to,
    );
    return rows.map((r) => ({
      caseId: r.id,
      reference: r.reference,
      officerId: r.ownerId,
      officerName: r.ownerName,
      requestOn: r.requestOn,
      issuedOn: r.issuedOn,
      exception: Number(r.exception) === 1 || r.exception === true,
    }));
  }

  /**
   * Open assessments whose 20-week deadline (E7) is open and due from `from` to `to`, with their key
   * dates: two queries (the cases, then their events), no per-relation round trips.
   */
  async openNearTwentyWeeks(orgId: string, from: string, to: string): Promise<OpenAssessment[]> {
    const p = (i: number) => (this.provider === 'postgres' ? `$${i}` : '?');
    const cases = await this.db.$queryRawUnsafe<
      { id: string; reference: string | null; ownerName: string | null; dueOn: string }[]
    >(
      `SELECT c."id" AS "id", c."reference" AS "reference", s."displayName" AS "ownerName", d."dueOn" AS "dueOn"
      FROM "Deadline" d JOIN "Case" c ON c."id" = d."caseId" LEFT JOIN "Staff" s ON s."id" = c."ownerId"
      WHERE d."ruleId" = 'E7' AND d."status" = 'OPEN' AND d."dueOn" >= ${p(1)} AND d."dueOn" <= ${p(2)}
        AND c."orgId" = ${p(3)} AND c."status" = 'OPEN' AND c."kind" = 'EHC_NEEDS_ASSESSMENT'`,
      from,
      to,
      orgId,
    );
    if (cases.length === 0) return [];
    const events = await this.db.$queryRawUnsafe<{ caseId: string; kind: string; occurredOn: string }[]>(
      `SELECT e."caseId" AS "caseId", e."kind" AS "kind", e."occurredOn" AS "occurredOn" FROM "CaseEvent" e
      WHERE e."caseId" IN (${jsonIds(this.provider, p(1))})`,
      JSON.stringify(cases.map((c) => c.id)),
    );
    const byCase = new Map<string, { kind: string; occurredOn: string }[]>();
    for (const e of events) {
      const list = byCase.get(e.caseId);
      const ev = { kind: e.kind, occurredOn: e.occurredOn };
      if (list) list.push(ev);
      else byCase.set(e.caseId, [ev]);
    }
    return cases.map((c) => ({
      caseId: c.id,
      reference: c.reference,
      officerName: c.ownerName,
      finalDueOn: c.dueOn,
      events: byCase.get(c.id) ?? [],
    }));
  }
}
