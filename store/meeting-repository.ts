/** Meetings as the reminder planner needs them: attendees who are staff, the student's initials. */
import type { MeetingForReminders } from '../core/reminders/plan-meeting-reminders.ts';
import { studentLabel } from '../core/students/student-label.ts';
import type { Db } from './db.ts';

export class MeetingRepository {
  constructor(private readonly db: Db) {}

  async forReminders(from: Date, to: Date, orgId?: string): Promise<MeetingForReminders[]> {
    const rows = await this.db.meeting.findMany({
      where: { startsAt: { gte: from, lte: to }, ...(orgId ? { orgId } : {}) },
      select: {
        id: true,
        orgId: true,
        kind: true,
        startsAt: true,
        joinUrl: true,
        status: true,
        student: { select: { givenName: true, familyName: true, yearGroup: true } },
        attendees: { select: { staffId: true } },
      },
      orderBy: { startsAt: 'asc' },
    });
    return rows.map((m) => ({
      id: m.id,
      orgId: m.orgId,
      kind: m.kind,
      startsAt: m.startsAt,
      joinUrl: m.joinUrl,
      studentLabel: m.student ? studentLabel(m.student) : null,
      attendeeStaffIds: [...new Set(m.attendees.map((a) => a.staffId).filter((s): s is string => !!s))],
      cancelled: m.status === 'CANCELLED',
    }));
  }

  /** Meetings whose pending reminders must be withdrawn: cancelled, or moved out of the planning window. */
  async idsChangedSince(since: Date): Promise<string[]> {
    const rows = await this.db.meeting.findMany({
      where: { updatedAt: { gte: since } },
      select: { id: true },
    });
    return rows.map((r) => r.id);
  }
}
