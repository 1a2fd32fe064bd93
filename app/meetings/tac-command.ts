/**
 * The `tac` chat command: write the notes for your last TAC meeting, list your open actions, read a note or
 * its history (access-checked with canViewTacNote and audited, allowed or not), and hand the notes to a
 * colleague. Split from meetings-service.ts, which does the work; this file is the command's wording.
 */
import { canViewTacNote } from '../../core/access/policy.ts';
import type { Command } from '../../core/commands/command-registry.ts';
import { message } from '../../core/messages/outgoing-message.ts';
import { refusalReason, tacReadRefusal } from '../../core/tac-notes/tac-recipients.ts';
import { tacSummaryMessage } from '../../core/tac-notes/tac-summary.ts';
import type { Hub } from '../container.ts';
import type { MeetingsService } from './meetings-service.ts';
import { tacActionLine } from './tac-action-line.ts';

export function tacCommand(hub: Hub, service: MeetingsService): Command {
  return {
    name: 'tac',
    usage: 'tac [actions | show <note id> | history <note id> | notetaker <meeting id> <email>]',
    summary: 'write the notes for your last TAC meeting; your open actions; read or amend notes',
    run: async ({ actor, args, via }) => {
      const [sub = '', ...rest] = args.trim().split(/\s+/);
      const reply = (title: string, extra: Parameters<typeof message>[0] | object = {}) => ({
        kind: 'message' as const,
        message: message({ kind: 'text', audience: 'private', title, ...extra }),
      });
      try {
        if (sub === 'actions') {
          const rows = await service.notes.openActionsWithContextOf(actor.staffId);
          return reply(rows.length ? 'Your open TAC actions' : 'You have no open TAC actions.', {
            sections: rows.length ? [{ heading: 'Open', lines: rows.map((r) => tacActionLine(r, hub)) }] : [],
          });
        }
        if (sub === 'show' || sub === 'history') {
          const v = await service.view(rest[0] ?? '');
          if (!v) return reply('No submitted notes with that id.');
          const facts = await service.accessFacts(v.note, v.meeting);
          const allowed = canViewTacNote(actor, facts);
          await hub.audit.record({
            orgId: v.note.orgId,
            actorId: actor.staffId,
            actorKind: 'staff',
            action: allowed ? (sub === 'show' ? 'tac.viewed' : 'tac.history_viewed') : 'access.denied',
            subjectType: 'tac_note',
            subjectId: v.note.id,
            studentId: v.note.studentId,
            channel: via,
            ...(allowed ? {} : { details: { reason: refusalReason(actor.staffId, facts) } }),
          });
          if (!allowed) {
            const refusal = tacReadRefusal(actor.staffId, facts);
            return reply(refusal.title, refusal.text ? { text: refusal.text } : {});
          }
          if (sub === 'show') return { kind: 'message', message: message(tacSummaryMessage(v.view)) };
          const names = new Map((await hub.staff.all(actor.orgId)).map((s) => [s.id, s.displayName]));
          const revs = await service.notes.revisions(v.note.id);
          return reply(`History of notes ${v.note.id}`, {
            sections: [
              {
                heading: 'Versions',
                lines: revs.map(
                  (r) =>
                    `v${r.version} ${r.changedAt.toISOString()} by ${names.get(r.changedById) ?? r.changedById}: ${r.summary ?? ''}`,
                ),
              },
            ],
          });
        }
        if (sub === 'notetaker') {
          const res = await service.onReassign({
            actor,
            via,
            verb: 'reassign',
            subject: { type: 'meeting', id: rest[0] ?? '' },
            args: { to: rest[1] ?? '' },
          });
          return reply(res.resolved?.text ?? 'Done.');
        }
        const form = await service.openForm(actor, sub ? { meetingId: sub } : {});
        return { kind: 'form', form };
      } catch (err) {
        if (err instanceof Error && 'code' in err) return reply(err.message);
        throw err;
      }
    },
  };
}
