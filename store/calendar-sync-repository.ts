/**
 * Upserts for calendar syncs (ICS feeds, Microsoft Graph): meetings by (org, source, externalId) and term
 * dates by (org, kind, start, end). A row whose sourceHash is unchanged is not touched, so a re-sync of the
 * same feed writes nothing. Meetings that vanish from their source inside the synced window are marked
 * CANCELLED (never deleted: notes and reminders may hang off them).
 */
import type { Db, Tx } from './db.ts';

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

const BATCH = 100;

export class CalendarSyncRepository {
  constructor(private readonly db: Db) {}

  async studentsForMatching(orgId: string) {
    return this.db.student.findMany({
      where: { orgId },
      select: { id: true, upn: true, givenName: true, familyName: true },
    });
  }

  async upsertMeetings(
    orgId: string,
    source: string,
    meetings: MeetingUpsert[],
    window: { from: Date; to: Date } | null,
  ): Promise<SyncCounts> {
    const counts: SyncCounts = { created: 0, updated: 0, unchanged: 0, cancelled: 0, changedIds: [] };
    const staff = await this.db.staff.findMany({ where: { orgId }, select: { id: true, email: true } });
    const staffByEmail = new Map(staff.map((s) => [s.email.toLowerCase(), s.id]));
    for (let i = 0; i < meetings.length; i += BATCH) {
      const batch = meetings.slice(i, i + BATCH);
      await this.db.$transaction(async (tx) => {
        for (const m of batch) await this.upsertOne(tx, orgId, source, m, staffByEmail, counts);
      });
    }
    if (window) {
      const seen = new Set(meetings.map((m) => m.externalId));
      const present = await this.db.meeting.findMany({
        where: {
          orgId,
          source,
          status: 'SCHEDULED',
          startsAt: { lt: window.to },
          endsAt: { gt: window.from },
        },
        select: { id: true, externalId: true },
      });
      const gone = present.filter((p) => !seen.has(p.externalId));
      if (gone.length > 0) {
        await this.db.meeting.updateMany({
          where: { id: { in: gone.map((g) => g.id) } },
          data: { status: 'CANCELLED', sourceHash: null },
        });
        counts.cancelled += gone.length;
        counts.changedIds.push(...gone.map((g) => g.id));
      }
    }
    return counts;
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

  private async upsertOne(
    tx: Tx,
    orgId: string,
    source: string,
    m: MeetingUpsert,
    staffByEmail: Map<string, string>,
    counts: SyncCounts,
  ): Promise<void> {
    const existing = await tx.meeting.findUnique({
      where: { orgId_source_externalId: { orgId, source, externalId: m.externalId } },
      select: { id: true, sourceHash: true, studentId: true },
    });
    if (existing && existing.sourceHash === m.sourceHash) {
      counts.unchanged++;
      return;
    }
    const data = {
      kind: m.kind,
      titleEnc: m.titleEnc,
      startsAt: m.startsAt,
      endsAt: m.endsAt,
      joinUrl: m.joinUrl,
      organiserEmail: m.organiserEmail,
      status: m.cancelled ? ('CANCELLED' as const) : ('SCHEDULED' as const),
      sourceHash: m.sourceHash,
    };
    let id: string;
    if (existing) {
      // A confirmed link (UPN or coordinator) stays; a new suggestion only when nobody has confirmed one.
      const studentId = m.studentId ?? existing.studentId;
      await tx.meeting.update({
        where: { id: existing.id },
        data: { ...data, studentId, suggestedStudentId: studentId ? null : m.suggestedStudentId },
      });
      await tx.meetingAttendee.deleteMany({ where: { meetingId: existing.id } });
      id = existing.id;
      counts.updated++;
    } else {
      const row = await tx.meeting.create({
        data: {
          ...data,
          orgId,
          source,
          externalId: m.externalId,
          studentId: m.studentId,
          suggestedStudentId: m.studentId ? null : m.suggestedStudentId,
        },
        select: { id: true },
      });
      id = row.id;
      counts.created++;
    }
    const unique = new Map(m.attendees.map((a) => [a.email.toLowerCase(), a]));
    if (unique.size > 0) {
      await tx.meetingAttendee.createMany({
        data: [...unique.values()].map((a) => ({
          meetingId: id,
          email: a.email.toLowerCase(),
          optional: a.optional,
          staffId: staffByEmail.get(a.email.toLowerCase()) ?? null,
        })),
      });
    }
    counts.changedIds.push(id);
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
    const r = { created: 0, updated: 0, unchanged: 0, removed: 0 };
    await this.db.$transaction(async (tx) => {
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
    });
    return r;
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
