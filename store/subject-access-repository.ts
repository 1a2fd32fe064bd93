/**
 * Subject access requests (UK GDPR Art 15; ICO "Right of access" guidance): everything the hub holds about
 * one child, decrypted, with the audit trail of who did what with their records. The DPO reviews the
 * package before disclosure (redacting third-party data and anything exempt under DPA 2018 Sch 2 and
 * Sch 3, e.g. where disclosure would be likely to cause serious harm). This is a read: it changes nothing.
 */
import type { AuditRow } from './audit-repository.ts';
import type { FieldCipher } from './crypto/field-cipher.ts';
import type { Db } from './db.ts';
import { ACTION_CTX } from './tac-note-repository.ts';

export interface SubjectAccessPackage {
  student: Record<string, unknown>;
  cases: Record<string, unknown>[];
  meetings: Record<string, unknown>[];
  concerns: Record<string, unknown>[];
  incidents: Record<string, unknown>[];
  tacNotes: Record<string, unknown>[];
  attendance: Record<string, unknown>[];
  alerts: Record<string, unknown>[];
  audit: AuditRow[];
  /** Values that could not be decrypted (named, so the DPO knows the package is incomplete). */
  unreadable: string[];
}

export class SubjectAccessRepository {
  constructor(
    private readonly db: Db,
    private readonly cipher: FieldCipher,
  ) {}

  async exists(studentId: string): Promise<boolean> {
    return (await this.db.student.count({ where: { id: studentId } })) === 1;
  }

  /**
   * Gather the package. `auditFor` receives the ids of the child's records and returns the audit events
   * about them (AuditRepository.forSubjectAccess).
   */
  async collect(
    studentId: string,
    auditFor: (subjects: { type: string; id: string }[]) => Promise<AuditRow[]>,
  ): Promise<SubjectAccessPackage | null> {
    const unreadable: string[] = [];
    const open = (value: string | null, ctx: string, id: string): unknown => {
      if (value === null) return null;
      try {
        const plain = this.cipher.decrypt(value, ctx);
        // TAC notes and outbox payloads are JSON documents: show them structured.
        if (plain.startsWith('{') || plain.startsWith('[')) {
          try {
            return JSON.parse(plain) as unknown;
          } catch {
            return plain;
          }
        }
        return plain;
      } catch {
        unreadable.push(`${ctx} ${id}`);
        return '[unreadable: key not configured or value tampered]';
      }
    };
    const student = await this.db.student.findUnique({
      where: { id: studentId },
      select: {
        id: true,
        orgId: true,
        upn: true,
        externalId: true,
        givenName: true,
        familyName: true,
        dateOfBirth: true,
        yearGroup: true,
        senStatus: true,
        ehcp: true,
        childInCare: true,
        keyWorkerId: true,
        createdAt: true,
        updatedAt: true,
      },
    });
    if (!student) return null;
    const where = { studentId };
    const cases = await this.db.case.findMany({
      where,
      select: {
        id: true,
        kind: true,
        rulePack: true,
        startDate: true,
        status: true,
        reference: true,
        ownerId: true,
        events: { select: { kind: true, occurredOn: true, note: true, recordedById: true } },
        exceptions: { select: { ruleId: true, reason: true, evidence: true, fromDate: true, toDate: true } },
        deadlines: { select: { ruleId: true, dueOn: true, status: true, metOn: true, pausedReason: true } },
      },
      orderBy: { startDate: 'asc' },
    });
    const meetings = (
      await this.db.meeting.findMany({
        where,
        select: {
          id: true,
          kind: true,
          titleEnc: true,
          startsAt: true,
          endsAt: true,
          status: true,
          source: true,
        },
        orderBy: { startsAt: 'asc' },
      })
    ).map(({ titleEnc, ...m }) => ({ ...m, title: open(titleEnc, 'Meeting.titleEnc', m.id) }));
    const concerns = (
      await this.db.concern.findMany({
        where,
        select: {
          id: true,
          category: true,
          immediateRisk: true,
          textEnc: true,
          actionsTakenEnc: true,
          occurredAt: true,
          raisedAt: true,
          raisedById: true,
          status: true,
          ownerId: true,
          outcome: true,
          outcomeAt: true,
          outcomeNoteEnc: true,
        },
        orderBy: { raisedAt: 'asc' },
      })
    ).map(({ textEnc, actionsTakenEnc, outcomeNoteEnc, ...c }) => ({
      ...c,
      text: open(textEnc, 'Concern.textEnc', c.id),
      actionsTaken: open(actionsTakenEnc, 'Concern.actionsTakenEnc', c.id),
      outcomeNote: open(outcomeNoteEnc, 'Concern.outcomeNoteEnc', c.id),
    }));
    const incidents = (
      await this.db.incident.findMany({
        where,
        select: {
          id: true,
          source: true,
          occurredAt: true,
          categories: true,
          textEnc: true,
          actionsEnc: true,
          status: true,
        },
        orderBy: { occurredAt: 'asc' },
      })
    ).map(({ textEnc, actionsEnc, ...i }) => ({
      ...i,
      text: open(textEnc, 'Incident.textEnc', i.id),
      actions: open(actionsEnc, 'Incident.actionsEnc', i.id),
    }));
    const tacNotes = (
      await this.db.tacNote.findMany({
        where,
        select: {
          id: true,
          meetingId: true,
          noteTakerId: true,
          status: true,
          version: true,
          contentEnc: true,
          submittedAt: true,
          revisions: {
            select: { id: true, version: true, contentEnc: true, changedById: true, changedAt: true },
          },
          actions: {
            select: { id: true, whatEnc: true, ownerId: true, dueOn: true, status: true, doneOn: true },
          },
        },
        orderBy: { createdAt: 'asc' },
      })
    ).map(({ contentEnc, revisions, actions, ...n }) => ({
      ...n,
      content: open(contentEnc, 'TacNote.contentEnc', n.id),
      revisions: revisions.map(({ contentEnc: rc, ...r }) => ({
        ...r,
        content: open(rc, 'TacNoteRevision.contentEnc', r.id),
      })),
      actions: actions.map(({ whatEnc, ...a }) => ({ ...a, what: open(whatEnc, ACTION_CTX, a.id) })),
    }));
    const attendance = await this.db.attendanceRecord.findMany({
      where,
      select: { periodStart: true, periodEnd: true, sessionsPossible: true, sessionsAttended: true },
      orderBy: { periodStart: 'asc' },
    });
    const alerts = await this.db.alert.findMany({
      where,
      select: { ruleId: true, windowKey: true, detail: true, firedAt: true },
      orderBy: { firedAt: 'asc' },
    });
    const subjects = [
      ...cases.flatMap((c) => [{ type: 'case', id: c.id }]),
      ...meetings.map((m) => ({ type: 'meeting', id: m.id })),
      ...concerns.map((c) => ({ type: 'concern', id: c.id })),
      ...incidents.map((i) => ({ type: 'incident', id: i.id })),
      ...tacNotes.flatMap((n) => ['tacNote', 'tac_note', 'tac-note'].map((type) => ({ type, id: n.id }))),
      { type: 'student', id: studentId },
    ];
    const audit = await auditFor(subjects);
    return { student, cases, meetings, concerns, incidents, tacNotes, attendance, alerts, audit, unreadable };
  }
}
