/**
 * Upserts for calendar syncs (ICS feeds, Microsoft Graph): meetings by (org, source, externalId) and term
 * dates by (org, kind, start, end). A row whose sourceHash is unchanged is not touched, so a re-sync of the
 * same feed writes nothing. Meetings that vanish from their source inside the synced window are marked
 * CANCELLED (never deleted: notes and reminders may hang off them).
 */
import { randomUUID } from 'node:crypto';
import type { Db, Provider, Tx } from './db.ts';
import type { BulkColumn } from './deadline-bulk.ts';
import { insertRows } from './sqlite-json-insert.ts';

export type MeetingKindDto =
  | 'TAC'
  | 'CIN'
  | 'CP_CONFERENCE'
  | 'EHCP_ANNUAL_REVIEW'
  | 'CPA'
  | 'PEP'
  | 'REINTEGRATION'
  | 'PANEL'
  | 'OTHER';

export interface MeetingUpsert {
  externalId: string;
  kind: MeetingKindDto;
  titleEnc: string | null;
  startsAt: Date;
  endsAt: Date;
  joinUrl: string | null;
  organiserEmail: string | null;
  cancelled: boolean;
  /** Linked by UPN (certain). A coordinator's earlier confirmation is never overwritten by null. */
  studentId: string | null;
  /** Named by the event, waiting for a coordinator. */
  suggestedStudentId: string | null;
  attendees: { email: string; optional: boolean }[];
  /** Hash of the plaintext fields, so unchanged events are skipped without decrypting. */
  sourceHash: string;
}

export interface TermDateUpsert {
  kind: 'TERM' | 'INSET' | 'CLOSURE';
  startDate: string;
  endDate: string;
  label: string | null;
}

export interface SyncCounts {
  created: number;
  updated: number;
  unchanged: number;
  cancelled: number;
  changedIds: string[];
}

/** Rows per statement batch (well under SQLite's and PostgreSQL's bound-parameter limits). */
const BATCH = 500;

/** Time one feed's transaction may take (100,000 events write in well under a minute). */
const FEED_TX_TIMEOUT_MS = 10 * 60_000;
/** How long to wait for another writer (the running hub, another import) before starting. */
const FEED_TX_MAX_WAIT_MS = 120_000;

export class CalendarSyncRepository {
  /** With `provider`, new rows go in as one JSON-parameter statement per batch (store/deadline-bulk.ts). */
  constructor(
    private readonly db: Db,
    private readonly provider?: Provider,
  ) {}

  async studentsForMatching(orgId: string) {
    return this.db.student.findMany({
      where: { orgId },
      select: { id: true, upn: true, givenName: true, familyName: true },
    });
  }

  /**
   * One source's sync as one transaction: every write `fn` makes through the writer lands, or none does.
   * On SQLite the write lock is taken first (so a concurrent writer makes it wait on the busy timeout, never
   * fail half-way on a stale snapshot).
   */
  async inFeedTransaction<T>(orgId: string, source: string, fn: (w: FeedWriter) => Promise<T>): Promise<T> {
    return this.db.$transaction(
      async (tx) => {
        // A write first: SQLite takes its write lock now (waiting on the busy timeout), not at the first
        // insert, where a snapshot older than another process's commit would fail with SQLITE_BUSY at once.
        await tx.$executeRawUnsafe('UPDATE "Meeting" SET "id" = "id" WHERE 1 = 0');
        const staff = await tx.staff.findMany({ where: { orgId }, select: { id: true, email: true } });
        // A source with nothing stored yet (a first import): no batch has stored rows to diff against and
        // nothing can be absent, so neither is read.
        const stored = await tx.meeting.findFirst({ where: { orgId, source }, select: { id: true } });
        const w = new FeedWriter(
          tx,
          orgId,
          source,
          new Map(staff.map((s) => [s.email.toLowerCase(), s.id])),
          this.provider,
          stored === null,
        );
        return fn(w);
      },
      { timeout: FEED_TX_TIMEOUT_MS, maxWait: FEED_TX_MAX_WAIT_MS },
    );
  }

  async upsertMeetings(
    orgId: string,
    source: string,
    meetings: MeetingUpsert[],
    window: { from: Date; to: Date } | null,
  ): Promise<SyncCounts> {
    return this.inFeedTransaction(orgId, source, async (w) => {
      for (let i = 0; i < meetings.length; i += BATCH) await w.upsertBatch(meetings.slice(i, i + BATCH));
      if (window) await w.cancelAbsent(window);
      return w.counts;
    });
  }

  /** Cancel specific meetings of a source (Graph delta "@removed"). */
  async cancelMeetings(orgId: string, source: string, externalIds: string[]): Promise<string[]> {
    if (externalIds.length === 0) return [];
    const rows = await this.db.meeting.findMany({
      where: { orgId, source, externalId: { in: externalIds }, status: 'SCHEDULED' },
      select: { id: true },
    });
    await this.db.meeting.updateMany({
      where: { id: { in: rows.map((r) => r.id) } },
      data: { status: 'CANCELLED', sourceHash: null },
    });
    return rows.map((r) => r.id);
  }

  /**
   * Term dates from one source. With `prune`, rows of the same source that the feed no longer lists
   * (inside the window of dates it covers) are removed: the feed is that source's whole truth.
   */
  async upsertTermDates(
    orgId: string,
    source: string,
    rows: TermDateUpsert[],
    prune: { from: string; to: string } | null,
  ): Promise<{ created: number; updated: number; unchanged: number; removed: number }> {
    return this.db.$transaction((tx) => upsertTermDatesIn(tx, orgId, source, rows, prune));
  }

  /** Every term date of one organisation, from all its calendars (for the import report's summary). */
  termDatesOf(orgId: string) {
    return this.db.termDate.findMany({
      where: { orgId },
      select: { kind: true, startDate: true, endDate: true, label: true },
      orderBy: { startDate: 'asc' },
    });
  }

  /** Meetings whose student was only suggested (by a name in the title), soonest first. */
  async suggestions(orgId: string, from: Date, limit = 10) {
    return this.db.meeting.findMany({
      where: { orgId, suggestedStudentId: { not: null }, studentId: null, startsAt: { gte: from } },
      select: { id: true, kind: true, startsAt: true, suggestedStudentId: true },
      orderBy: { startsAt: 'asc' },
      take: limit,
    });
  }

  async studentForLabel(id: string) {
    return this.db.student.findUnique({
      where: { id },
      select: { givenName: true, familyName: true, yearGroup: true },
    });
  }

  async meetingOrg(id: string): Promise<string | null> {
    return (await this.db.meeting.findUnique({ where: { id }, select: { orgId: true } }))?.orgId ?? null;
  }

  /** A coordinator confirms (or rejects) the suggested student of a meeting. */
  async confirmSuggestedStudent(
    meetingId: string,
    accept: boolean,
  ): Promise<{ orgId: string; studentId: string | null } | null> {
    const m = await this.db.meeting.findUnique({
      where: { id: meetingId },
      select: { orgId: true, suggestedStudentId: true },
    });
    if (!m?.suggestedStudentId) return null;
    const studentId = accept ? m.suggestedStudentId : null;
    await this.db.meeting.update({
      where: { id: meetingId },
      data: accept ? { studentId, suggestedStudentId: null } : { suggestedStudentId: null },
    });
    return { orgId: m.orgId, studentId };
  }
}

/** Term dates of one source inside a transaction; see CalendarSyncRepository.upsertTermDates. */
export async function upsertTermDatesIn(
  tx: Tx,
  orgId: string,
  source: string,
  rows: TermDateUpsert[],
  prune: { from: string; to: string } | null,
): Promise<{ created: number; updated: number; unchanged: number; removed: number }> {
  const r = { created: 0, updated: 0, unchanged: 0, removed: 0 };
  for (const t of rows) {
    const existing = await tx.termDate.findUnique({
      where: {
        orgId_kind_startDate_endDate: { orgId, kind: t.kind, startDate: t.startDate, endDate: t.endDate },
      },
      select: { id: true, label: true, source: true },
    });
    if (!existing) {
      await tx.termDate.create({ data: { orgId, source, ...t } });
      r.created++;
    } else if (existing.label !== t.label || existing.source !== source) {
      await tx.termDate.update({ where: { id: existing.id }, data: { label: t.label, source } });
      r.updated++;
    } else r.unchanged++;
  }
  if (prune) {
    const keep = new Set(rows.map((t) => `${t.kind}|${t.startDate}|${t.endDate}`));
    const mine = await tx.termDate.findMany({
      where: { orgId, source, startDate: { gte: prune.from, lte: prune.to } },
      select: { id: true, kind: true, startDate: true, endDate: true },
    });
    const stale = mine.filter((t) => !keep.has(`${t.kind}|${t.startDate}|${t.endDate}`));
    if (stale.length > 0) {
      await tx.termDate.deleteMany({ where: { id: { in: stale.map((s) => s.id) } } });
      r.removed = stale.length;
    }
  }
  return r;
}

/**
 * Writes one source's meetings inside its transaction, a batch at a time: one read of the batch's existing
 * rows, one insert of its new rows, one insert of their attendees; only changed rows are updated one by one.
 */
export class FeedWriter {
  readonly counts: SyncCounts = { created: 0, updated: 0, unchanged: 0, cancelled: 0, changedIds: [] };
  /** Every externalId written or found unchanged in this sync (what the feed still holds). */
  private readonly seen = new Set<string>();

  constructor(
    readonly tx: Tx,
    private readonly orgId: string,
    private readonly source: string,
    private readonly staffByEmail: Map<string, string>,
    private readonly provider?: Provider,
    /** The source had no meetings when the transaction began. */
    private readonly firstSync = false,
  ) {}

  async upsertBatch(meetings: MeetingUpsert[]): Promise<void> {
    const { tx, orgId, source } = this;
    const fresh = meetings.filter((m) => !this.seen.has(m.externalId));
    for (const m of fresh) this.seen.add(m.externalId);
    if (fresh.length === 0) return;
    const existing = this.firstSync
      ? []
      : await tx.meeting.findMany({
          where: { orgId, source, externalId: { in: fresh.map((m) => m.externalId) } },
          select: { id: true, externalId: true, sourceHash: true, studentId: true },
        });
    const byId = new Map(existing.map((e) => [e.externalId, e]));
    const attendees: { meetingId: string; m: MeetingUpsert }[] = [];
    const created: MeetingUpsert[] = [];
    const replaced: string[] = [];
    for (const m of fresh) {
      const e = byId.get(m.externalId);
      if (!e) {
        created.push(m);
        continue;
      }
      if (e.sourceHash === m.sourceHash) {
        this.counts.unchanged++;
        continue;
      }
      // A confirmed link (UPN or coordinator) stays; a new suggestion only when nobody has confirmed one.
      const studentId = m.studentId ?? e.studentId;
      await tx.meeting.update({
        where: { id: e.id },
        data: { ...dataOf(m), studentId, suggestedStudentId: studentId ? null : m.suggestedStudentId },
      });
      replaced.push(e.id);
      attendees.push({ meetingId: e.id, m });
      this.counts.updated++;
      this.counts.changedIds.push(e.id);
    }
    if (created.length > 0) {
      const ids = await this.insertMeetings(created);
      created.forEach((m, i) => {
        const id = ids[i] as string;
        attendees.push({ meetingId: id, m });
        this.counts.changedIds.push(id);
      });
      this.counts.created += created.length;
    }
    if (replaced.length > 0) await tx.meetingAttendee.deleteMany({ where: { meetingId: { in: replaced } } });
    const data = attendees.flatMap(({ meetingId, m }) =>
      [...new Map(m.attendees.map((a) => [a.email.toLowerCase(), a])).values()].map((a) => ({
        meetingId,
        email: a.email.toLowerCase(),
        optional: a.optional,
        staffId: this.staffByEmail.get(a.email.toLowerCase()) ?? null,
      })),
    );
    if (this.provider) {
      const rows = data.map((a) => ({ id: randomUUID(), ...a }));
      await insertRows(this.tx, this.provider, 'MeetingAttendee', ATTENDEE_COLUMNS, rows, BATCH);
    } else
      for (let i = 0; i < data.length; i += BATCH)
        await tx.meetingAttendee.createMany({ data: data.slice(i, i + BATCH) });
  }

  /** New meetings, in order; their ids. */
  private async insertMeetings(created: MeetingUpsert[]): Promise<string[]> {
    const { tx, orgId, source } = this;
    const rowOf = (m: MeetingUpsert) => ({
      ...dataOf(m),
      orgId,
      source,
      externalId: m.externalId,
      studentId: m.studentId,
      suggestedStudentId: m.studentId ? null : m.suggestedStudentId,
    });
    if (this.provider) {
      const now = new Date();
      const rows = created.map((m) => ({ id: randomUUID(), ...rowOf(m), createdAt: now, updatedAt: now }));
      await insertRows(tx, this.provider, 'Meeting', MEETING_COLUMNS, rows, BATCH);
      return rows.map((r) => r.id);
    }
    const rows = await tx.meeting.createManyAndReturn({
      data: created.map(rowOf),
      select: { id: true, externalId: true },
    });
    const idOf = new Map(rows.map((r) => [r.externalId, r.id]));
    return created.map((m) => idOf.get(m.externalId) as string);
  }

  /** Meetings of this source inside the window that the feed no longer holds are marked CANCELLED. */
  async cancelAbsent(window: { from: Date; to: Date }): Promise<void> {
    if (this.firstSync) return;
    const present = await this.tx.meeting.findMany({
      where: {
        orgId: this.orgId,
        source: this.source,
        status: 'SCHEDULED',
        startsAt: { lt: window.to },
        endsAt: { gt: window.from },
      },
      select: { id: true, externalId: true },
    });
    const gone = present.filter((p) => !this.seen.has(p.externalId)).map((g) => g.id);
    for (let i = 0; i < gone.length; i += BATCH)
      await this.tx.meeting.updateMany({
        where: { id: { in: gone.slice(i, i + BATCH) } },
        data: { status: 'CANCELLED', sourceHash: null },
      });
    this.counts.cancelled += gone.length;
    this.counts.changedIds.push(...gone);
  }
}

function dataOf(m: MeetingUpsert) {
  return {
    kind: m.kind,
    titleEnc: m.titleEnc,
    startsAt: m.startsAt,
    endsAt: m.endsAt,
    joinUrl: m.joinUrl,
    organiserEmail: m.organiserEmail,
    status: m.cancelled ? ('CANCELLED' as const) : ('SCHEDULED' as const),
    sourceHash: m.sourceHash,
  };
}

const MEETING_COLUMNS: BulkColumn[] = [
  { name: 'id', type: 'text' },
  { name: 'orgId', type: 'text' },
  { name: 'source', type: 'text' },
  { name: 'externalId', type: 'text' },
  { name: 'kind', type: 'enum', enumName: 'MeetingKind' },
  { name: 'titleEnc', type: 'text' },
  { name: 'startsAt', type: 'timestamp' },
  { name: 'endsAt', type: 'timestamp' },
  { name: 'joinUrl', type: 'text' },
  { name: 'organiserEmail', type: 'text' },
  { name: 'studentId', type: 'text' },
  { name: 'suggestedStudentId', type: 'text' },
  { name: 'status', type: 'enum', enumName: 'MeetingStatus' },
  { name: 'sourceHash', type: 'text' },
  { name: 'createdAt', type: 'timestamp' },
  { name: 'updatedAt', type: 'timestamp' },
];

const ATTENDEE_COLUMNS: BulkColumn[] = [
  { name: 'id', type: 'text' },
  { name: 'meetingId', type: 'text' },
  { name: 'email', type: 'text' },
  { name: 'staffId', type: 'text' },
  { name: 'optional', type: 'bool' },
];
