/**
 * Reads for the DSL board (issue 17): an organisation's concerns with their pupil, filtered by status,
 * category and owner, and the ladder steps each has reached (from the audited step events). Read-only;
 * every state change stays in ConcernRepository, behind the safeguarding service.
 */
import type { ConcernStatus } from '../core/escalations/concern.ts';
import type { RotaLevel } from '../core/escalations/rota.ts';
import type { Db } from './db.ts';

export interface BoardConcernRecord {
  id: string;
  orgId: string;
  studentId: string | null;
  notOnRollNameEnc: string | null;
  notOnRollYear: string | null;
  raisedById: string | null;
  source: string;
  category: string;
  immediateRisk: boolean;
  occurredAt: Date;
  raisedAt: Date;
  status: ConcernStatus;
  acknowledgedById: string | null;
  acknowledgedAt: Date | null;
  ownerId: string | null;
  outcome: string | null;
  student: { givenName: string; familyName: string; yearGroup: string | null } | null;
}

export interface BoardQuery {
  /** 'open' = every status but CLOSED. */
  status: 'open' | ConcernStatus;
  category: string | null;
  /** A staff id, or 'none' for concerns nobody owns. */
  owner: string | null;
}

/** The audited ladder steps (ConcernLadder: concern.sent_to_dsl, concern.escalated, concern.resent). */
const STEP_ACTIONS = ['concern.sent_to_dsl', 'concern.escalated', 'concern.resent'];

/**
 * Every status but CLOSED, named so that the count reads only these ranges of the index (a record, so a new
 * status must be listed here or the build fails).
 */
const OPEN_STATUSES: Record<Exclude<ConcernStatus, 'CLOSED'>, true> = {
  RAISED: true,
  ACKNOWLEDGED: true,
  OWNED: true,
};
const OPEN = Object.keys(OPEN_STATUSES) as ConcernStatus[];

/** Concerns on one page of the board; the rest are on the next pages, never left out. */
export const BOARD_PAGE_SIZE = 100;

/** One page of the board, with the counts over every page. */
export interface BoardPage {
  records: BoardConcernRecord[];
  /** The concerns matching the filter, on every page. */
  total: number;
  /** Of those, the unacknowledged ones (status RAISED): they come first, on the first pages. */
  unacknowledged: number;
}

const boardSelect = {
  id: true,
  orgId: true,
  studentId: true,
  notOnRollNameEnc: true,
  notOnRollYear: true,
  raisedById: true,
  source: true,
  category: true,
  immediateRisk: true,
  occurredAt: true,
  raisedAt: true,
  status: true,
  acknowledgedById: true,
  acknowledgedAt: true,
  ownerId: true,
  outcome: true,
  student: { select: { givenName: true, familyName: true, yearGroup: true } },
} as const;

export class ConcernBoardRepository {
  constructor(private readonly db: Db) {}

  /**
   * Page `page` (from 1) of the organisation's concerns matching the filter, in the board's order:
   * unacknowledged first, then the others; each part the oldest first, ties by id. The same order on every
   * page, so each concern is on exactly one page. Two counts and at most three reads, each part in the order
   * of raisedAt and id (the status order differs between the providers, so it is not sorted on). Statuses
   * are named (`in`, never `not`/`notIn`), so both providers read only their ranges of the index on
   * (orgId, status, raisedAt, id): a count reads the index alone, the unacknowledged part and a single
   * status are read in the page's order and stop after it (docs/web.md "DSL board").
   */
  async page(orgId: string, q: BoardQuery, page: number, perPage = BOARD_PAGE_SIZE): Promise<BoardPage> {
    const where = {
      orgId,
      ...(q.category ? { category: q.category } : {}),
      ...(q.owner === 'none' ? { ownerId: null } : q.owner ? { ownerId: q.owner } : {}),
    };
    const status = q.status === 'open' ? { in: OPEN } : q.status;
    const unackPossible = q.status === 'open' || q.status === 'RAISED';
    const [total, unacknowledged] = await Promise.all([
      this.db.concern.count({ where: { ...where, status } }),
      unackPossible ? this.db.concern.count({ where: { ...where, status: 'RAISED' } }) : 0,
    ]);
    const skip = (Math.max(1, page) - 1) * perPage;
    const orderBy = [{ raisedAt: 'asc' as const }, { id: 'asc' as const }];
    const records: BoardConcernRecord[] = [];
    if (skip < unacknowledged)
      records.push(
        ...((await this.db.concern.findMany({
          where: { ...where, status: 'RAISED' },
          orderBy,
          skip,
          take: perPage,
          select: boardSelect,
        })) as BoardConcernRecord[]),
      );
    const left = perPage - records.length;
    if (left > 0 && skip + records.length < total) {
      const rest = {
        where: {
          ...where,
          status:
            q.status === 'open'
              ? { in: ['ACKNOWLEDGED' as const, 'OWNED' as const] }
              : q.status === 'RAISED'
                ? { in: [] }
                : q.status,
        },
        orderBy,
        skip: Math.max(0, skip - unacknowledged),
        take: left,
      };
      if (q.status === 'open') {
        // Two statuses are two ranges of the index, so the database sorts them: the ids first (from the
        // index alone when no other filter is set), then only the page's rows.
        const ids = (await this.db.concern.findMany({ ...rest, select: { id: true } })).map((r) => r.id);
        const rows = (await this.db.concern.findMany({
          where: { id: { in: ids } },
          select: boardSelect,
        })) as BoardConcernRecord[];
        const byId = new Map(rows.map((r) => [r.id, r]));
        for (const id of ids) {
          const r = byId.get(id);
          if (r) records.push(r);
        }
      } else
        records.push(
          ...((await this.db.concern.findMany({ ...rest, select: boardSelect })) as BoardConcernRecord[]),
        );
    }
    return { records, total, unacknowledged };
  }

  /**
   * The categories the organisation's concerns use (the board's category filter). Grouped by the database
   * (GROUP BY): `findMany({ distinct })` is de-duplicated by Prisma after reading every concern's row,
   * which was most of the page's time at 20,000 concerns.
   */
  async categories(orgId: string): Promise<string[]> {
    const rows = await this.db.concern.groupBy({
      by: ['category'],
      where: { orgId },
      orderBy: { category: 'asc' },
    });
    return rows.map((r) => r.category);
  }

  /** Each concern's ladder steps so far, in order, with the levels each went to. */
  async steps(
    concernIds: string[],
  ): Promise<Map<string, { step: number; levels: RotaLevel[]; resend: boolean }[]>> {
    const out = new Map<string, { step: number; levels: RotaLevel[]; resend: boolean }[]>();
    if (concernIds.length === 0) return out;
    const rows = await this.db.auditEvent.findMany({
      where: { subjectType: 'concern', subjectId: { in: concernIds }, action: { in: STEP_ACTIONS } },
      orderBy: { seq: 'asc' },
      select: { subjectId: true, action: true, details: true },
    });
    for (const r of rows) {
      const d = (r.details ?? {}) as { step?: unknown; levels?: unknown };
      const levels = Array.isArray(d.levels)
        ? d.levels.filter((l): l is RotaLevel => l === 'DSL' || l === 'DEPUTY_DSL' || l === 'HEAD')
        : [];
      const list = out.get(r.subjectId) ?? [];
      list.push({
        step: typeof d.step === 'number' ? d.step : list.length,
        levels,
        resend: r.action === 'concern.resent',
      });
      out.set(r.subjectId, list);
    }
    return out;
  }
}
