/**
 * Reads for the caseload timeline page (issue 17): one page of open cases, filtered and sorted in the
 * database (one query for the page's ids and the total, one read of those cases' owner, child, deadlines
 * and key dates), and the officers a list may be filtered by. Reads only; who may see which cases is
 * decided by core/access/policy.ts (`caseloadScope`, then `canViewCase` per row).
 */

import { jsonIds } from './case-planning-read.ts';
import type { Db, Provider } from './db.ts';

export type TimelineSort = 'next' | 'age' | 'officer';
/** late: an open deadline past its date (not a window) or one met late; paused; met: one met on time. */
export type TimelineStateFilter = 'late' | 'paused' | 'met';

export interface TimelineQuery {
  orgId: string;
  /** Owners whose cases are listed (absent: the whole organisation, for roles that see every case). */
  ownerIds?: string[];
  kind?: string;
  /** Kinds left out of the list unless the case's officer is `exceptOwnerId` (core/access caseloadScope). */
  restricted?: { kinds: string[]; exceptOwnerId: string };
  state?: TimelineStateFilter;
  /** Only these case ids (the at-risk filter, computed by the caller). */
  caseIds?: string[];
  sort: TimelineSort;
  today: string;
  /** Rule ids that are windows (never late). */
  windowRules: string[];
  offset: number;
  limit: number;
}

export interface TimelineCaseRow {
  id: string;
  orgId: string;
  kind: string;
  rulePack: string;
  reference: string | null;
  startDate: string;
  owner: { id: string; displayName: string; lineManagerId: string | null } | null;
  student: { givenName: string; familyName: string; yearGroup: string | null };
  deadlines: { ruleId: string; dueOn: string; status: string; metOn: string | null }[];
  events: { kind: string; occurredOn: string }[];
  /** Open and changed since the planner last ran (`planOn` ''): its deadlines are not computed yet. */
  unplanned: boolean;
}

/**
 * Each case's earliest open or paused deadline, as one grouped scan joined to the cases (a subquery per
 * case let SQLite pick the (status, dueOn) index for MIN and scan every deadline per case: 2.5 s at 1,000).
 */
const NEXT_DUE_JOIN = `LEFT JOIN (SELECT d."caseId" AS "caseId", MIN(d."dueOn") AS "nextDue" FROM "Deadline" d WHERE d."status" IN ('OPEN', 'PAUSED') GROUP BY d."caseId") n ON n."caseId" = c."id"`;
const NEXT_DUE = `COALESCE(n."nextDue", '9999-12-31')`;
/**
 * PostgreSQL: a subquery per case on the (caseId, ruleId) index. With `status IN (…)` its planner also read
 * the (status, dueOn) index for every case (BitmapAnd: 5,562 rows a case, 1.1 s at 2,000 cases); compared
 * as text, only the case's own few rows are read.
 */
const NEXT_DUE_PG = `COALESCE((SELECT MIN(d."dueOn") FROM "Deadline" d WHERE d."caseId" = c."id" AND CAST(d."status" AS TEXT) IN ('OPEN', 'PAUSED')), '9999-12-31')`;

export class TimelineRepository {
  constructor(
    private readonly db: Db,
    private readonly provider: Provider,
  ) {}

  /** The ids of one page of cases in the asked order, and how many cases match in all. */
  async pageIds(q: TimelineQuery): Promise<{ ids: string[]; total: number }> {
    const params: unknown[] = [];
    const p = (v: unknown) => {
      params.push(v);
      return this.provider === 'postgres' ? `$${params.length}` : '?';
    };
    const where = [`c."orgId" = ${p(q.orgId)}`, `c."status" = 'OPEN'`];
    // PostgreSQL: the owners as an array computed once (an IN over the set function re-ran it per case).
    if (q.ownerIds)
      where.push(
        this.provider === 'postgres'
          ? `c."ownerId" = ANY (ARRAY(SELECT json_array_elements_text(${p(JSON.stringify(q.ownerIds))}::json)))`
          : `c."ownerId" IN (${jsonIds(this.provider, p(JSON.stringify(q.ownerIds)))})`,
      );
    if (q.caseIds) where.push(`c."id" IN (${jsonIds(this.provider, p(JSON.stringify(q.caseIds)))})`);
    if (q.kind) where.push(`CAST(c."kind" AS TEXT) = ${p(q.kind)}`);
    if (q.restricted) {
      const kinds = jsonIds(this.provider, p(JSON.stringify(q.restricted.kinds)));
      where.push(
        `(CAST(c."kind" AS TEXT) NOT IN (${kinds}) OR COALESCE(c."ownerId", '') = ${p(q.restricted.exceptOwnerId)})`,
      );
    }
    if (q.state) {
      const d = (cond: string) => `EXISTS (SELECT 1 FROM "Deadline" d WHERE d."caseId" = c."id" AND ${cond})`;
      if (q.state === 'paused') where.push(d(`d."status" = 'PAUSED'`));
      else if (q.state === 'met') where.push(d(`d."status" = 'MET' AND d."metOn" <= d."dueOn"`));
      else {
        // Placeholders in text order (SQLite's "?" are positional): today, then the window rules.
        const today = p(q.today);
        const windows = `d."ruleId" NOT IN (${jsonIds(this.provider, p(JSON.stringify(q.windowRules)))})`;
        where.push(
          d(
            `((d."status" = 'OPEN' AND d."dueOn" < ${today} AND ${windows}) OR (d."status" = 'MET' AND d."metOn" > d."dueOn"))`,
          ),
        );
      }
    }
    const nextDue = this.provider === 'postgres' ? NEXT_DUE_PG : NEXT_DUE;
    const order =
      q.sort === 'age'
        ? `c."startDate", c."id"`
        : q.sort === 'officer'
          ? `COALESCE(s."displayName", '~'), ${nextDue}, c."id"`
          : `${nextDue}, c."id"`;
    const sql = `SELECT c."id" AS "id", COUNT(*) OVER () AS "total" FROM "Case" c LEFT JOIN "Staff" s ON s."id" = c."ownerId" ${q.sort === 'age' || this.provider === 'postgres' ? '' : NEXT_DUE_JOIN} WHERE ${where.join(' AND ')} ORDER BY ${order} LIMIT ${p(q.limit)} OFFSET ${p(q.offset)}`;
    const rows = await this.db.$queryRawUnsafe<{ id: string; total: bigint | number }[]>(sql, ...params);
    if (rows.length === 0 && q.offset > 0) {
      // Past the last page: the total still says how many there are.
      const first = await this.pageIds({ ...q, offset: 0, limit: 1 });
      return { ids: [], total: first.total };
    }
    return { ids: rows.map((r) => r.id), total: Number(rows[0]?.total ?? 0) };
  }

  /**
   * The page's cases with what the timeline draws, in the order of `ids`: three queries (cases with owner
   * and child, their deadlines, their key dates), not one round trip per relation.
   */
  async cases(ids: string[]): Promise<TimelineCaseRow[]> {
    if (ids.length === 0) return [];
    const p = this.provider === 'postgres' ? '$1' : '?';
    const idList = JSON.stringify(ids);
    const inIds = jsonIds(this.provider, p);
    const [rows, deadlines, events] = await Promise.all([
      this.db.$queryRawUnsafe<
        {
          id: string;
          orgId: string;
          kind: string;
          rulePack: string;
          reference: string | null;
          startDate: string;
          ownerId: string | null;
          ownerName: string | null;
          ownerManager: string | null;
          givenName: string;
          familyName: string;
          yearGroup: string | null;
          status: string;
          planOn: string;
        }[]
      >(
        `SELECT c."id" AS "id", c."orgId" AS "orgId", CAST(c."status" AS TEXT) AS "status", c."planOn" AS "planOn", CAST(c."kind" AS TEXT) AS "kind", c."rulePack" AS "rulePack",
          c."reference" AS "reference", c."startDate" AS "startDate", c."ownerId" AS "ownerId",
          o."displayName" AS "ownerName", o."lineManagerId" AS "ownerManager",
          s."givenName" AS "givenName", s."familyName" AS "familyName", s."yearGroup" AS "yearGroup"
        FROM "Case" c JOIN "Student" s ON s."id" = c."studentId" LEFT JOIN "Staff" o ON o."id" = c."ownerId"
        WHERE c."id" IN (${inIds})`,
        idList,
      ),
      this.db.$queryRawUnsafe<
        { caseId: string; ruleId: string; dueOn: string; status: string; metOn: string | null }[]
      >(
        `SELECT d."caseId" AS "caseId", d."ruleId" AS "ruleId", d."dueOn" AS "dueOn", CAST(d."status" AS TEXT) AS "status", d."metOn" AS "metOn"
        FROM "Deadline" d WHERE d."caseId" IN (${inIds})`,
        idList,
      ),
      this.db.$queryRawUnsafe<{ caseId: string; kind: string; occurredOn: string }[]>(
        `SELECT e."caseId" AS "caseId", e."kind" AS "kind", e."occurredOn" AS "occurredOn" FROM "CaseEvent" e WHERE e."caseId" IN (${inIds})`,
        idList,
      ),
    ]);
    const byId = new Map<string, TimelineCaseRow>();
    for (const r of rows)
      byId.set(r.id, {
        id: r.id,
        orgId: r.orgId,
        kind: r.kind,
        rulePack: r.rulePack,
        reference: r.reference,
        startDate: r.startDate,
        owner: r.ownerId
          ? { id: r.ownerId, displayName: r.ownerName ?? '', lineManagerId: r.ownerManager }
          : null,
        student: { givenName: r.givenName, familyName: r.familyName, yearGroup: r.yearGroup },
        deadlines: [],
        events: [],
        unplanned: r.status === 'OPEN' && r.planOn === '',
      });
    for (const d of deadlines)
      byId
        .get(d.caseId)
        ?.deadlines.push({ ruleId: d.ruleId, dueOn: d.dueOn, status: d.status, metOn: d.metOn });
    for (const e of events) byId.get(e.caseId)?.events.push({ kind: e.kind, occurredOn: e.occurredOn });
    return ids.flatMap((id) => byId.get(id) ?? []);
  }

  /**
   * The open EHC needs assessments in scope with their key dates and 20-week deadline (the at-risk
   * filter computes their risk): one query.
   */
  async openAssessments(
    orgId: string,
    ownerIds: string[] | undefined,
  ): Promise<
    {
      id: string;
      events: { kind: string; occurredOn: string }[];
      e7: { dueOn: string; status: string } | null;
    }[]
  > {
    const rows = await this.db.case.findMany({
      where: {
        orgId,
        status: 'OPEN',
        kind: 'EHC_NEEDS_ASSESSMENT',
        ...(ownerIds ? { ownerId: { in: ownerIds } } : {}),
      },
      select: {
        id: true,
        events: { select: { kind: true, occurredOn: true } },
        deadlines: { where: { ruleId: 'E7' }, select: { dueOn: true, status: true } },
      },
    });
    return rows.map((r) => ({ id: r.id, events: r.events, e7: r.deadlines[0] ?? null }));
  }

  /** Officers who may appear in the officer filter: the scope's owners, or every active member of staff. */
  async officers(
    orgId: string,
    ownerIds: string[] | undefined,
  ): Promise<{ id: string; displayName: string }[]> {
    return this.db.staff.findMany({
      where: {
        orgId,
        ...(ownerIds ? { id: { in: ownerIds } } : { casesOwned: { some: { status: 'OPEN' } } }),
      },
      select: { id: true, displayName: true },
      orderBy: { displayName: 'asc' },
    });
  }

  /** The active staff a manager line-manages (their team). */
  async reportIds(managerId: string): Promise<string[]> {
    const rows = await this.db.staff.findMany({
      where: { lineManagerId: managerId, active: true },
      select: { id: true },
    });
    return rows.map((r) => r.id);
  }
}
