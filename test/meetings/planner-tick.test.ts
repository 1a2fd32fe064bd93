/**
 * The meetings planner's tick (issue 2's first figure, issue 8's reminders): a steady tick writes nothing,
 * a skipped tick resumes planning as soon as an input changes (a meeting moved, cancelled, deleted, an
 * attendee added) even when no 'meetings.changed' event reached this process, and the instant until
 * which planning cannot change (nextPlanChange) is exact. Also the reminder store's diff by content hash.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { meetingsModule, meetingsService } from '../../app/meetings/meetings-module.ts';
import type { HolidaySet } from '../../core/calendar/working-days.ts';
import {
  type MeetingForReminders,
  nextPlanChange,
  parseLeadTime,
  planMeetingReminders,
  planNotesPrompts,
  planReportNudges,
} from '../../core/reminders/plan-meeting-reminders.ts';
import type { ReminderSpec } from '../../core/reminders/reminder.ts';
import { providers } from '../support/db.ts';
import { startTestHub, type TestHub } from '../support/hub.ts';
import { type School, seedSchool } from './support.ts';

const NOW = '2026-11-24T09:00:00Z';
const day = 86_400_000;

describe.each(providers)('meetings planner tick on %s', (provider) => {
  let t: TestHub;
  let s: School;

  beforeEach(async () => {
    t = await startTestHub(provider, { now: NOW, modules: [meetingsModule()] });
    s = await seedSchool(t.hub);
  });
  afterEach(async () => {
    await t.close();
  });

  const addMeeting = async (id: string, startsAt: Date, kind: 'TAC' | 'OTHER' | 'EHCP_ANNUAL_REVIEW') => {
    await t.hub.dbh.db.meeting.create({
      data: {
        id,
        orgId: s.orgId,
        source: 'manual',
        externalId: id,
        kind,
        startsAt,
        endsAt: new Date(startsAt.getTime() + 3_600_000),
        organiserEmail: 'olive@school.example',
        studentId: s.studentId,
        attendees: {
          create: [
            { email: 'olive@school.example', staffId: s.olive.staffId },
            { email: 'ken@school.example', staffId: s.ken.staffId },
          ],
        },
      },
    });
  };

  const planner = async () => {
    const report = await t.hub.scheduler.tick();
    const r = report.planners['meeting-reminders'];
    if (!r || 'error' in r) throw new Error(`planner failed: ${JSON.stringify(r)}`);
    return r as Record<string, number>;
  };

  /** Every stored reminder as written (updatedAt included: any rewrite shows), plus outbox and audit sizes. */
  const snapshot = async () => {
    const db = t.hub.dbh.db;
    const reminders = await db.reminder.findMany({ orderBy: { dedupeKey: 'asc' } });
    return {
      reminders: JSON.stringify(reminders),
      outbox: await db.outboxMessage.count(),
      audit: await db.auditEvent.count(),
    };
  };

  const pending = (meetingId: string) =>
    t.hub.dbh.db.reminder.findMany({
      where: { subjectType: 'meeting', subjectId: meetingId, status: 'PENDING' },
      orderBy: { dedupeKey: 'asc' },
    });

  const now = () => new Date(NOW).getTime();

  /** Three meetings planned, then ticks until the planner skips (inputs unchanged since a sweep that wrote nothing). */
  const steady = async () => {
    await addMeeting('m-tac', new Date(now() + 6 * day), 'TAC');
    await addMeeting('m-other', new Date(now() + 8 * day), 'OTHER');
    await addMeeting('m-review', new Date(now() + 20 * day), 'EHCP_ANNUAL_REVIEW');
    const first = await planner();
    expect(first.created).toBeGreaterThan(0);
    const second = await planner();
    expect(second).toMatchObject({ skipped: 0, created: 0, updated: 0, cancelled: 0 });
    expect(second.unchanged).toBe(first.created);
    expect(await planner()).toEqual({ skipped: 1 });
  };

  it('a steady tick with no changes writes nothing, and a full sweep of the same inputs writes nothing either', async () => {
    await steady();
    const before = await snapshot();
    expect(JSON.parse(before.reminders).length).toBeGreaterThan(0);
    expect(await planner()).toEqual({ skipped: 1 });
    const full = await meetingsService(t.hub).planWindow(t.clock.now(), { full: true });
    expect(full).toMatchObject({ skipped: 0, created: 0, updated: 0, cancelled: 0 });
    expect(await planner()).toEqual({ skipped: 1 });
    expect(await snapshot()).toEqual(before);
  });

  it('re-plans a moved meeting at the next tick, though no calendar event reached the planner', async () => {
    await steady();
    const before = await pending('m-other');
    const movedTo = new Date(now() + 9 * day + 2 * 3_600_000);
    await t.hub.dbh.db.meeting.update({ where: { id: 'm-other' }, data: { startsAt: movedTo } });
    const r = await planner();
    expect(r.skipped).toBe(0);
    expect(r.updated).toBe(before.length);
    const after = await pending('m-other');
    expect(after.map((x) => x.dedupeKey)).toEqual(before.map((x) => x.dedupeKey));
    const oneHour = after.filter((x) => x.dedupeKey.endsWith(':1h'));
    expect(oneHour).toHaveLength(2);
    for (const x of oneHour) expect(x.dueAt.getTime()).toBe(movedTo.getTime() - 3_600_000);
    expect(await planner()).toMatchObject({ skipped: 0, created: 0, updated: 0, cancelled: 0 });
    expect(await planner()).toEqual({ skipped: 1 });
  });

  it('withdraws the reminders of a cancelled, a deleted, and a far-moved meeting at the next tick', async () => {
    await steady();
    const db = t.hub.dbh.db;
    const tacBefore = await pending('m-tac');
    expect(tacBefore.length).toBeGreaterThan(0);
    await db.meeting.update({ where: { id: 'm-tac' }, data: { status: 'CANCELLED' } });
    expect((await planner()).cancelled).toBe(tacBefore.length);
    expect(await pending('m-tac')).toEqual([]);

    await planner();
    expect(await planner()).toEqual({ skipped: 1 });
    const otherBefore = await pending('m-other');
    await db.meetingAttendee.deleteMany({ where: { meetingId: 'm-other' } });
    await db.meeting.delete({ where: { id: 'm-other' } });
    expect((await planner()).cancelled).toBe(otherBefore.length);
    expect(await pending('m-other')).toEqual([]);

    // Moved beyond the planning horizon: its reminders follow it instead of going out at the old time.
    await planner();
    const far = new Date(now() + 60 * day);
    await db.meeting.update({ where: { id: 'm-review' }, data: { startsAt: far } });
    await planner();
    // Nothing is left at the old time (the meeting was 20 days away); the advice nudge now comes 10 working
    // days before the advice is due (two weeks before the meeting, reg 20(4)), across the Christmas holidays.
    for (const x of await pending('m-review')) expect(x.dueAt.getTime()).toBeGreaterThan(now() + 20 * day);
  });

  it('reminds an attendee added without touching the meeting row', async () => {
    await steady();
    await t.hub.dbh.db.meetingAttendee.create({
      data: { meetingId: 'm-other', email: 'otto@school.example', staffId: s.outsider.staffId },
    });
    const r = await planner();
    expect(r.created).toBe(2); // 2 working days and 1 hour before
    expect((await pending('m-other')).filter((x) => x.recipientId === s.outsider.staffId)).toHaveLength(2);
  });

  it('a reminder the planner still plans as before keeps its snooze; a changed plan replaces it', async () => {
    const spec = (dueAt: Date): ReminderSpec => ({
      dedupeKey: 'test:snooze',
      orgId: s.orgId,
      kind: 'report_due',
      subject: { type: 'meeting', id: 'm-x' },
      recipientId: s.ken.staffId,
      dueAt,
      message: { kind: 'report_due', audience: 'private', title: 'Advice due', text: 'Send it.' },
    });
    const subjects = [{ type: 'meeting', id: 'm-x' }];
    const due = new Date(now() + day);
    expect(await t.hub.reminders.reconcile(subjects, [spec(due)])).toMatchObject({ created: 1 });
    const [row] = await t.hub.reminders.forSubject('meeting', 'm-x');
    const until = new Date(now() + 3 * day);
    await t.hub.reminders.answer(row!.id, 'snooze', until);
    expect(await t.hub.reminders.reconcile(subjects, [spec(due)])).toMatchObject({
      updated: 0,
      unchanged: 1,
    });
    expect((await t.hub.reminders.byId(row!.id))?.dueAt.getTime()).toBe(until.getTime());
    const moved = new Date(now() + 2 * day);
    expect(await t.hub.reminders.reconcile(subjects, [spec(moved)])).toMatchObject({ updated: 1 });
    expect((await t.hub.reminders.byId(row!.id))?.dueAt.getTime()).toBe(moved.getTime());
  });

  it('compares a row written without a content hash by its payload, and rewrites it only if it differs', async () => {
    const db = t.hub.dbh.db;
    const message = { kind: 'text' as const, audience: 'private' as const, title: 'T', text: 'A' };
    const base = {
      orgId: s.orgId,
      kind: 'meeting_reminder',
      subject: { type: 'meeting', id: 'm-y' },
      recipientId: s.ken.staffId,
      dueAt: new Date(now() + day),
    };
    await db.reminder.create({
      data: {
        orgId: s.orgId,
        kind: 'meeting_reminder',
        subjectType: 'meeting',
        subjectId: 'm-y',
        recipientId: s.ken.staffId,
        dueAt: base.dueAt,
        dedupeKey: 'legacy:1',
        // Keys in another order than the planner writes them (PostgreSQL's jsonb re-orders them anyway).
        payload: {
          quiet: false,
          priority: 5,
          message: { text: 'A', title: 'T', audience: 'private', kind: 'text' },
        },
      },
    });
    const subjects = [{ type: 'meeting', id: 'm-y' }];
    const before = await db.reminder.findUniqueOrThrow({ where: { dedupeKey: 'legacy:1' } });
    expect(
      await t.hub.reminders.reconcile(subjects, [{ ...base, dedupeKey: 'legacy:1', message }]),
    ).toMatchObject({
      unchanged: 1,
      updated: 0,
    });
    expect(await db.reminder.findUniqueOrThrow({ where: { dedupeKey: 'legacy:1' } })).toEqual(before);
    const changed = { ...message, text: 'B' };
    expect(
      await t.hub.reminders.reconcile(subjects, [{ ...base, dedupeKey: 'legacy:1', message: changed }]),
    ).toMatchObject({ updated: 1 });
    const after = await db.reminder.findUniqueOrThrow({ where: { dedupeKey: 'legacy:1' } });
    expect((after.payload as { message: { text: string } }).message.text).toBe('B');
    expect(after.contentHash).not.toBeNull();
  });
});

describe('nextPlanChange', () => {
  const holidays: HolidaySet = { has: (d) => ['2026-12-25', '2026-12-28', '2027-01-01'].includes(d) };
  const opts = {
    leadTimes: ['2wd', '1h'].map(parseLeadTime),
    zone: 'Europe/London',
    holidays,
    notesKinds: ['TAC'],
    overdueWorkingDays: 2,
    authorLeadWorkingDays: 5,
  };
  const plan = (ms: MeetingForReminders[], at: Date) =>
    JSON.stringify([
      ...planMeetingReminders(ms, at, opts),
      ...planReportNudges(ms, at, opts),
      ...planNotesPrompts(ms, at, opts),
    ]);
  const meeting = (id: string, kind: string, startsAt: string, over: Partial<MeetingForReminders> = {}) => ({
    id,
    orgId: 'o1',
    kind,
    startsAt: new Date(startsAt),
    endsAt: new Date(new Date(startsAt).getTime() + 3_600_000),
    joinUrl: null,
    studentLabel: 'A.B. (Y7)',
    attendeeStaffIds: ['s1', 's2'],
    cancelled: false,
    organiserStaffId: 's1',
    ...over,
  });
  const meetings: MeetingForReminders[] = [
    meeting('ended-tac', 'TAC', '2026-11-20T10:00:00Z'),
    meeting('soon-tac', 'TAC', '2026-11-24T15:30:00Z'),
    meeting('other', 'OTHER', '2026-11-27T09:00:00Z'),
    meeting('review', 'EHCP_ANNUAL_REVIEW', '2026-12-30T14:00:00Z'),
    meeting('review-soon', 'EHCP_ANNUAL_REVIEW', '2026-12-08T10:00:00Z'),
    meeting('cancelled', 'TAC', '2026-11-24T12:00:00Z', { cancelled: true }),
    meeting('noted', 'TAC', '2026-11-21T10:00:00Z', { notesSubmitted: true }),
  ];

  it('planning gives the same reminders until the instant it names, walking every change to the end', async () => {
    let at = new Date('2026-11-24T09:00:00Z');
    let changes = 0;
    for (let steps = 0; ; steps++) {
      expect(steps).toBeLessThan(100);
      const next = nextPlanChange(meetings, at, opts);
      if (!next) break;
      expect(next.getTime()).toBeGreaterThan(at.getTime());
      const here = plan(meetings, at);
      // Nothing changes before it (each of the planners' uses of the time only ever drops a reminder as
      // time passes, so the same plan just before it means the same plan all the way there)…
      const span = next.getTime() - at.getTime();
      expect(plan(meetings, new Date(at.getTime() + span / 2))).toBe(here);
      expect(plan(meetings, new Date(next.getTime() - 1))).toBe(here);
      // …and, mostly, something has changed just after it (a meeting's start after its last reminder is
      // named too, though only a lead time of 0 would make it change anything).
      at = new Date(next.getTime() + 1);
      if (plan(meetings, at) !== here) changes++;
    }
    expect(changes).toBeGreaterThan(8);
    // Nothing left to change: the plan is that of a far later day.
    expect(plan(meetings, new Date('2027-06-01T00:00:00Z'))).toBe(plan(meetings, at));
  });
});
