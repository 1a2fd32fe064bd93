/** Meetings as the reminder planner needs them: attendees who are staff, the student's initials. */

import { localDate } from '../core/calendar/zoned-time.ts';
import type { MeetingForReminders } from '../core/reminders/plan-meeting-reminders.ts';
import { studentLabel } from '../core/students/student-label.ts';
import type { Db } from './db.ts';

/** Ids per `IN (…)` list: SQLite's bound-parameter limit is far below a school's meeting count. */
const CHUNK = 500;

function chunks<T>(xs: T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += size) out.push(xs.slice(i, i + size));
  return out;
}

const planningSelect = {
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
  student: { select: { givenName: true, familyName: true, yearGroup: true } },
  attendees: { select: { staffId: true } },
  // No `take` here: Prisma does not split a relation load with `take` under SQLite's parameter limit.
  tacNotes: { where: { status: 'SUBMITTED' }, select: { id: true } },
} as const;

const counted = (table: string, where = '') =>
  [
    `(SELECT COUNT(*) FROM "${table}"${where}) AS "${table}_n"`,
    `(SELECT MAX("updatedAt") FROM "${table}"${where}) AS "${table}_at"`,
  ].join(', ');

/** Works unchanged on SQLite and PostgreSQL (quoted Prisma model names; no parameters). */
const FINGERPRINT_SQL = `SELECT ${[
  counted('Meeting'),
  `(SELECT COUNT(*) FROM "MeetingAttendee") AS "MeetingAttendee_n"`,
  counted('Student'),
  counted('Staff'),
  counted('TacNote'),
  `(SELECT COUNT(*) FROM "TacAction") AS "TacAction_n"`,
  `(SELECT COUNT(*) FROM "TacAction" WHERE "status" = 'OPEN') AS "TacAction_open"`,
  counted('Case'),
  counted('Deadline'),
  counted('Reminder', ` WHERE "subjectType" IN ('meeting', 'tac_note')`),
].join(', ')}`;

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

  /**
   * Meetings as the meetings planner (app/meetings) needs them, in a fixed number of set-based queries
   * whatever the window holds (ids in chunks): the meetings with attendees, organisers by email, and the
   * minimised context each reminder carries: open actions from the student's last submitted TAC (owner
   * and due date only: reminders are stored unencrypted) and the open deadlines of the student's cases
   * falling on or before the meeting day.
   */
  async planning(
    where: { from: Date; to: Date } | { ids: string[] },
    zone: string,
    /** The deadline engine's name for a rule (e.g. "Decision to assess"), when it is running. */
    ruleName: (caseKind: string, rulePack: string, ruleId: string) => string | undefined = () => undefined,
  ): Promise<MeetingForReminders[]> {
    const rows =
      'ids' in where
        ? (
            await Promise.all(
              chunks([...new Set(where.ids)]).map((ids) =>
                this.db.meeting.findMany({ where: { id: { in: ids } }, select: planningSelect }),
              ),
            )
          )
            .flat()
            .sort((a, b) => a.startsAt.getTime() - b.startsAt.getTime() || (a.id < b.id ? -1 : 1))
        : await this.db.meeting.findMany({
            where: { startsAt: { gte: where.from, lte: where.to } },
            select: planningSelect,
            orderBy: [{ startsAt: 'asc' }, { id: 'asc' }],
          });
    if (rows.length === 0) return [];

    const emails = [
      ...new Set(rows.map((r) => r.organiserEmail?.toLowerCase()).filter((e): e is string => !!e)),
    ];
    const studentIds = [...new Set(rows.map((r) => r.studentId).filter((s): s is string => !!s))];
    const [organiserRows, notes, deadlines] = await Promise.all([
      Promise.all(
        chunks(emails).map((chunk) =>
          this.db.staff.findMany({
            where: { email: { in: chunk }, active: true },
            select: { id: true, orgId: true, email: true },
          }),
        ),
      ),
      Promise.all(
        chunks(studentIds).map((chunk) =>
          this.db.tacNote.findMany({
            where: { studentId: { in: chunk }, status: 'SUBMITTED' },
            orderBy: [{ submittedAt: 'desc' }, { id: 'asc' }],
            select: {
              studentId: true,
              meetingId: true,
              submittedAt: true,
              actions: {
                where: { status: 'OPEN' },
                select: { ownerId: true, dueOn: true },
                orderBy: [{ dueOn: 'asc' }, { id: 'asc' }],
              },
            },
          }),
        ),
      ),
      Promise.all(
        chunks(studentIds).map((chunk) =>
          this.db.deadline.findMany({
            where: { status: 'OPEN', case: { studentId: { in: chunk }, status: 'OPEN' } },
            orderBy: [{ dueOn: 'asc' }, { id: 'asc' }],
            select: {
              ruleId: true,
              dueOn: true,
              case: { select: { studentId: true, kind: true, rulePack: true } },
            },
          }),
        ),
      ),
    ]);
    const organisers = new Map(
      organiserRows.flat().map((s) => [`${s.orgId}:${s.email.toLowerCase()}`, s.id]),
    );

    // Per student: submitted notes newest first, open deadlines soonest first.
    const notesBy = new Map<string, (typeof notes)[number]>();
    for (const n of notes.flat()) notesBy.set(n.studentId, [...(notesBy.get(n.studentId) ?? []), n]);
    for (const ns of notesBy.values())
      ns.sort((a, b) => (b.submittedAt?.getTime() ?? 0) - (a.submittedAt?.getTime() ?? 0));
    const deadlinesBy = new Map<string, (typeof deadlines)[number]>();
    for (const d of deadlines.flat())
      deadlinesBy.set(d.case.studentId, [...(deadlinesBy.get(d.case.studentId) ?? []), d]);
    for (const ds of deadlinesBy.values())
      ds.sort((a, b) => (a.dueOn < b.dueOn ? -1 : a.dueOn > b.dueOn ? 1 : 0));

    const ownerIds = [
      ...new Set(
        notes
          .flat()
          .flatMap((n) => n.actions.map((a) => a.ownerId))
          .filter((o): o is string => !!o),
      ),
    ];
    const owners = new Map(
      (
        await Promise.all(
          chunks(ownerIds).map((chunk) =>
            this.db.staff.findMany({ where: { id: { in: chunk } }, select: { id: true, displayName: true } }),
          ),
        )
      )
        .flat()
        .map((s) => [s.id, s.displayName]),
    );

    return rows.map((m) => {
      const context: string[] = [];
      if (m.studentId) {
        const last = notesBy.get(m.studentId)?.find((n) => n.meetingId !== m.id);
        if (last && last.actions.length > 0) {
          const on = last.submittedAt ? localDate(last.submittedAt, zone) : '';
          context.push(`Open actions from the last TAC (${on}): ${last.actions.length}`);
          for (const a of last.actions)
            context.push(
              `Action for ${a.ownerId ? (owners.get(a.ownerId) ?? 'a colleague') : 'someone outside the hub'}: due ${a.dueOn}`,
            );
        }
        const day = localDate(m.startsAt, zone);
        for (const d of deadlinesBy.get(m.studentId) ?? []) {
          if (d.dueOn > day) break;
          context.push(
            `Case deadline (${d.case.kind.replaceAll('_', ' ').toLowerCase()}): ${ruleName(d.case.kind, d.case.rulePack, d.ruleId) ?? d.ruleId.replaceAll('_', ' ')}, due ${d.dueOn}`,
          );
        }
      }
      return {
        id: m.id,
        orgId: m.orgId,
        kind: m.kind,
        startsAt: m.startsAt,
        endsAt: m.endsAt,
        joinUrl: m.joinUrl,
        studentLabel: m.student ? studentLabel(m.student) : null,
        studentId: m.studentId,
        attendeeStaffIds: [...new Set(m.attendees.map((a) => a.staffId).filter((s): s is string => !!s))],
        cancelled: m.status === 'CANCELLED',
        organiserStaffId: m.organiserEmail
          ? (organisers.get(`${m.orgId}:${m.organiserEmail.toLowerCase()}`) ?? null)
          : null,
        noteTakerId: m.noteTakerId,
        notesSubmitted: m.tacNotes.length > 0,
        context,
      };
    });
  }

  /**
   * A cheap fingerprint of everything the meetings planner reads (one query of counts and latest
   * updates): meetings and their attendees, students, staff, TAC notes and open actions, cases and
   * deadlines, and the meeting planner's own reminders. Equal fingerprints mean the planner's inputs and
   * its stored reminders are as they were (rows are only ever added, removed, or updated with a new
   * `updatedAt`; attendees and actions change with their meeting or note, or change these counts).
   */
  async planningFingerprint(): Promise<string> {
    const rows = await this.db.$queryRawUnsafe<Record<string, unknown>[]>(FINGERPRINT_SQL);
    return Object.values(rows[0] ?? {})
      .map((v) => (v instanceof Date ? v.toISOString() : String(v)))
      .join('|');
  }

  /** When the first meeting after `after` starts (it enters the planning window), or null. */
  async firstStartAfter(after: Date): Promise<Date | null> {
    const m = await this.db.meeting.findFirst({
      where: { startsAt: { gt: after } },
      orderBy: { startsAt: 'asc' },
      select: { startsAt: true },
    });
    return m?.startsAt ?? null;
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
