/**
 * A generated school (or trust) for benchmarks: staff, students, meetings spread over a school year with
 * staff attendees. All names are invented placeholders ("Student 17"); nothing here is real data.
 */
import type { Db } from '../../store/db.ts';

export interface GeneratedSchool {
  orgId: string;
  staffIds: string[];
  studentIds: string[];
  meetings: number;
}

const KINDS = ['TAC', 'CIN', 'EHCP_ANNUAL_REVIEW', 'PEP', 'CPA', 'OTHER'] as const;

export async function generateSchool(
  db: Db,
  now: Date,
  size: { students: number; meetings: number; staff?: number; spreadDays?: number },
): Promise<GeneratedSchool> {
  const org = await db.organisation.create({ data: { name: 'Generated Academy (bench)' } });
  const staffCount = size.staff ?? Math.max(10, Math.round(size.students / 20));
  const spreadDays = size.spreadDays ?? 365;
  const staffRows = Array.from({ length: staffCount }, (_, i) => ({
    id: `st-${org.id}-${i}`,
    orgId: org.id,
    displayName: `Staff ${i}`,
    email: `staff${i}@generated.example`,
  }));
  for (let i = 0; i < staffRows.length; i += 1000)
    await db.staff.createMany({ data: staffRows.slice(i, i + 1000) });
  const studentRows = Array.from({ length: size.students }, (_, i) => ({
    id: `pu-${org.id}-${i}`,
    orgId: org.id,
    givenName: `Student${i}`,
    familyName: `Generated${i % 97}`,
    yearGroup: String(7 + (i % 7)),
  }));
  for (let i = 0; i < studentRows.length; i += 1000)
    await db.student.createMany({ data: studentRows.slice(i, i + 1000) });
  const meetingRows = [];
  const attendeeRows = [];
  const start = now.getTime() - (spreadDays / 2) * 86_400_000;
  for (let i = 0; i < size.meetings; i++) {
    const id = `mt-${org.id}-${i}`;
    // Spread evenly over the year, at 09:00-15:00 on the hour-ish (deterministic, no randomness).
    const day = Math.floor((i * spreadDays) / size.meetings);
    const startsAt = new Date(start + day * 86_400_000 + (9 + (i % 6)) * 3_600_000);
    meetingRows.push({
      id,
      orgId: org.id,
      source: 'manual',
      externalId: `gen-${i}`,
      kind: KINDS[i % KINDS.length],
      startsAt,
      endsAt: new Date(startsAt.getTime() + 3_600_000),
      studentId: studentRows[i % studentRows.length]!.id,
    });
    for (const s of new Set([i % staffCount, (i * 7 + 3) % staffCount])) {
      attendeeRows.push({ meetingId: id, email: `staff${s}@generated.example`, staffId: staffRows[s]!.id });
    }
  }
  for (let i = 0; i < meetingRows.length; i += 1000)
    await db.meeting.createMany({ data: meetingRows.slice(i, i + 1000) });
  for (let i = 0; i < attendeeRows.length; i += 1000)
    await db.meetingAttendee.createMany({ data: attendeeRows.slice(i, i + 1000) });
  return {
    orgId: org.id,
    staffIds: staffRows.map((s) => s.id),
    studentIds: studentRows.map((s) => s.id),
    meetings: meetingRows.length,
  };
}
