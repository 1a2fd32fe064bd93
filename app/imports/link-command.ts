/**
 * Chat command for coordinators: `link` lists meetings whose student was only suggested (a name in the
 * event title), `link <meeting-id> confirm|reject` settles one. A name match is never applied silently.
 * The list shows initials and year only (docs/data-protection.md §5 minimisation), and it is a private reply.
 */
import type { Command } from '../../core/commands/command-registry.ts';
import { message } from '../../core/messages/outgoing-message.ts';
import { hasRole } from '../../core/staff/roles.ts';
import { studentLabel } from '../../core/students/student-label.ts';
import { CalendarSyncRepository } from '../../store/calendar-sync-repository.ts';
import type { Hub } from '../container.ts';

const reply = (title: string, text: string) => ({
  kind: 'message' as const,
  message: message({ kind: 'text', audience: 'private', title, text }),
});

export function linkCommand(hub: Hub): Command {
  const repo = new CalendarSyncRepository(hub.dbh.db);
  return {
    name: 'link',
    usage: 'link [meeting-id confirm|reject]',
    summary: 'confirm which student a calendar meeting is about (coordinators)',
    async run({ actor, args, via }) {
      if (
        !hasRole(
          actor.roles,
          'COORDINATOR',
          'EHCNA_OFFICER',
          'SEN_TEAM_MANAGER',
          'CARE_COORDINATOR',
          'BEHAVIOUR_LEAD',
          'SENDCO',
          'DSL',
          'DEPUTY_DSL',
          'HEAD',
          'DESIGNATED_TEACHER',
          'ADMIN',
        )
      )
        return reply(
          'Not allowed',
          'Only coordinators, SENDCos and safeguarding leads can link meetings to students.',
        );
      const [id, verb] = args.trim().split(/\s+/).filter(Boolean);
      if (!id) {
        const rows = await repo.suggestions(actor.orgId, hub.clock.now());
        if (rows.length === 0) return reply('Meeting links', 'No meetings are waiting for a student link.');
        const fmt = new Intl.DateTimeFormat('en-GB', {
          timeZone: hub.config.env.TIME_ZONE,
          dateStyle: 'medium',
          timeStyle: 'short',
        });
        const lines: string[] = [];
        for (const r of rows) {
          const s = r.suggestedStudentId ? await repo.studentForLabel(r.suggestedStudentId) : null;
          lines.push(
            `${r.id}  ${r.kind}  ${fmt.format(r.startsAt)}  suggested: ${s ? studentLabel(s) : '?'}`,
          );
        }
        lines.push('', 'Reply `link <meeting-id> confirm` or `link <meeting-id> reject`.');
        return reply('Meetings waiting for a student link', lines.join('\n'));
      }
      if (verb !== 'confirm' && verb !== 'reject')
        return reply('Meeting links', 'Usage: link <meeting-id> confirm|reject');
      if ((await repo.meetingOrg(id)) !== actor.orgId)
        return reply('Meeting links', `No meeting ${id} in your organisation.`);
      const done = await repo.confirmSuggestedStudent(id, verb === 'confirm');
      if (!done) return reply('Meeting links', `Meeting ${id} has no suggested student to ${verb}.`);
      await hub.audit.record({
        orgId: actor.orgId,
        actorId: actor.staffId,
        actorKind: 'staff',
        action: verb === 'confirm' ? 'meeting.student.confirmed' : 'meeting.student.rejected',
        subjectType: 'meeting',
        subjectId: id,
        studentId: done.studentId,
        channel: via,
      });
      await hub.events.emit('meetings.changed', { orgId: actor.orgId, meetingIds: [id] });
      return reply(
        'Meeting links',
        verb === 'confirm' ? 'Linked: the meeting now belongs to that student.' : 'Suggestion removed.',
      );
    },
  };
}
