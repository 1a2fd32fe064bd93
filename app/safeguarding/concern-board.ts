/**
 * The DSL board and a concern's chronology document (issue 17): the reads behind the web pages, decided by
 * core/access/policy.ts and audited. Acknowledge and take ownership go through ConcernService.acknowledge
 * (the chat's path), the record through ConcernService.recordView (the chat's Open record): one path each.
 */
import { canViewConcern, canViewConcernBoard, require } from '../../core/access/policy.ts';
import { NotFoundError } from '../../core/errors.ts';
import {
  type BoardFilter,
  type BoardRow,
  boardRows,
  statusLabels,
} from '../../core/escalations/concern-board.ts';
import {
  type ChronologyDocument,
  type ChronologyLine,
  chronologyLines,
  chronologyMarkdown,
  viewers,
} from '../../core/escalations/concern-chronology.ts';
import { concernRef } from '../../core/escalations/concern-messages.ts';
import { yearLabel } from '../../core/escalations/not-on-roll.ts';
import type { Actor } from '../../core/ports.ts';
import { SAFEGUARDING_ROLES } from '../../core/staff/roles.ts';
import { studentLabel } from '../../core/students/student-label.ts';
import { BOARD_PAGE_SIZE, ConcernBoardRepository } from '../../store/concern-board-repository.ts';
import type { Hub } from '../container.ts';
import { markdownToPdf } from '../meetings/tac-export.ts';
import { NOT_ON_ROLL_CONTEXT } from './concern-core.ts';
import type { ConcernRecord } from './concern-outcome.ts';
import type { ConcernService } from './concern-service.ts';

export interface BoardView {
  rows: BoardRow[];
  categories: string[];
  /** The safeguarding leads (the owner filter's choices). */
  owners: { id: string; name: string }[];
  /** Unacknowledged concerns matching the filter, on every page. */
  unacknowledged: number;
  /** Concerns matching the filter, on every page; this page shows rows `from` to `to` of them (from 1). */
  total: number;
  page: number;
  perPage: number;
  from: number;
  to: number;
}

export interface ChronologyView {
  record: ConcernRecord;
  ref: string;
  child: string;
  statusLabel: string;
  owner: string;
  acknowledged: string;
  lines: ChronologyLine[];
  viewedBy: { who: string; at: string; what: string }[];
}

export class ConcernBoard {
  private readonly reads: ConcernBoardRepository;

  constructor(
    private readonly hub: Hub,
    private readonly service: ConcernService,
  ) {
    this.reads = new ConcernBoardRepository(hub.dbh.db);
  }

  /**
   * One page (from 1) of the organisation's concerns for the board, with the counts over every page; the
   * viewing is audited with the page and the counts (the list names each child).
   */
  async board(actor: Actor, filter: BoardFilter, page = 1): Promise<BoardView> {
    require(canViewConcernBoard(actor), 'see the safeguarding board');
    const staff = await this.hub.staff.all(actor.orgId);
    const byId = new Map(staff.map((s) => [s.id, s]));
    const { records, total, unacknowledged } = await this.reads.page(actor.orgId, filter, page);
    const steps = await this.reads.steps(records.map((r) => r.id));
    const rows = boardRows(
      records.map((r) => {
        const name = r.notOnRollNameEnc
          ? this.hub.cipher.decrypt(r.notOnRollNameEnc, NOT_ON_ROLL_CONTEXT)
          : null;
        return {
          id: r.id,
          category: r.category,
          immediateRisk: r.immediateRisk,
          occurredAt: r.occurredAt,
          raisedAt: r.raisedAt,
          status: r.status,
          source: r.source,
          raiserRoles: r.raisedById ? (byId.get(r.raisedById)?.roles ?? ['STAFF']) : null,
          child: r.student
            ? `${r.student.givenName} ${r.student.familyName} ${studentLabel(r.student).replace(/^\S+\s?/, '')}`.trim()
            : `${name ?? 'name not given'} (not on roll${r.notOnRollYear ? `, ${yearLabel(r.notOnRollYear)}` : ''})`,
          ownerId: r.ownerId,
          ownerName: r.ownerId ? (byId.get(r.ownerId)?.displayName ?? 'someone') : null,
          acknowledgedByName: r.acknowledgedById
            ? (byId.get(r.acknowledgedById)?.displayName ?? 'someone')
            : null,
          acknowledgedAt: r.acknowledgedAt,
          outcome: r.outcome,
          steps: steps.get(r.id) ?? [],
        };
      }),
      this.hub.clock.now(),
    );
    await this.hub.audit.record({
      orgId: actor.orgId,
      actorId: actor.staffId,
      actorKind: 'staff',
      action: 'concern.board_viewed',
      subjectType: 'concern_board',
      subjectId: actor.orgId,
      channel: 'WEB',
      details: {
        status: filter.status,
        filtered: !!(filter.category || filter.owner),
        page,
        count: rows.length,
        total,
      },
    });
    return {
      rows,
      categories: await this.reads.categories(actor.orgId),
      owners: staff
        .filter((s) => s.active && s.roles.some((r) => SAFEGUARDING_ROLES.includes(r)))
        .map((s) => ({ id: s.id, name: s.displayName })),
      unacknowledged,
      total,
      page,
      perPage: BOARD_PAGE_SIZE,
      from: rows.length ? (page - 1) * BOARD_PAGE_SIZE + 1 : 0,
      to: rows.length ? (page - 1) * BOARD_PAGE_SIZE + rows.length : 0,
    };
  }

  /** A concern of the actor's organisation by its reference (C-1A2B3C); NotFoundError otherwise. */
  async find(actor: Actor, ref: string): Promise<string> {
    const c = await this.service.concerns.byRef(actor.orgId, ref);
    if (!c || !canViewConcern(actor, c)) throw new NotFoundError('Concern', ref.slice(0, 20));
    return c.id;
  }

  /** The chronology page: the record through the chat's audited path (`concern.record_viewed`, via WEB). */
  async chronology(actor: Actor, id: string): Promise<ChronologyView> {
    const record = await this.service.recordView(actor, id, 'WEB');
    const c = record.concern;
    const names = new Map((await this.hub.staff.all(actor.orgId)).map((s) => [s.id, s.displayName]));
    const events = record.chronology;
    return {
      record,
      ref: concernRef(id),
      child: record.notOnRoll
        ? `${record.studentName} (not on roll)`
        : `${record.studentName} ${record.studentLabel.replace(/^\S+\s?/, '')}`.trim(),
      statusLabel: statusLabels[c.status],
      owner: c.ownerId ? (names.get(c.ownerId) ?? 'someone') : 'none',
      acknowledged: c.acknowledgedById
        ? `by ${names.get(c.acknowledgedById) ?? 'someone'} at ${this.fmt(c.acknowledgedAt ?? c.raisedAt)}`
        : 'not yet',
      lines: chronologyLines(events),
      viewedBy: viewers(events),
    };
  }

  /** The PDF for a child-protection conference; the download is audited (`concern.chronology_exported`). */
  async pdf(actor: Actor, id: string): Promise<Buffer> {
    const v = await this.chronology(actor, id);
    const c = v.record.concern;
    await this.hub.audit.record({
      orgId: c.orgId,
      actorId: actor.staffId,
      actorKind: 'staff',
      action: 'concern.chronology_exported',
      subjectType: 'concern',
      subjectId: id,
      studentId: c.studentId,
      channel: 'WEB',
      details: { format: 'pdf', includeText: true },
    });
    const doc: ChronologyDocument = {
      ref: v.ref,
      child: v.child,
      category: c.category,
      immediateRisk: c.immediateRisk,
      occurredAt: this.fmt(c.occurredAt),
      raisedAt: this.fmt(c.raisedAt),
      raisedBy: v.record.raisedBy,
      status: v.statusLabel,
      owner: v.owner,
      outcome: v.record.outcome ?? 'pending',
      text: v.record.text,
      actionsTaken: v.record.actionsTaken,
      lines: v.lines,
      viewedBy: v.viewedBy,
      producedAt: this.fmt(this.hub.clock.now()),
      fmt: (iso) => this.fmt(new Date(iso)),
    };
    return markdownToPdf(chronologyMarkdown(doc), `Safeguarding concern ${v.ref}: chronology`);
  }

  /** "7 Dec 2026, 10:15" in the hub's time zone. */
  fmt(d: Date): string {
    return new Intl.DateTimeFormat('en-GB', {
      timeZone: this.hub.config.env.TIME_ZONE,
      dateStyle: 'medium',
      timeStyle: 'short',
    }).format(d);
  }
}
