/** `due` in chat: what is coming up for the person asking (reminders; the deadline engine adds deadlines). */
import type { Command } from '../../core/commands/command-registry.ts';
import { message } from '../../core/messages/outgoing-message.ts';
import type { Hub } from '../container.ts';
import { dueLineFormatter } from '../deadlines/due-lines.ts';

export function dueCommand(hub: Hub): Command {
  return {
    name: 'due',
    usage: 'due [days]',
    summary: 'what is due for you in the next 14 days (or the number of days you give)',
    async run({ actor, args }) {
      const days = Math.min(366, Math.max(1, Number.parseInt(args, 10) || 14));
      const until = new Date(hub.clock.now().getTime() + days * 86_400_000);
      const rows = await hub.reminders.upcoming(actor.orgId, until, actor.staffId);
      // Each reminder by what it is about: the meeting by type and date, the child by initials (issue 14).
      const lines = await dueLineFormatter(hub, rows);
      return {
        kind: 'message',
        message: message({
          kind: 'text',
          audience: 'private',
          title: rows.length
            ? `Due for you in the next ${days} days`
            : `Nothing due for you in the next ${days} days.`,
          sections: rows.length
            ? [
                {
                  heading: 'Reminders',
                  lines: rows.map((r) => lines.reminderChat(r)),
                },
              ]
            : [],
        }),
      };
    },
  };
}
