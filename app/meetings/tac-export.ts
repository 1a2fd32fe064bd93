/**
 * TAC notes as a document for people outside the hub (parents, external professionals): Markdown or PDF.
 * The export is access-checked (canViewTacNote) and audited: the record of what was shared, with whom and
 * why (HM Government Information sharing advice for safeguarding practitioners 2024; docs/data-protection.md §6: the export, not the chat, is the record).
 */
import PDFDocument from 'pdfkit';
import { canViewTacNote } from '../../core/access/policy.ts';
import { ForbiddenError, ValidationError } from '../../core/errors.ts';
import type { Actor } from '../../core/ports.ts';
import { tacNoteMarkdown } from '../../core/tac-notes/tac-summary.ts';
import type { Hub } from '../container.ts';
import type { MeetingsService } from './meetings-service.ts';

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
  const allowed = canViewTacNote(actor, service.accessFacts(v.note, v.meeting));
  await hub.audit.record({
    orgId: v.note.orgId,
    actorId: actor.staffId,
    actorKind: 'staff',
    action: allowed ? 'tac.exported' : 'access.denied',
    subjectType: 'tac_note',
    subjectId: v.note.id,
    studentId: v.note.studentId,
    channel,
    details: { format, version: v.note.version, consent: v.note.content?.consent },
  });
  if (!allowed) throw new ForbiddenError('Sorry, your role does not allow you to export these notes.');
  const name = await service.notes.studentName(v.note.studentId);
  const md = tacNoteMarkdown(v.view, name, hub.clock.now().toISOString());
  return format === 'md' ? Buffer.from(md, 'utf8') : await markdownToPdf(md);
}

/** A plain, readable PDF from the Markdown (headings, bullets, table rows); `title` goes in its metadata. */
export function markdownToPdf(md: string, title = 'TAC notes'): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({
      size: 'A4',
      margin: 50,
      info: { Title: title, Producer: 'SEND Hub' },
    });
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    const clean = (s: string) => s.replace(/\*\*(.+?)\*\*/g, '$1').replace(/_(.+?)_/g, '$1');
    for (const line of md.split('\n')) {
      if (line.startsWith('# '))
        doc
          .font('Helvetica-Bold')
          .fontSize(18)
          .text(clean(line.slice(2)))
          .moveDown(0.5);
      else if (line.startsWith('## '))
        doc
          .moveDown(0.5)
          .font('Helvetica-Bold')
          .fontSize(13)
          .text(clean(line.slice(3)));
      else if (/^\|---/.test(line)) continue;
      else if (line.startsWith('|'))
        doc
          .font('Helvetica')
          .fontSize(10)
          .text(
            clean(
              line
                .split('|')
                .slice(1, -1)
                .map((c) => c.trim())
                .join('  ·  '),
            ),
          );
      else if (line.startsWith('- '))
        doc
          .font('Helvetica')
          .fontSize(11)
          .text(`• ${clean(line.slice(2))}`);
      else if (line.trim() === '') doc.moveDown(0.3);
      else doc.font('Helvetica').fontSize(11).text(clean(line));
    }
    doc.end();
  });
}
