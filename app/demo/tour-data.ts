/**
 * The demo moments the guided tour (app/demo/tour.ts) places in the demo school, dated from the hub's
 * clock: a meeting whose reminder falls due within a minute, a TAC meeting that ends four minutes in, and
 * the demo EHC needs assessment's request date (held at today, then moved so its decision is due today).
 * Demo data only, like app/demo/demo-school.ts.
 */
import { addDays } from '../../core/calendar/iso-date.ts';
import type { Db } from '../../store/db.ts';
import { DEMO_URN } from './demo-school.ts';

export const DEMO_EHC_REF = 'DEMO-EHC-1';

/** The demo organisation, if this database holds it. */
export async function demoOrg(db: Db): Promise<{ id: string; settings: unknown } | null> {
  return db.organisation.findUnique({ where: { urn: DEMO_URN }, select: { id: true, settings: true } });
}

/** When the tour last ran for the demo organisation (kept in its settings: a restart does not replay it). */
export function tourSeenAt(settings: unknown): string | null {
  const s = settings as { demoTourAt?: unknown } | null;
  return typeof s?.demoTourAt === 'string' ? s.demoTourAt : null;
}

export async function markTourSeen(db: Db, orgId: string, settings: unknown, at: Date): Promise<void> {
  const base = settings && typeof settings === 'object' ? (settings as Record<string, unknown>) : {};
  await db.organisation.update({
    where: { id: orgId },
    data: { settings: { ...base, demoTourAt: at.toISOString() } },
  });
}

async function staffIds(db: Db, orgId: string, emails: string[]): Promise<Map<string, string>> {
  const rows = await db.staff.findMany({
    where: { orgId, email: { in: emails } },
    select: { id: true, email: true },
  });
  return new Map(rows.map((r) => [r.email, r.id]));
}

async function pupil(db: Db, orgId: string, upn: string): Promise<string> {
  const row = await db.student.findFirstOrThrow({ where: { orgId, upn }, select: { id: true } });
  return row.id;
}

/**
 * A TAC meeting (note-taker: the SENDCo) that started 56 minutes ago and ends at `endsAt`; and, unless a
 * demo meeting already starts an hour from now (the one the demo school was loaded with), one that
 * starts 1 hour 40 seconds from now, so that its "1 hour before" reminder falls due within a minute.
 */
export async function placeTourMeetings(
  db: Db,
  orgId: string,
  now: Date,
  endsAt: Date,
  run: string,
): Promise<{ notesMeetingId: string }> {
  const ids = await staffIds(db, orgId, ['sendco@elmfield.example', 'e.marsh@elmfield.example']);
  const sendco = ids.get('sendco@elmfield.example')!;
  const teacher = ids.get('e.marsh@elmfield.example')!;
  const create = (externalId: string, studentId: string, startsAt: Date, ends: Date) =>
    db.meeting.create({
      data: {
        orgId,
        source: 'manual',
        externalId,
        kind: 'TAC',
        startsAt,
        endsAt: ends,
        studentId,
        organiserEmail: 'sendco@elmfield.example',
        noteTakerId: sendco,
        joinUrl: 'https://teams.microsoft.com/l/meetup-join/demo',
        attendees: {
          create: [
            { email: 'sendco@elmfield.example', staffId: sendco },
            { email: 'e.marsh@elmfield.example', staffId: teacher },
          ],
        },
      },
    });
  const soon = await db.meeting.count({
    where: {
      orgId,
      startsAt: { gt: new Date(now.getTime() + 3_600_000), lte: new Date(now.getTime() + 3_700_000) },
    },
  });
  if (soon === 0) {
    const start = new Date(now.getTime() + 3_640_000);
    await create(
      `demo-tour-${run}-reminder`,
      await pupil(db, orgId, 'C123456789012'),
      start,
      new Date(start.getTime() + 3_600_000),
    );
  }
  const notes = await create(
    `demo-tour-${run}-notes`,
    await pupil(db, orgId, 'E123456789012'),
    new Date(endsAt.getTime() - 3_600_000),
    endsAt,
  );
  return { notesMeetingId: notes.id };
}

/**
 * Date the demo EHC needs assessment's request `daysAgo` days before `today` (and its start date with it);
 * its deadlines are dropped so that they are computed afresh (a replayed tour nudges again). Returns the
 * case id, or null when the demo case is not there.
 */
export async function dateEhcRequest(
  db: Db,
  orgId: string,
  today: string,
  daysAgo: number,
): Promise<string | null> {
  const c = await db.case.findFirst({ where: { orgId, reference: DEMO_EHC_REF }, select: { id: true } });
  if (!c) return null;
  const on = addDays(today, -daysAgo);
  await db.caseEvent.updateMany({
    where: { caseId: c.id, kind: 'request_received' },
    data: { occurredOn: on },
  });
  await db.case.update({ where: { id: c.id }, data: { startDate: on } });
  await db.caseAssignment.updateMany({ where: { caseId: c.id }, data: { fromOn: on } });
  await db.deadline.deleteMany({ where: { caseId: c.id } });
  return c.id;
}

export { pupil as demoPupil, staffIds as demoStaffIds };
