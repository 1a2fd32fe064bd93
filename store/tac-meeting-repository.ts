/**
 * The meeting side of TAC notes: the facts about a meeting that decide who writes its notes, the ended
 * meetings still waiting for notes, and the meeting reminders the planner withdraws or cancels (split from
 * tac-note-repository.ts, which keeps the notes, their revisions and their actions).
 */

import type { MeetingForReminders } from '../core/reminders/plan-meeting-reminders.ts';
import { studentLabel } from '../core/students/student-label.ts';
import type { Db } from './db.ts';
import { MeetingRepository } from './meeting-repository.ts';

export interface MeetingFacts {
  id: string;
  orgId: string;
  kind: string;
  startsAt: Date;
  endsAt: Date;
  status: string;
  studentId: string | null;
  studentLabel: string | null;
  keyWorkerId: string | null;
  attendeeStaffIds: string[];
  organiserStaffId: string | null;
  noteTakerId: string | null;
}

const meetingSelect = {
  id: true,
  orgId: true,
  kind: true,
  startsAt: true,
  endsAt: true,
  status: true,
  joinUrl: true,
  organiserEmail: true,
  noteTakerId: true,
  studentId: true,
  student: { select: { givenName: true, familyName: true, yearGroup: true, keyWorkerId: true } },
  attendees: { select: { staffId: true } },
  tacNotes: { select: { status: true } },
} as const;

export class TacMeetingRepository {
  constructor(private readonly db: Db) {}

  /** Staff ids by lower-case email, per organisation (organisers are matched by email). */
  private async organiserIds(
    rows: { orgId: string; organiserEmail: string | null }[],
  ): Promise<Map<string, string>> {
    const emails = [
      ...new Set(rows.map((r) => r.organiserEmail?.toLowerCase()).filter((e): e is string => !!e)),
    ];
    if (emails.length === 0) return new Map();
    const staff = await this.db.staff.findMany({
      where: { email: { in: emails }, active: true },
      select: { id: true, orgId: true, email: true },
    });
    return new Map(staff.map((s) => [`${s.orgId}:${s.email.toLowerCase()}`, s.id]));
  }

  async meeting(id: string): Promise<MeetingFacts | null> {
    const m = await this.db.meeting.findUnique({ where: { id }, select: meetingSelect });
    if (!m) return null;
    const organisers = await this.organiserIds([m]);
    return {
      id: m.id,
      orgId: m.orgId,
      kind: m.kind,
      startsAt: m.startsAt,
      endsAt: m.endsAt,
      status: m.status,
      studentId: m.studentId,
      studentLabel: m.student ? studentLabel(m.student) : null,
      keyWorkerId: m.student?.keyWorkerId ?? null,
      attendeeStaffIds: [...new Set(m.attendees.map((a) => a.staffId).filter((s): s is string => !!s))],
      organiserStaffId: m.organiserEmail
        ? (organisers.get(`${m.orgId}:${m.organiserEmail.toLowerCase()}`) ?? null)
        : null,
      noteTakerId: m.noteTakerId,
    };
  }

  /** Ended, not cancelled meetings of the given kinds in the last `days`, without submitted notes, newest first. */
  async endedWithoutNotes(
    orgId: string,
    kinds: string[],
    now: Date,
    zone: string,
    days = 30,
  ): Promise<MeetingForReminders[]> {
    const rows = await this.db.meeting.findMany({
      where: {
        orgId,
        status: 'SCHEDULED',
        kind: { in: kinds as never[] },
        endsAt: { lte: now, gte: new Date(now.getTime() - days * 86_400_000) },
        tacNotes: { none: { status: 'SUBMITTED' } },
      },
      select: { id: true },
      orderBy: { endsAt: 'desc' },
    });
    const all = await new MeetingRepository(this.db).planning({ ids: rows.map((r) => r.id) }, zone);
    return rows.map((r) => all.find((m) => m.id === r.id)).filter((m): m is MeetingForReminders => !!m);
  }

  /**
   * Reminders of changed meetings already handed to the outbox but not yet sent (a retry, a throttled
   * channel): their messages are cancelled and the reminders marked CANCELLED, so a cancelled meeting is
   * not announced late and a moved one is re-planned with its new time (reconcile revives them).
   */
  async withdrawUndelivered(meetingIds: string[], kinds: string[]): Promise<number> {
    if (meetingIds.length === 0) return 0;
    const planned = await this.db.reminder.findMany({
      where: {
        subjectType: 'meeting',
        subjectId: { in: meetingIds },
        kind: { in: kinds },
        status: 'PLANNED',
      },
      select: { id: true },
    });
    let withdrawn = 0;
    for (const r of planned) {
      withdrawn += await this.db.$transaction(async (tx) => {
        const c = await tx.outboxMessage.updateMany({
          where: { reminderId: r.id, state: { in: ['PENDING', 'RETRYING'] } },
          data: { state: 'CANCELLED' },
        });
        if (c.count === 0) return 0;
        await tx.reminder.update({ where: { id: r.id }, data: { status: 'CANCELLED' } });
        return 1;
      });
    }
    return withdrawn;
  }

  /** Pending "next meeting" reminders from submitted notes, with their note's student (two queries). */
  async pendingNextMeetingReminders(): Promise<{ id: string; studentId: string; dueAt: Date }[]> {
    const rows = await this.db.reminder.findMany({
      where: { status: 'PENDING', kind: 'meeting_reminder', subjectType: 'tac_note' },
      select: { id: true, subjectId: true, dueAt: true },
    });
    if (rows.length === 0) return [];
    const notes = await this.db.tacNote.findMany({
      where: { id: { in: [...new Set(rows.map((r) => r.subjectId))] } },
      select: { id: true, studentId: true },
    });
    const student = new Map(notes.map((n) => [n.id, n.studentId]));
    return rows.flatMap((r) => {
      const studentId = student.get(r.subjectId);
      return studentId ? [{ id: r.id, studentId, dueAt: r.dueAt }] : [];
    });
  }

  async cancelPendingReminders(ids: string[]): Promise<number> {
    if (ids.length === 0) return 0;
    const r = await this.db.reminder.updateMany({
      where: { id: { in: ids }, status: 'PENDING' },
      data: { status: 'CANCELLED' },
    });
    return r.count;
  }

  /** The named officers of a child's open cases (TAC note recipients, core/tac-notes/tac-recipients.ts). */
  async caseOfficerIds(orgId: string, studentId: string): Promise<string[]> {
    return (await this.openCases(orgId, studentId)).officerIds;
  }

  /**
   * A child's open cases, read once for a TAC note's readers: their named officers (recipients) and their
   * kinds (a child-protection case makes the notes safeguarding information, core/access/policy.ts).
   */
  async openCases(orgId: string, studentId: string): Promise<{ officerIds: string[]; kinds: string[] }> {
    const rows = await this.db.case.findMany({
      where: { orgId, studentId, status: 'OPEN' },
      select: { ownerId: true, kind: true },
    });
    return {
      officerIds: [...new Set(rows.map((r) => r.ownerId).filter((id): id is string => !!id))],
      kinds: [...new Set(rows.map((r) => r.kind))],
    };
  }
}
