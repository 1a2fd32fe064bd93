/**
 * Test data for the data-protection tests: one school, staff, students with chosen dates of birth, and
 * one row in every table with an encrypted column, each value encrypted with its column's context.
 * Plaintexts carry a marker so the tests can look for them in the database file.
 */
import type { Hub } from '../../app/container.ts';
import { contextOf, encryptedColumns } from '../../store/crypto/encrypted-columns.ts';

export const MARKER = 'PLAINTEXT-MARKER';

export async function seedSchool(hub: Hub) {
  const db = hub.dbh.db;
  const org = await db.organisation.create({ data: { name: 'Test School', urn: `T${Math.random()}` } });
  const mk = async (name: string, email: string, roles: string[]) =>
    (
      await db.staff.create({
        data: {
          orgId: org.id,
          displayName: name,
          email,
          roles: { create: roles.map((role) => ({ role: role as never })) },
        },
      })
    ).id;
  const staff = {
    head: await mk('Head Teacher', 'head@test.example', ['HEAD']),
    admin: await mk('Office Admin', 'admin@test.example', ['ADMIN']),
    dsl: await mk('Dee Sell', 'dsl@test.example', ['DSL']),
    deputy: await mk('Dep Uty', 'deputy@test.example', ['DEPUTY_DSL']),
    sendco: await mk('Sen Co', 'sendco@test.example', ['SENDCO']),
    teacher: await mk('Tea Cher', 'teacher@test.example', ['STAFF']),
    keyWorker: await mk('Key Worker', 'kw@test.example', ['STAFF']),
  };
  return { orgId: org.id, staff };
}

export async function addStudent(
  hub: Hub,
  orgId: string,
  s: { givenName: string; familyName: string; dateOfBirth?: string | null; keyWorkerId?: string },
) {
  return (
    await hub.dbh.db.student.create({
      data: {
        orgId,
        givenName: s.givenName,
        familyName: s.familyName,
        dateOfBirth: s.dateOfBirth ?? null,
        yearGroup: '6',
        keyWorkerId: s.keyWorkerId ?? null,
      },
    })
  ).id;
}

/** One row in every table with an encrypted column; returns the plaintext written to each column. */
export async function seedEncryptedRows(hub: Hub, orgId: string, studentId: string, staffId: string) {
  const db = hub.dbh.db;
  const c = hub.cipher;
  const plain = (col: { model: string; field: string }) =>
    `${MARKER} ${col.model}.${col.field} about the child`;
  const enc = (model: string, field: string) =>
    c.encrypt(plain({ model, field }), contextOf({ model, field }));
  const now = hub.clock.now();
  const concern = await db.concern.create({
    data: {
      orgId,
      studentId,
      raisedById: staffId,
      source: 'hub',
      category: 'neglect',
      textEnc: enc('Concern', 'textEnc'),
      actionsTakenEnc: enc('Concern', 'actionsTakenEnc'),
      outcomeNoteEnc: enc('Concern', 'outcomeNoteEnc'),
      notOnRollNameEnc: enc('Concern', 'notOnRollNameEnc'),
      occurredAt: now,
      raisedAt: now,
    },
  });
  await db.concernDraft.create({
    data: { orgId, staffId, valuesEnc: enc('ConcernDraft', 'valuesEnc'), reason: 'cancelled' },
  });
  // One contact method per person and kind: each seed gets its own member of staff for it.
  const contactOwner = await db.staff.create({
    data: { orgId, displayName: 'Contact Owner', email: `contact-${studentId}@test.example` },
  });
  await db.contactMethod.create({
    data: {
      orgId,
      staffId: contactOwner.id,
      kind: 'SMS',
      valueEnc: enc('ContactMethod', 'valueEnc'),
      valueHash: 'h',
    },
  });
  await db.incident.create({
    data: {
      orgId,
      source: 'cpoms',
      externalId: `i-${studentId}`,
      studentId,
      occurredAt: now,
      categories: 'Bullying',
      textEnc: enc('Incident', 'textEnc'),
      actionsEnc: enc('Incident', 'actionsEnc'),
      sourceHash: 'h',
    },
  });
  // A safeguarding row whose pupil matched no student: the pupil as given (store/unmatched-concern-rows.ts).
  const run = await db.importRun.create({ data: { orgId, kind: 'cpoms', fileName: 'cpoms.csv' } });
  await db.importConcernRow.create({
    data: {
      runId: run.id,
      line: 2,
      category: 'Neglect',
      incidentId: `unmatched:cpoms:u-${studentId}`,
      notOnRollEnc: enc('ImportConcernRow', 'notOnRollEnc'),
      occurredAt: now,
    },
  });
  const meeting = await db.meeting.create({
    data: {
      orgId,
      source: 'manual',
      externalId: `m-${studentId}`,
      kind: 'TAC',
      titleEnc: enc('Meeting', 'titleEnc'),
      startsAt: now,
      endsAt: now,
      studentId,
    },
  });
  const note = await db.tacNote.create({
    data: {
      orgId,
      meetingId: meeting.id,
      studentId,
      noteTakerId: staffId,
      contentEnc: enc('TacNote', 'contentEnc'),
    },
  });
  await db.tacNoteRevision.create({
    data: {
      noteId: note.id,
      version: 1,
      contentEnc: enc('TacNoteRevision', 'contentEnc'),
      changedById: staffId,
      changedAt: now,
    },
  });
  await db.tacAction.create({
    data: { noteId: note.id, whatEnc: enc('TacAction', 'whatEnc'), dueOn: '2026-12-01' },
  });
  await db.outboxMessage.create({
    data: {
      idempotencyKey: `k-${studentId}`,
      orgId,
      orderKey: `staff:${staffId}`,
      payloadEnc: enc('OutboxMessage', 'payloadEnc'),
    },
  });
  await db.slackInstallation.create({
    data: { teamId: `T-${studentId}`, dataEnc: enc('SlackInstallation', 'dataEnc'), orgId },
  });
  await db.appSecret.create({ data: { id: `seed-${studentId}`, valueEnc: enc('AppSecret', 'valueEnc') } });
  return {
    concernId: concern.id,
    noteId: note.id,
    meetingId: meeting.id,
    expected: Object.fromEntries(encryptedColumns.map((col) => [contextOf(col), plain(col)])),
  };
}
