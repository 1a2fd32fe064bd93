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

/** A board is for a school's open concerns; more than this many at once is a list to filter. */
export const BOARD_LIMIT = 500;

export class ConcernBoardRepository {
  constructor(private readonly db: Db) {}

  async list(orgId: string, q: BoardQuery, limit = BOARD_LIMIT): Promise<BoardConcernRecord[]> {
    const rows = await this.db.concern.findMany({
      where: {
        orgId,
        ...(q.status === 'open' ? { status: { not: 'CLOSED' } } : { status: q.status }),
        ...(q.category ? { category: q.category } : {}),
        ...(q.owner === 'none' ? { ownerId: null } : q.owner ? { ownerId: q.owner } : {}),
      },
      orderBy: [{ raisedAt: 'asc' }, { id: 'asc' }],
      take: limit,
      select: {
        id: true,
        orgId: true,
        studentId: true,
        notOnRollNameEnc: true,
        notOnRollYear: true,
        raisedById: true,
        source: true,
        category: true,
        immediateRisk: true,
        raisedAt: true,
        status: true,
        acknowledgedById: true,
        acknowledgedAt: true,
        ownerId: true,
        outcome: true,
        student: { select: { givenName: true, familyName: true, yearGroup: true } },
      },
    });
    return rows as BoardConcernRecord[];
  }

  /** The categories the organisation's concerns use (the board's category filter). */
  async categories(orgId: string): Promise<string[]> {
    const rows = await this.db.concern.findMany({
      where: { orgId },
      distinct: ['category'],
      select: { category: true },
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
