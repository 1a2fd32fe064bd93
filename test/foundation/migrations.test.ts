import { execFileSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { createDb } from '../../store/db.ts';
import { applyMigrations, migrationDrift } from '../../store/migrate.ts';
import { freshDatabaseUrl, providers } from '../support/db.ts';

/** Creates an empty (unmigrated) database to serve as the engine's disposable shadow. */
async function emptyPgDatabase() {
  const pg = (await import('pg')).default;
  const { PG_ADMIN_URL } = await import('../support/db.ts');
  const name = `send_hub_shadow_${Math.random().toString(36).slice(2, 10)}`;
  const c = new pg.Client({ connectionString: PG_ADMIN_URL });
  await c.connect();
  await c.query(`CREATE DATABASE ${name}`);
  await c.end();
  const u = new URL(PG_ADMIN_URL);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    drop: async () => {
      const d = new pg.Client({ connectionString: PG_ADMIN_URL });
      await d.connect();
      await d.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await d.end();
    },
  };
}

describe('generated provider schemas', () => {
  it('are up to date with prisma/models.prisma', () => {
    expect(() =>
      execFileSync(process.execPath, ['scripts/prisma-schemas.mjs', '--check'], { stdio: 'pipe' }),
    ).not.toThrow();
  });
});

describe.each(providers)('migrations on %s', (provider) => {
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const c of cleanups) await c();
  });

  it('are idempotent: a second apply changes nothing', async () => {
    const { url, drop } = await freshDatabaseUrl(provider);
    cleanups.push(drop);
    expect(await applyMigrations(url)).toEqual([]);
  });

  it('agree with the schema (no drift)', async () => {
    const { url, drop } = await freshDatabaseUrl(provider);
    cleanups.push(drop);
    const shadow = provider === 'postgres' ? await emptyPgDatabase() : undefined;
    if (shadow) cleanups.push(shadow.drop);
    const drift = await migrationDrift(url, shadow?.url);
    expect(drift.script).not.toMatch(/CREATE|ALTER|DROP/);
    expect(drift.exitCode).toBe(0);
  });

  it('refuse to update or delete an audit event', async () => {
    const { url, drop } = await freshDatabaseUrl(provider);
    cleanups.push(drop);
    const { db, close } = createDb(url);
    try {
      await db.auditEvent.create({
        data: {
          at: new Date(),
          actorKind: 'system',
          action: 'x',
          subjectType: 's',
          subjectId: '1',
          prevHash: '0',
          hash: 'h1',
        },
      });
      // PostgreSQL reports the trigger's message; Prisma maps SQLite's RAISE(ABORT) to a constraint error.
      const refusal = provider === 'postgres' ? /append-only/ : /constraint/i;
      await expect(db.auditEvent.updateMany({ data: { action: 'y' } })).rejects.toThrow(refusal);
      await expect(db.auditEvent.deleteMany({})).rejects.toThrow(refusal);
      expect(await db.auditEvent.findMany({ select: { action: true } })).toEqual([{ action: 'x' }]);
    } finally {
      await close();
    }
  });

  it('round-trip every model through the client on a freshly migrated database', async () => {
    const { url, drop } = await freshDatabaseUrl(provider);
    cleanups.push(drop);
    const { db, close } = createDb(url);
    try {
      const at = new Date('2026-11-24T10:00:00.000Z');
      const org = await db.organisation.create({
        data: { name: 'Org', kind: 'LOCAL_AUTHORITY', settings: { a: 1 } },
      });
      const manager = await db.staff.create({
        data: { orgId: org.id, displayName: 'M', email: 'm@x.example' },
      });
      const staff = await db.staff.create({
        data: {
          orgId: org.id,
          displayName: 'S',
          email: 's@x.example',
          lineManagerId: manager.id,
          roles: { create: [{ role: 'SENDCO' }, { role: 'DEPUTY_DSL' }] },
        },
      });
      const student = await db.student.create({
        data: {
          orgId: org.id,
          upn: 'A123',
          givenName: 'G',
          familyName: 'F',
          senStatus: 'E',
          ehcp: true,
          keyWorkerId: staff.id,
        },
      });
      const c = await db.case.create({
        data: {
          orgId: org.id,
          studentId: student.id,
          kind: 'EHC_NEEDS_ASSESSMENT',
          rulePack: 'p',
          startDate: '2026-01-05',
          ownerId: staff.id,
        },
      });
      await db.caseEvent.create({
        data: { caseId: c.id, kind: 'request_received', occurredOn: '2026-01-05' },
      });
      await db.caseException.create({
        data: { caseId: c.id, reason: 'r', fromDate: '2026-01-06', recordedById: staff.id },
      });
      await db.deadline.create({
        data: { caseId: c.id, ruleId: 'r1', dueOn: '2026-05-25', ownerId: staff.id },
      });
      const meeting = await db.meeting.create({
        data: {
          orgId: org.id,
          source: 'manual',
          externalId: 'e1',
          kind: 'TAC',
          startsAt: at,
          endsAt: at,
          studentId: student.id,
        },
      });
      await db.meetingAttendee.create({
        data: { meetingId: meeting.id, email: 's@x.example', staffId: staff.id },
      });
      const reminder = await db.reminder.create({
        data: {
          orgId: org.id,
          kind: 'k',
          subjectType: 'meeting',
          subjectId: meeting.id,
          recipientId: staff.id,
          dueAt: at,
          dedupeKey: 'd1',
          payload: { x: [1] },
        },
      });
      const msg = await db.outboxMessage.create({
        data: {
          idempotencyKey: 'i1',
          orgId: org.id,
          orderKey: 'o',
          payloadEnc: 'v1:x',
          reminderId: reminder.id,
        },
      });
      await db.deliveryAttempt.create({
        data: { messageId: msg.id, attemptNo: 1, worker: 'w', startedAt: at, outcome: 'SENT' },
      });
      await db.chatIdentity.create({
        data: {
          staffId: staff.id,
          platform: 'TEAMS',
          platformUserId: 'u1',
          conversationRef: { serviceUrl: 'https://x' },
        },
      });
      await db.channelConversation.create({
        data: { orgId: org.id, platform: 'SLACK', conversationId: 'C1', kind: 'channel' },
      });
      await db.slackInstallation.create({ data: { teamId: 'T1', dataEnc: 'v1:y' } });
      await db.concern.create({
        data: {
          orgId: org.id,
          studentId: student.id,
          source: 'chat',
          category: 'neglect',
          textEnc: 'v1:z',
          occurredAt: at,
          raisedAt: at,
        },
      });
      await db.rotaEntry.create({ data: { orgId: org.id, staffId: staff.id, level: 'DEPUTY_DSL', rank: 1 } });
      await db.termDate.create({
        data: { orgId: org.id, kind: 'TERM', startDate: '2026-09-03', endDate: '2026-10-23' },
      });
      await db.bankHoliday.create({
        data: { division: 'england-and-wales', date: '2026-12-25', title: 'Christmas Day' },
      });
      const run = await db.importRun.create({ data: { orgId: org.id, kind: 'cpoms', fileName: 'f.csv' } });
      await db.importRejection.create({
        data: { runId: run.id, file: 'f.csv', line: 3, field: 'Date', reason: 'not a date' },
      });
      await db.incident.create({
        data: {
          orgId: org.id,
          source: 'cpoms',
          externalId: 'x1',
          studentId: student.id,
          occurredAt: at,
          categories: 'a|b',
          sourceHash: 'h',
        },
      });
      await db.attendanceRecord.create({
        data: {
          orgId: org.id,
          studentId: student.id,
          periodStart: '2026-09-01',
          periodEnd: '2026-09-30',
          sessionsPossible: 40,
          sessionsAttended: 35,
          sourceHash: 'h',
        },
      });
      await db.alert.create({
        data: { orgId: org.id, studentId: student.id, ruleId: 'r', windowKey: 'w', firedAt: at },
      });
      const note = await db.tacNote.create({
        data: {
          orgId: org.id,
          meetingId: meeting.id,
          studentId: student.id,
          noteTakerId: staff.id,
          contentEnc: 'v1:n',
        },
      });
      await db.tacNoteRevision.create({
        data: { noteId: note.id, version: 1, contentEnc: 'v1:n', changedById: staff.id, changedAt: at },
      });
      await db.tacAction.create({
        data: { noteId: note.id, whatEnc: 'v1:w', ownerId: staff.id, dueOn: '2026-12-01' },
      });
      await db.lease.create({ data: { name: 'tick', owner: 'w', until: at } });
      await db.rateBucket.create({ data: { key: 'teams:t:c', tokens: 7.5, updatedAt: at } });
      await db.auditEvent.create({
        data: {
          at,
          actorKind: 'system',
          action: 'a',
          subjectType: 's',
          subjectId: '1',
          prevHash: '0',
          hash: 'h',
          details: { n: 1 },
        },
      });

      const back = await db.staff.findUniqueOrThrow({
        where: { id: staff.id },
        select: { roles: true, lineManager: { select: { email: true } } },
      });
      expect(back.roles.map((r) => r.role).sort()).toEqual(['DEPUTY_DSL', 'SENDCO']);
      expect(back.lineManager?.email).toBe('m@x.example');
      expect((await db.reminder.findUniqueOrThrow({ where: { id: reminder.id } })).payload).toEqual({
        x: [1],
      });
      expect((await db.outboxMessage.findFirstOrThrow()).state).toBe('PENDING');
      expect((await db.rateBucket.findFirstOrThrow()).tokens).toBe(7.5);
      expect((await db.meeting.findFirstOrThrow()).startsAt.toISOString()).toBe(at.toISOString());
      const counts = await Promise.all([
        db.caseEvent.count(),
        db.caseException.count(),
        db.deadline.count(),
        db.meetingAttendee.count(),
        db.deliveryAttempt.count(),
        db.chatIdentity.count(),
        db.channelConversation.count(),
        db.slackInstallation.count(),
        db.concern.count(),
        db.rotaEntry.count(),
        db.termDate.count(),
        db.bankHoliday.count(),
        db.importRejection.count(),
        db.incident.count(),
        db.attendanceRecord.count(),
        db.alert.count(),
        db.tacNoteRevision.count(),
        db.tacAction.count(),
        db.lease.count(),
        db.auditEvent.count(),
      ]);
      expect(counts.every((n) => n === 1)).toBe(true);
    } finally {
      await close();
    }
  });
});
