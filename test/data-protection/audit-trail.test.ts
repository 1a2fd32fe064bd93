/**
 * The audit trail (issue 10): the database refuses updates and deletes; a row changed or removed behind
 * the triggers' back (dropped on SQLite, disabled as superuser on PostgreSQL) is found by `audit verify`;
 * `audit export --student` writes the subject access package, decrypted, to owner-only files.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { auditExport, auditVerify } from '../../app/data-protection/cli-commands.ts';
import { providers } from '../support/db.ts';
import { startTestHub, type TestHub } from '../support/hub.ts';
import { addStudent, MARKER, seedEncryptedRows, seedSchool } from './seed.ts';

async function someEvents(t: TestHub, n: number, studentId?: string) {
  for (let i = 0; i < n; i++) {
    await t.hub.audit.record({
      actorKind: 'staff',
      action: `test.event${i}`,
      subjectType: 'student',
      subjectId: studentId ?? 's',
      studentId: studentId ?? null,
      details: { i },
    });
    t.clock.advanceMinutes(1);
  }
}

describe.each(providers)('audit trail on %s', (provider) => {
  let t: TestHub;
  afterEach(async () => {
    await t?.close();
  });

  it('the database refuses to update or delete an audit row', async () => {
    t = await startTestHub(provider);
    await someEvents(t, 2);
    const db = t.hub.dbh.db;
    await expect(
      db.$executeRawUnsafe(`UPDATE "AuditEvent" SET "action" = 'forged' WHERE "seq" = 1`),
    ).rejects.toThrow(/append-only/);
    await expect(db.$executeRawUnsafe(`DELETE FROM "AuditEvent" WHERE "seq" = 1`)).rejects.toThrow(
      /append-only/,
    );
    const out: string[] = [];
    expect(await auditVerify(t.hub, (l) => out.push(l))).toBe(0);
    expect(out[0]).toMatch(/^Audit trail intact: 2 event\(s\), keyed hash chain verified/);
  });

  const bypass = async (t: TestHub, sql: string) => {
    const db = t.hub.dbh.db;
    if (provider === 'sqlite') {
      await db.$executeRawUnsafe('DROP TRIGGER "AuditEvent_no_update"');
      await db.$executeRawUnsafe('DROP TRIGGER "AuditEvent_no_delete"');
      await db.$executeRawUnsafe(sql);
    } else {
      await db.$executeRawUnsafe('ALTER TABLE "AuditEvent" DISABLE TRIGGER "AuditEvent_append_only"');
      await db.$executeRawUnsafe(sql);
      await db.$executeRawUnsafe('ALTER TABLE "AuditEvent" ENABLE TRIGGER "AuditEvent_append_only"');
    }
  };

  it('a changed row is detected at its sequence number', async () => {
    t = await startTestHub(provider);
    await someEvents(t, 5);
    await bypass(t, `UPDATE "AuditEvent" SET "actorId" = 'someone-else' WHERE "seq" = 3`);
    const out: string[] = [];
    expect(await auditVerify(t.hub, (l) => out.push(l))).toBe(1);
    expect(out[0]).toMatch(/^AUDIT TRAIL BROKEN at event 3: hash mismatch/);
  });

  it('a removed row is detected at the next event', async () => {
    t = await startTestHub(provider);
    await someEvents(t, 5);
    await bypass(t, `DELETE FROM "AuditEvent" WHERE "seq" = 2`);
    const r = await t.hub.audit.verify();
    expect(r).toEqual({
      ok: false,
      seq: 3,
      reason: 'previous-hash link broken (a row was removed or reordered)',
    });
  });

  it('a row re-hashed by a forger (hash recomputed) still breaks the link to the next row', async () => {
    t = await startTestHub(provider);
    await someEvents(t, 3);
    await bypass(t, `UPDATE "AuditEvent" SET "hash" = '${'f'.repeat(64)}' WHERE "seq" = 2`);
    const r = await t.hub.audit.verify();
    expect(r.ok).toBe(false);
    expect(r.ok === false && r.seq).toBe(2);
  });

  it('the `audit` chat command is for admins: others are refused politely and the refusal audited', async () => {
    t = await startTestHub(provider);
    const { orgId, staff } = await seedSchool(t.hub);
    const teacher = (await t.hub.staff.actorForStaff(staff.teacher))!;
    const head = (await t.hub.staff.actorForStaff(staff.head))!;
    const denied = await t.hub.commands.run('audit', teacher, 'CONSOLE');
    expect(denied.kind === 'message' && denied.message.title).toBe(
      'Sorry, your role does not allow you to check the audit trail.',
    );
    const ok = await t.hub.commands.run('audit', head, 'CONSOLE');
    expect(ok.kind === 'message' && ok.message.title).toMatch(/^Audit trail intact: \d+ events verified\.$/);
    const events = await t.hub.audit.recent(10);
    expect(
      events.some(
        (e) =>
          e.action === 'access.denied' &&
          e.actorId === staff.teacher &&
          e.subjectId === 'audit' &&
          e.orgId === orgId,
      ),
    ).toBe(true);
  });

  it('audit export --student writes the whole decrypted record and its audit events to owner-only files', async () => {
    t = await startTestHub(provider);
    const { orgId, staff } = await seedSchool(t.hub);
    const sid = await addStudent(t.hub, orgId, {
      givenName: 'Sam',
      familyName: 'Vale',
      dateOfBirth: '2015-03-01',
    });
    const other = await addStudent(t.hub, orgId, { givenName: 'Other', familyName: 'Kid' });
    const { concernId } = await seedEncryptedRows(t.hub, orgId, sid, staff.dsl);
    await seedEncryptedRows(t.hub, orgId, other, staff.dsl);
    await t.hub.audit.record({
      actorKind: 'staff',
      actorId: staff.dsl,
      action: 'concern.viewed',
      subjectType: 'concern',
      subjectId: concernId,
    });
    await someEvents(t, 1, other);
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'sar-'));
    try {
      const lines: string[] = [];
      expect(await auditExport(t.hub, { student: sid, out }, (l) => lines.push(l))).toBe(0);
      const files = fs.readdirSync(out).sort();
      expect(files).toEqual([
        `subject-access-${sid}-2026-11-24-audit.csv`,
        `subject-access-${sid}-2026-11-24.json`,
      ]);
      for (const f of files) expect(fs.statSync(path.join(out, f)).mode & 0o777).toBe(0o600);
      const pkg = JSON.parse(fs.readFileSync(path.join(out, files[1]!), 'utf8'));
      expect(pkg.student).toMatchObject({
        id: sid,
        givenName: 'Sam',
        familyName: 'Vale',
        dateOfBirth: '2015-03-01',
      });
      expect(pkg.concerns).toHaveLength(1);
      expect(pkg.concerns[0].text).toBe(`${MARKER} Concern.textEnc about the child`);
      expect(pkg.tacNotes[0].content).toBe(`${MARKER} TacNote.contentEnc about the child`);
      expect(pkg.tacNotes[0].revisions[0].content).toContain('TacNoteRevision.contentEnc');
      expect(pkg.tacNotes[0].actions[0].what).toContain('TacAction.whatEnc');
      expect(pkg.meetings[0].title).toContain('Meeting.titleEnc');
      expect(pkg.incidents[0].text).toContain('Incident.textEnc');
      expect(pkg.unreadable).toEqual([]);
      // Audit events about the child's records are included; the other child's are not.
      expect(pkg.audit.map((a: { action: string }) => a.action)).toContain('concern.viewed');
      expect(JSON.stringify(pkg)).not.toContain(other);
      const csv = fs.readFileSync(path.join(out, files[0]!), 'utf8');
      expect(csv.split('\r\n')[0]).toBe(
        '"seq","at","action","actorKind","actorId","subjectType","subjectId","channel","details"',
      );
      // The export itself is audited (ids and counts only).
      const last = (await t.hub.audit.recent(1))[0]!;
      expect(last).toMatchObject({ action: 'subject_access.exported', studentId: sid });
      expect(JSON.stringify(last.details)).not.toContain('Sam');
      expect(lines.join('\n')).not.toContain('Sam');
      // An unknown id is a clear error.
      expect(await auditExport(t.hub, { student: 'nope', out }, (l) => lines.push(l))).toBe(2);
      expect(lines.at(-1)).toBe('--student: no student has the id nope');
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });
});
