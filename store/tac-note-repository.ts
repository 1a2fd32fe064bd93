/**
 * TAC notes (TacNote, TacNoteRevision, TacAction): drafts, submissions and amendments, their revisions, and
 * their actions. The meeting facts and meeting reminders the planner needs are in tac-meeting-repository.ts.
 * Note content and action text are encrypted with the field cipher (docs/data-protection.md §4: encryption at
 * rest); every write is audited in the same transaction as the change it describes.
 */

import type { AuditEventInput, Clock } from '../core/ports.ts';
import type { TacNoteContent } from '../core/tac-notes/tac-form.ts';
import type { AuditRepository } from './audit-repository.ts';
import type { FieldCipher } from './crypto/field-cipher.ts';
import type { Db } from './db.ts';

const NOTE_CTX = 'TacNote.contentEnc';
const REVISION_CTX = 'TacNoteRevision.contentEnc';
/** The context (AAD) an action's task is encrypted under; every reader of `whatEnc` decrypts with it. */
export const ACTION_CTX = 'TacAction.whatEnc';

/** "Ken Keyworker and Parent": every owner of an action (a colleague, an owner outside the hub, or both). */
const ownerLabel = (colleague: string | null, outside: string | null): string =>
  [colleague, outside].filter(Boolean).join(' and ') || 'unassigned';

export interface StoredAction {
  id: string;
  what: string;
  ownerId: string | null;
  ownerName: string | null;
  ownerLabel: string;
  dueOn: string;
  status: string;
}

export interface StoredNote {
  id: string;
  orgId: string;
  meetingId: string | null;
  studentId: string;
  noteTakerId: string;
  noteTakerName: string;
  status: 'DRAFT' | 'SUBMITTED';
  version: number;
  submittedAt: Date | null;
  /** SUBMITTED: the content; DRAFT: `{ draft: values }`. */
  content: TacNoteContent | null;
  draft: Record<string, string> | null;
  actions: StoredAction[];
}

export interface ResolvedActionInput {
  what: string;
  ownerId: string | null;
  ownerName: string | null;
  dueOn: string;
}

export class TacNoteRepository {
  constructor(
    private readonly db: Db,
    private readonly cipher: FieldCipher,
    private readonly audit: AuditRepository,
    private readonly clock: Clock,
  ) {}

  async setNoteTaker(meetingId: string, staffId: string, audit: AuditEventInput): Promise<void> {
    await this.db.$transaction(async (tx) => {
      await tx.meeting.update({ where: { id: meetingId }, data: { noteTakerId: staffId } });
      // A draft started by the previous note-taker passes to the new one.
      await tx.tacNote.updateMany({ where: { meetingId, status: 'DRAFT' }, data: { noteTakerId: staffId } });
      await this.audit.recordIn(tx, audit);
    });
  }

  private async staffNames(ids: string[]): Promise<Map<string, string>> {
    const rows = await this.db.staff.findMany({
      where: { id: { in: [...new Set(ids)] } },
      select: { id: true, displayName: true },
    });
    return new Map(rows.map((r) => [r.id, r.displayName]));
  }

  private async toStored(row: {
    id: string;
    orgId: string;
    meetingId: string | null;
    studentId: string;
    noteTakerId: string;
    status: 'DRAFT' | 'SUBMITTED';
    version: number;
    submittedAt: Date | null;
    contentEnc: string;
    actions: {
      id: string;
      whatEnc: string;
      ownerId: string | null;
      ownerName: string | null;
      dueOn: string;
      status: string;
    }[];
  }): Promise<StoredNote> {
    const names = await this.staffNames([row.noteTakerId, ...row.actions.map((a) => a.ownerId ?? '')]);
    const decoded = this.cipher.decryptJson<{ content?: TacNoteContent; draft?: Record<string, string> }>(
      row.contentEnc,
      NOTE_CTX,
    );
    return {
      id: row.id,
      orgId: row.orgId,
      meetingId: row.meetingId,
      studentId: row.studentId,
      noteTakerId: row.noteTakerId,
      noteTakerName: names.get(row.noteTakerId) ?? 'unknown',
      status: row.status,
      version: row.version,
      submittedAt: row.submittedAt,
      content: decoded.content ?? null,
      draft: decoded.draft ?? null,
      actions: row.actions.map((a) => ({
        id: a.id,
        what: this.cipher.decrypt(a.whatEnc, ACTION_CTX),
        ownerId: a.ownerId,
        ownerName: a.ownerName,
        ownerLabel: ownerLabel(a.ownerId ? (names.get(a.ownerId) ?? 'a colleague') : null, a.ownerName),
        dueOn: a.dueOn,
        status: a.status,
      })),
    };
  }

  private readonly noteSelect = {
    id: true,
    orgId: true,
    meetingId: true,
    studentId: true,
    noteTakerId: true,
    status: true,
    version: true,
    submittedAt: true,
    contentEnc: true,
    actions: {
      select: { id: true, whatEnc: true, ownerId: true, ownerName: true, dueOn: true, status: true },
      orderBy: { id: 'asc' as const },
    },
  } as const;

  async byId(id: string): Promise<StoredNote | null> {
    const row = await this.db.tacNote.findUnique({ where: { id }, select: this.noteSelect });
    return row ? this.toStored(row) : null;
  }

  async forMeeting(meetingId: string): Promise<StoredNote | null> {
    const row = await this.db.tacNote.findFirst({
      where: { meetingId },
      orderBy: { createdAt: 'desc' },
      select: this.noteSelect,
    });
    return row ? this.toStored(row) : null;
  }

  async saveDraft(
    m: { meetingId: string; orgId: string; studentId: string; noteTakerId: string },
    values: Record<string, string>,
    audit: Omit<AuditEventInput, 'subjectId' | 'subjectType'>,
  ): Promise<string> {
    return this.db.$transaction(async (tx) => {
      const existing = await tx.tacNote.findFirst({
        where: { meetingId: m.meetingId },
        select: { id: true, status: true },
      });
      if (existing && existing.status !== 'DRAFT') return existing.id;
      const contentEnc = this.cipher.encryptJson({ draft: values }, NOTE_CTX);
      const id = existing
        ? (await tx.tacNote.update({ where: { id: existing.id }, data: { contentEnc } })).id
        : (
            await tx.tacNote.create({
              data: {
                orgId: m.orgId,
                meetingId: m.meetingId,
                studentId: m.studentId,
                noteTakerId: m.noteTakerId,
                contentEnc,
              },
            })
          ).id;
      await this.audit.recordIn(tx, { ...audit, subjectType: 'tac_note', subjectId: id });
      return id;
    });
  }

  /**
   * Submit (first time) or amend (later) a note. Every version is kept as a TacNoteRevision: who changed
   * it, when, and which sections changed. Actions are matched by position: amended rows keep their id
   * (and their nudges), removed open rows are deleted.
   */
  async submit(
    m: { meetingId: string; orgId: string; studentId: string; noteTakerId: string },
    content: TacNoteContent,
    actions: ResolvedActionInput[],
    by: { staffId: string; changed: (before: TacNoteContent | null) => string },
    audit: Omit<AuditEventInput, 'subjectId' | 'subjectType' | 'details'>,
  ): Promise<{ noteId: string; version: number; amended: boolean; removedActionIds: string[] }> {
    const now = this.clock.now();
    return this.db.$transaction(async (tx) => {
      const existing = await tx.tacNote.findFirst({
        where: { meetingId: m.meetingId },
        select: {
          id: true,
          status: true,
          version: true,
          contentEnc: true,
          actions: { select: { id: true }, orderBy: { id: 'asc' } },
        },
      });
      const before =
        existing?.status === 'SUBMITTED'
          ? (this.cipher.decryptJson<{ content?: TacNoteContent }>(existing.contentEnc, NOTE_CTX).content ??
            null)
          : null;
      const amended = !!before;
      const version = amended ? existing!.version + 1 : 1;
      const contentEnc = this.cipher.encryptJson({ content }, NOTE_CTX);
      const noteId = existing
        ? (
            await tx.tacNote.update({
              where: { id: existing.id },
              data: {
                contentEnc,
                status: 'SUBMITTED',
                version,
                ...(amended ? {} : { submittedAt: now }),
              },
            })
          ).id
        : (
            await tx.tacNote.create({
              data: {
                orgId: m.orgId,
                meetingId: m.meetingId,
                studentId: m.studentId,
                noteTakerId: m.noteTakerId,
                contentEnc,
                status: 'SUBMITTED',
                submittedAt: now,
              },
            })
          ).id;
      const summary = by.changed(before);
      await tx.tacNoteRevision.create({
        data: {
          noteId,
          version,
          contentEnc: this.cipher.encryptJson({ content }, REVISION_CTX),
          changedById: by.staffId,
          changedAt: now,
          summary,
        },
      });
      const old = existing?.actions ?? [];
      for (let i = 0; i < actions.length; i++) {
        const a = actions[i]!;
        const data = {
          whatEnc: this.cipher.encrypt(a.what, ACTION_CTX),
          ownerId: a.ownerId,
          ownerName: a.ownerName,
          dueOn: a.dueOn,
        };
        if (old[i]) await tx.tacAction.update({ where: { id: old[i]!.id }, data });
        else await tx.tacAction.create({ data: { ...data, noteId } });
      }
      const removed = old.slice(actions.length).map((a) => a.id);
      if (removed.length) await tx.tacAction.deleteMany({ where: { id: { in: removed } } });
      await this.audit.recordIn(tx, {
        ...audit,
        action: amended ? 'tac.amended' : 'tac.submitted',
        subjectType: 'tac_note',
        subjectId: noteId,
        details: { version, actions: actions.length, sections: summary },
      });
      return { noteId, version, amended, removedActionIds: removed };
    });
  }

  async revisions(
    noteId: string,
  ): Promise<{ version: number; changedById: string; changedAt: Date; summary: string | null }[]> {
    return this.db.tacNoteRevision.findMany({
      where: { noteId },
      orderBy: { version: 'asc' },
      select: { version: true, changedById: true, changedAt: true, summary: true },
    });
  }

  async action(
    id: string,
  ): Promise<{ id: string; noteId: string; orgId: string; ownerId: string | null; status: string } | null> {
    const a = await this.db.tacAction.findUnique({
      where: { id },
      select: { id: true, noteId: true, ownerId: true, status: true, note: { select: { orgId: true } } },
    });
    return a
      ? { id: a.id, noteId: a.noteId, ownerId: a.ownerId, status: a.status, orgId: a.note.orgId }
      : null;
  }

  async completeAction(id: string, doneOn: string, audit: AuditEventInput): Promise<boolean> {
    return this.db.$transaction(async (tx) => {
      const r = await tx.tacAction.updateMany({
        where: { id, status: 'OPEN' },
        data: { status: 'DONE', doneOn },
      });
      if (r.count === 1) await this.audit.recordIn(tx, audit);
      return r.count === 1;
    });
  }

  /** Open actions owned by a member of staff, with their note's meeting facts (for `tac actions`). */
  async openActionsOf(
    staffId: string,
  ): Promise<{ id: string; what: string; dueOn: string; noteId: string }[]> {
    const rows = await this.db.tacAction.findMany({
      where: { ownerId: staffId, status: 'OPEN' },
      select: { id: true, whatEnc: true, dueOn: true, noteId: true },
      orderBy: { dueOn: 'asc' },
    });
    return rows.map((r) => ({
      id: r.id,
      what: this.cipher.decrypt(r.whatEnc, ACTION_CTX),
      dueOn: r.dueOn,
      noteId: r.noteId,
    }));
  }

  /**
   * Open actions owned by a member of staff with the child and meeting they belong to (issue 14 point 3:
   * `tac actions` names the child by initials and year group, and the meeting by type and date).
   */
  async openActionsWithContextOf(staffId: string): Promise<
    {
      id: string;
      what: string;
      dueOn: string;
      noteId: string;
      student: { givenName: string; familyName: string; yearGroup: string | null };
      meeting: { kind: string; startsAt: Date } | null;
    }[]
  > {
    const rows = await this.db.tacAction.findMany({
      where: { ownerId: staffId, status: 'OPEN' },
      select: {
        id: true,
        whatEnc: true,
        dueOn: true,
        noteId: true,
        note: {
          select: {
            student: { select: { givenName: true, familyName: true, yearGroup: true } },
            meeting: { select: { kind: true, startsAt: true } },
          },
        },
      },
      orderBy: { dueOn: 'asc' },
    });
    return rows.map((r) => ({
      id: r.id,
      what: this.cipher.decrypt(r.whatEnc, ACTION_CTX),
      dueOn: r.dueOn,
      noteId: r.noteId,
      student: r.note.student,
      meeting: r.note.meeting,
    }));
  }

  async studentName(studentId: string): Promise<string> {
    const s = await this.db.student.findUnique({
      where: { id: studentId },
      select: { givenName: true, familyName: true },
    });
    return s ? `${s.givenName} ${s.familyName}` : 'unknown';
  }
}
