/**
 * TAC notes as a document for people outside the hub (parents, external professionals): Markdown or PDF.
 * The export is access-checked (canViewTacNote) and audited: the record of what was shared, with whom and
 * why (HM Government Information sharing advice for safeguarding practitioners 2024; docs/data-protection.md §6: the export, not the chat, is the record).
 */
import { canViewTacNote } from '../../core/access/policy.ts';
import { ForbiddenError, ValidationError } from '../../core/errors.ts';
import type { Actor } from '../../core/ports.ts';
import { refusalReason, tacReadRefusal } from '../../core/tac-notes/tac-recipients.ts';
import { tacNoteMarkdown } from '../../core/tac-notes/tac-summary.ts';
import type { Hub } from '../container.ts';
import { markdownToPdf } from '../documents/markdown-pdf.ts';
import type { MeetingsService } from './meetings-service.ts';

/** The PDF is drawn by app/documents/markdown-pdf.ts (a Unicode font; scripts it lacks are marked, never dropped). */
export { markdownToPdf };

export type ExportFormat = 'md' | 'pdf';

export async function exportTacNote(
  hub: Hub,
  service: MeetingsService,
  actor: Actor,
  noteId: string,
  format: ExportFormat,
  channel: 'CLI' | 'CONSOLE' | 'TEAMS' | 'SLACK' = 'CLI',
): Promise<Buffer> {
  const v = await service.view(noteId);
  if (!v) throw new ValidationError(`No submitted TAC notes with id ${noteId}.`);
  const facts = await service.accessFacts(v.note, v.meeting);
  const allowed = canViewTacNote(actor, facts);
  await hub.audit.record({
    orgId: v.note.orgId,
    actorId: actor.staffId,
    actorKind: 'staff',
    action: allowed ? 'tac.exported' : 'access.denied',
    subjectType: 'tac_note',
    subjectId: v.note.id,
    studentId: v.note.studentId,
    channel,
    details: {
      format,
      version: v.note.version,
      consent: v.note.content?.consent,
      ...(allowed ? {} : { reason: refusalReason(actor.staffId, facts) }),
    },
  });
  if (!allowed) {
    const refusal = tacReadRefusal(actor.staffId, facts, 'export');
    throw new ForbiddenError([refusal.title, refusal.text].filter(Boolean).join(' '));
  }
  const name = await service.notes.studentName(v.note.studentId);
  const md = tacNoteMarkdown(v.view, name, hub.clock.now().toISOString());
  return format === 'md' ? Buffer.from(md, 'utf8') : await markdownToPdf(md, `TAC notes ${v.note.id}`);
}
