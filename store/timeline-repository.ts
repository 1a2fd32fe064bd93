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
}

const NEXT_DUE = `COALESCE((SELECT MIN(d."dueOn") FROM "Deadline" d WHERE d."caseId" = c."id" AND d."status" IN ('OPEN', 'PAUSED')), '9999-12-31')`;

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
    if (q.ownerIds) where.push(`c."ownerId" IN (${jsonIds(this.provider, p(JSON.stringify(q.ownerIds)))})`);
    if (q.caseIds) where.push(`c."id" IN (${jsonIds(this.provider, p(JSON.stringify(q.caseIds)))})`);
    if (q.kind) where.push(`CAST(c."kind" AS TEXT) = ${p(q.kind)}`);
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
    const order =
      q.sort === 'age'
        ? `c."startDate", c."id"`
        : q.sort === 'officer'
          ? `COALESCE(s."displayName", '~'), ${NEXT_DUE}, c."id"`
          : `${NEXT_DUE}, c."id"`;
    const sql = `SELECT c."id" AS "id", COUNT(*) OVER () AS "total" FROM "Case" c LEFT JOIN "Staff" s ON s."id" = c."ownerId" WHERE ${where.join(' AND ')} ORDER BY ${order} LIMIT ${p(q.limit)} OFFSET ${p(q.offset)}`;
    const rows = await this.db.$queryRawUnsafe<{ id: string; total: bigint | number }[]>(sql, ...params);
    if (rows.length === 0 && q.offset > 0) {
      // Past the last page: the total still says how many there are.
      const first = await this.pageIds({ ...q, offset: 0, limit: 1 });
      return { ids: [], total: first.total };
    }
    return { ids: rows.map((r) => r.id), total: Number(rows[0]?.total ?? 0) };
  }

  /** The page's cases with what the timeline draws, in the order of `ids`. */
  async cases(ids: string[]): Promise<TimelineCaseRow[]> {
    if (ids.length === 0) return [];
    const rows = await this.db.case.findMany({
      where: { id: { in: ids } },
      select: {
        id: true,
        orgId: true,
        kind: true,
        rulePack: true,
        reference: true,
        startDate: true,
        owner: { select: { id: true, displayName: true, lineManagerId: true } },
        student: { select: { givenName: true, familyName: true, yearGroup: true } },
        deadlines: { select: { ruleId: true, dueOn: true, status: true, metOn: true } },
        events: { select: { kind: true, occurredOn: true } },
      },
    });
    const byId = new Map(rows.map((r) => [r.id, r as TimelineCaseRow]));
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
