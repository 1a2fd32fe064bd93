/**
 * Reads for the LA timeliness page (issue 17): the EHC needs assessments whose final plan was issued in a
 * period (request date, issue date, officer, whether an exception was recorded against the 20-week
 * deadline E7), in one query; and the open assessments whose 20-week date is near, with their key dates.
 * The counting itself is core/deadlines/timeliness.ts.
 */
import { type OpenAssessment, type PlanGroup, WEEKS_20_DAYS } from '../core/deadlines/timeliness.ts';
import { jsonIds } from './case-planning-read.ts';
import type { Db, Provider } from './db.ts';

export class TimelinessRepository {
  constructor(
    private readonly db: Db,
    private readonly provider: Provider,
  ) {}

  /**
   * Plans first issued from `from` to `to` (ISO dates, inclusive), counted in the database by month of
   * issue, officer, within 20 weeks (issued on or before the request + 140 days, reg 13(2)), whether an
   * exception was recorded against the 20-week deadline (E7) and whether the officer is known from the
   * case's assignment history: one query, grouped by month and officer with the flags counted (about a
   * thousand rows for 3 years of 30 officers), opened out here into one PlanGroup per month, officer and
   * flags. The officer is the one who held the case on the day of issue: the case's latest
   * `CaseAssignment` from that day or earlier (on the day of a handover, the new officer). A case with no such row (none written, or history starting after
   * the issue) is counted under its officer now; a row from before history was kept (the migration's
   * backfill) gives its officer; both are flagged `beforeHistory`.
   */
  async planGroups(orgId: string, from: string, to: string): Promise<PlanGroup[]> {
    const pg = this.provider === 'postgres';
    // Parameters in the order they appear in the text (SQLite's `?` are positional).
    const args: string[] = [];
    const p = (v: string) => {
      args.push(v);
      return pg ? `$${args.length}` : '?';
    };
    const days = pg
      ? `(CAST(f."issuedOn" AS date) - CAST(c."startDate" AS date))`
      : `(julianday(f."issuedOn") - julianday(c."startDate"))`;
    // The officer on the day of issue, packed in one value: "k<id>" from the history, "b<id>" from its
    // backfill row, "n<id>" without a row (the officer now); "<flag>" alone: no officer.
    const flag = (h: string) =>
      `CASE WHEN ${h}."beforeHistory" THEN 'b' ELSE 'k' END || COALESCE(${h}."officerId", '')`;
    const fallback = `'n' || COALESCE(c."ownerId", '')`;
    // Cost (docs/web.md "Timeliness"). The issue events are read from the index [kind, caseId, occurredOn]
    // alone, in case order. The plan's first issue is on or before `to` exactly when one of its issue
    // events is, so that bound filters the events; only `from` is left on the grouped MIN (with both on
    // it, PostgreSQL estimated ~40 plans of 10,000 and probed "Case" by id once a plan).
    // PostgreSQL: each history row is made the span [fromOn, next row's fromOn) by a window over the index
    // [caseId, fromOn, officerId, beforeHistory] read in its order (one pass, no sort; one row a case and
    // day, so the spans do not overlap) and joined to the plans by case (a hash join): one plan, at most
    // one span. A probe of the index per plan cost 3 page reads a plan (30,000 for 10,000 plans) and an
    // executor restart each. SQLite keeps the probe (one backward read of that index): the spans measured
    // 1.5x slower there (it builds a temporary index on them for the join). Its per-plan values are a
    // subquery of their own, kept from being merged into the GROUP BY (LIMIT -1), whose plan otherwise held
    // the probe twice.
    const held = pg
      ? `COALESCE(h."held", ${fallback})`
      : `COALESCE((SELECT ${flag('h')} FROM "CaseAssignment" h WHERE h."caseId" = f."caseId" AND h."fromOn" <= f."issuedOn"
        ORDER BY h."fromOn" DESC LIMIT 1), ${fallback})`;
    const spans = pg
      ? `
        LEFT JOIN (SELECT h."caseId" AS "caseId", h."fromOn" AS "fromOn", ${flag('h')} AS "held",
              LEAD(h."fromOn") OVER (PARTITION BY h."caseId" ORDER BY h."fromOn") AS "toOn"
            FROM "CaseAssignment" h) h
          ON h."caseId" = f."caseId" AND h."fromOn" <= f."issuedOn" AND (h."toOn" IS NULL OR h."toOn" > f."issuedOn")`
      : '';
    const plans = `SELECT substr(f."issuedOn", 1, 7) AS "month", ${held} AS "held",
          CASE WHEN ${days} <= ${WEEKS_20_DAYS} THEN 1 ELSE 0 END AS "within",
          CASE WHEN EXISTS (SELECT 1 FROM "CaseException" x WHERE x."caseId" = c."id" AND x."ruleId" = 'E7') THEN 1 ELSE 0 END AS "exception"
        FROM (SELECT e."caseId" AS "caseId", MIN(e."occurredOn") AS "issuedOn" FROM "CaseEvent" e
              WHERE e."kind" = 'final_plan_issued' AND e."occurredOn" <= ${p(to)} GROUP BY e."caseId") f
        JOIN "Case" c ON c."id" = f."caseId"${spans}
        WHERE c."orgId" = ${p(orgId)} AND c."kind" = 'EHC_NEEDS_ASSESSMENT' AND f."issuedOn" >= ${p(from)}${pg ? '' : ' LIMIT -1'}`;
    // Grouped by month and officer only, the flags counted in each group (a quarter of the groups, and of
    // the sort's keys, of grouping by all four); each row is opened out into its PlanGroups below.
    const rows = await this.db.$queryRawUnsafe<
      {
        month: string;
        held: string;
        ownerName: string | null;
        n: number | bigint;
        within: number | bigint;
        exceptions: number | bigint;
        withinExceptions: number | bigint;
      }[]
    >(
      `SELECT g."month" AS "month", g."held" AS "held", s."displayName" AS "ownerName", g."n" AS "n",
        g."within" AS "within", g."exceptions" AS "exceptions", g."withinExceptions" AS "withinExceptions"
      FROM (
        SELECT a."month" AS "month", a."held" AS "held", COUNT(*) AS "n", SUM(a."within") AS "within",
          SUM(a."exception") AS "exceptions", SUM(a."within" * a."exception") AS "withinExceptions"
        FROM (${plans}) a
        GROUP BY 1, 2
      ) g LEFT JOIN "Staff" s ON s."id" = substr(g."held", 2)`,
      ...args,
    );
    const out: PlanGroup[] = [];
    for (const r of rows) {
      const n = Number(r.n);
      const w = Number(r.within);
      const x = Number(r.exceptions);
      const wx = Number(r.withinExceptions);
      const group = {
        month: r.month,
        officerId: r.held.length > 1 ? r.held.slice(1) : null,
        officerName: r.ownerName,
        beforeHistory: !r.held.startsWith('k'),
      };
      const counts: [boolean, boolean, number][] = [
        [true, true, wx],
        [true, false, w - wx],
        [false, true, x - wx],
        [false, false, n - w - x + wx],
      ];
      for (const [within, exception, k] of counts) if (k > 0) out.push({ ...group, within, exception, n: k });
    }
    return out;
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
