/**
 * Retention (issue 10): the rules' arithmetic (25th birthday, 29 February), and the purge on a real
 * database removes exactly what is due and nothing else: records under their period, a child under a
 * legal hold, a record whose child has no date of birth, and undelivered messages all stay.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { retentionRun } from '../../app/data-protection/cli-commands.ts';
import { addPeriod, isDue, parseRetentionRule, purgeFrom } from '../../core/retention/retention-rules.ts';
import { providers } from '../support/db.ts';
import { startTestHub, type TestHub } from '../support/hub.ts';
import { addStudent, seedSchool } from './seed.ts';

describe('retention rules', () => {
  it('safeguarding records run to the 25th birthday; 29 February birthdays fall on 28 February', () => {
    const rule = parseRetentionRule('dob+25y');
    expect(purgeFrom(rule, { dob: '2001-11-24' })).toBe('2026-11-24');
    expect(isDue(rule, { dob: '2001-11-24' }, '2026-11-23')).toBe(false);
    expect(isDue(rule, { dob: '2001-11-24' }, '2026-11-24')).toBe(true);
    expect(addPeriod('2008-02-29', 25, 'y')).toBe('2033-02-28');
    expect(addPeriod('2008-02-29', 24, 'y')).toBe('2032-02-29');
    expect(addPeriod('2026-01-31', 1, 'm')).toBe('2026-02-28');
    expect(addPeriod('2026-11-24', 90, 'd')).toBe('2027-02-22');
  });

  it('an unknown anchor is never due; keep is never due; bad rules are named', () => {
    expect(isDue(parseRetentionRule('dob+25y'), { dob: null }, '2999-01-01')).toBe(false);
    expect(isDue(parseRetentionRule('keep'), { dob: '1900-01-01', record: '1900-01-01' }, '2026-01-01')).toBe(
      false,
    );
    expect(() => parseRetentionRule('25 years', 'RETENTION_CONCERNS')).toThrow(
      'RETENTION_CONCERNS: "25 years" is not a retention rule; expected keep, dob+25y or record+90d',
    );
  });
});

describe.each(providers)('retention purge on %s', (provider) => {
  let t: TestHub;
  afterEach(async () => {
    await t?.close();
  });

  it('removes what is due and nothing else; the dry run removes nothing; every deletion is audited', async () => {
    // 24 Nov 2026, 09:00 UTC.
    t = await startTestHub(provider, { env: { RETENTION_HOLD_STUDENTS: 'held-child' } });
    const db = t.hub.dbh.db;
    const { orgId, staff } = await seedSchool(t.hub);
    const now = t.clock.now();
    const daysAgo = (n: number) => new Date(now.getTime() - n * 86_400_000);
    // 25th birthday today: due. 25th birthday next week: not due. No DOB: never. Held: kept.
    const due = await addStudent(t.hub, orgId, {
      givenName: 'Due',
      familyName: 'Today',
      dateOfBirth: '2001-11-24',
    });
    const young = await addStudent(t.hub, orgId, {
      givenName: 'Not',
      familyName: 'Yet',
      dateOfBirth: '2001-12-01',
    });
    const noDob = await addStudent(t.hub, orgId, { givenName: 'No', familyName: 'Dob', dateOfBirth: null });
    await db.student.create({
      data: { id: 'held-child', orgId, givenName: 'Held', familyName: 'Child', dateOfBirth: '1999-01-01' },
    });
    // Past DOB + 31 years with nothing left: the student row goes too.
    const old = await addStudent(t.hub, orgId, {
      givenName: 'Old',
      familyName: 'Leaver',
      dateOfBirth: '1990-05-05',
    });
    const concern = (studentId: string) =>
      db.concern.create({
        data: {
          orgId,
          studentId,
          source: 'hub',
          category: 'neglect',
          textEnc: t.hub.cipher.encrypt('x', 'Concern.textEnc'),
          occurredAt: daysAgo(3000),
          raisedAt: daysAgo(3000),
        },
      });
    const cDue = await concern(due);
    const cYoung = await concern(young);
    const cNoDob = await concern(noDob);
    const cHeld = await concern('held-child');
    // Operational data: delivered 100 days ago (due at 90), delivered 10 days ago, pending for 200 days.
    const msg = (key: string, state: 'SENT' | 'PENDING', age: number) =>
      db.outboxMessage.create({
        data: {
          idempotencyKey: key,
          orgId,
          orderKey: `staff:${staff.dsl}`,
          payloadEnc: t.hub.cipher.encrypt('{}', 'OutboxMessage.payloadEnc'),
          state,
          sentAt: state === 'SENT' ? daysAgo(age) : null,
          createdAt: daysAgo(age),
          updatedAt: daysAgo(age),
        },
      });
    const mOld = await msg('old', 'SENT', 100);
    const mNew = await msg('new', 'SENT', 10);
    const mPending = await msg('pending', 'PENDING', 200);
    const reminder = (key: string, status: 'DONE' | 'PENDING', age: number) =>
      db.reminder.create({
        data: {
          orgId,
          kind: 'meeting_reminder',
          subjectType: 'meeting',
          subjectId: 'm',
          recipientId: staff.dsl,
          dueAt: daysAgo(age),
          status,
          dedupeKey: key,
        },
      });
    const rOld = await reminder('r-old', 'DONE', 400);
    const rPending = await reminder('r-pending', 'PENDING', 400);

    const snapshot = async () => ({
      concerns: (await db.concern.findMany({ select: { id: true } })).map((r) => r.id).sort(),
      students: (await db.student.findMany({ select: { id: true } })).map((r) => r.id).sort(),
      outbox: (await db.outboxMessage.findMany({ select: { id: true } })).map((r) => r.id).sort(),
      reminders: (await db.reminder.findMany({ select: { id: true } })).map((r) => r.id).sort(),
    });
    const before = await snapshot();

    const report: string[] = [];
    expect(await retentionRun(t.hub, { dryRun: true }, (l) => report.push(l))).toBe(0);
    const text = report.join('\n');
    expect(text).toContain('Retention report (dry run: nothing deleted) for 2026-11-24');
    expect(text).toMatch(/concern\s+dob\+25y\s+1\s+0\s+1\s+1\s+RETENTION_CONCERNS/);
    expect(text).toMatch(/outbox\s+record\+90d\s+1\s+0/);
    expect(text).toMatch(/no date of birth/);
    expect(text).not.toMatch(/Due|Today|Leaver/);
    expect(await snapshot()).toEqual(before);

    const purge: string[] = [];
    expect(await retentionRun(t.hub, { dryRun: false }, (l) => purge.push(l))).toBe(0);
    const after = await snapshot();
    const without = (xs: string[], ...gone: string[]) => xs.filter((x) => !gone.includes(x)).sort();
    expect(after.concerns).toEqual(without(before.concerns, cDue.id));
    expect(after.concerns).toEqual(expect.arrayContaining([cYoung.id, cNoDob.id, cHeld.id]));
    expect(after.outbox).toEqual(without(before.outbox, mOld.id));
    expect(after.outbox).toEqual(expect.arrayContaining([mNew.id, mPending.id]));
    expect(after.reminders).toEqual(without(before.reminders, rOld.id));
    expect(after.reminders).toContain(rPending.id);
    // The old leaver had nothing left and is past DOB + 31 years; the held child stays.
    expect(after.students).toEqual(without(before.students, old));
    expect(after.students).toContain('held-child');

    const events = await t.hub.audit.recent(50);
    expect(events.find((e) => e.action === 'retention.purged' && e.subjectId === cDue.id)).toMatchObject({
      subjectType: 'concern',
      studentId: due,
      details: { rule: 'dob+25y', dueFrom: '2026-11-24' },
    });
    expect(
      events.find((e) => e.action === 'retention.purged' && e.subjectType === 'outbox')?.details,
    ).toMatchObject({
      count: 1,
      ids: [mOld.id],
    });
    expect((await t.hub.audit.verify()).ok).toBe(true);

    // Run again: nothing more is due.
    const again: string[] = [];
    await retentionRun(t.hub, { dryRun: false }, (l) => again.push(l));
    expect(await snapshot()).toEqual(after);
  });

  it('the nightly planner runs once a day after RETENTION_HOUR, and only reports unless RETENTION_MODE=purge', async () => {
    t = await startTestHub(provider, { now: '2026-11-24T01:30:00Z' });
    const db = t.hub.dbh.db;
    const { orgId, staff } = await seedSchool(t.hub);
    await db.outboxMessage.create({
      data: {
        idempotencyKey: 'old',
        orgId,
        orderKey: `staff:${staff.dsl}`,
        payloadEnc: t.hub.cipher.encrypt('{}', 'OutboxMessage.payloadEnc'),
        state: 'SENT',
        sentAt: new Date('2026-01-01T00:00:00Z'),
        updatedAt: new Date('2026-01-01T00:00:00Z'),
      },
    });
    const retention = t.hub.planners.find((p) => p.name === 'retention')!;
    expect(await retention.run(t.clock.now())).toEqual({ ran: 0 });
    t.clock.set('2026-11-24T02:05:00Z');
    expect(await retention.run(t.clock.now())).toEqual({ ran: 1, due: 1, deleted: 0 });
    expect(await retention.run(t.clock.now())).toEqual({ ran: 0 });
    expect(await db.outboxMessage.count()).toBe(1);
    const run = (await t.hub.audit.recent(5)).find((e) => e.action === 'retention.run');
    expect(run).toMatchObject({
      actorKind: 'system',
      subjectId: '2026-11-24',
      details: { mode: 'report', outboxDue: 1 },
    });
  });

  it('in purge mode the nightly job deletes what is due', async () => {
    t = await startTestHub(provider, { now: '2026-11-24T03:00:00Z', env: { RETENTION_MODE: 'purge' } });
    const db = t.hub.dbh.db;
    const { orgId, staff } = await seedSchool(t.hub);
    await db.outboxMessage.create({
      data: {
        idempotencyKey: 'old',
        orgId,
        orderKey: `staff:${staff.dsl}`,
        payloadEnc: t.hub.cipher.encrypt('{}', 'OutboxMessage.payloadEnc'),
        state: 'CANCELLED',
        updatedAt: new Date('2026-01-01T00:00:00Z'),
      },
    });
    await t.hub.scheduler.tick();
    expect(await db.outboxMessage.count()).toBe(0);
  });
});
