/** Chat commands of the deadline engine: `due`, `digest`, `deadline <verb> <id> …`. */
import type { Command } from '../../core/commands/command-registry.ts';
import { adviceDeadlineOf, adviceLine } from '../../core/deadlines/advice.ts';
import { officerDigest, summarise, teamDigest } from '../../core/deadlines/digest.ts';
import { formatDate } from '../../core/deadlines/nudges.ts';
import { type ActionVerb, message } from '../../core/messages/outgoing-message.ts';
import { meetingKindLabels } from '../../core/reminders/plan-meeting-reminders.ts';
import type { Hub } from '../container.ts';
import { dueLineFormatter } from './due-lines.ts';
import { dueIdText, dueRead } from './due-list.ts';
import type { DeadlineService } from './service.ts';
import { problemLine } from './truth.ts';

/** The safeguarding module's digest section (app/safeguarding/concern-digest.ts), when it is loaded. */
interface ConcernDigestSource {
  digestSection?(orgId: string, staffId: string): Promise<{ heading: string; lines: string[] } | null>;
}

export function deadlineCommands(hub: Hub, svc: DeadlineService): Command[] {
  const due: Command = {
    name: 'due',
    usage: 'due [days]',
    summary: 'your deadlines (and reminders) in the next 14 days, or the number of days you give',
    async run({ actor, args }) {
      const days = Math.min(366, Math.max(1, Number.parseInt(args, 10) || 14));
      // As the next tick will store them, and the cases lacking deadlines, from one read (due-list.ts).
      const { rows, problems } = await dueRead(svc, days, { orgId: actor.orgId, ownerId: actor.staffId });
      const reminders = await hub.reminders.upcoming(
        actor.orgId,
        new Date(hub.clock.now().getTime() + days * 86_400_000),
        actor.staffId,
      );
      // Each reminder by what it is about: the meeting by type and date, the child by initials (issue 14 point 3).
      const lines = await dueLineFormatter(hub, reminders);
      const overdue = rows.filter((r) => r.overdue);
      const soon = rows.filter((r) => !r.overdue);
      const line = (r: (typeof rows)[number]) =>
        `${formatDate(r.dueOn)} · ${r.student} · ${r.ruleName} · case ${r.caseRef}${r.status === 'PAUSED' ? ' (paused)' : ''}${r.dayNote} [${dueIdText(r.id)}]`;
      const today = svc.today();
      // A request for review advice shows its real deadline (reg 20(4)), marked late once past.
      // The meetings those requests are for (type, date and the child's initials and year group).
      const adviceFor = new Map<string, { meeting: string; student: string | null }>();
      for (const r of reminders) {
        const a = adviceDeadlineOf(r, today);
        if (!a || adviceFor.has(r.subjectId)) continue;
        const around = new Date(`${a.meetingOn}T00:00:00Z`).getTime();
        const ms = await hub.meetings.forReminders(
          new Date(around - 86_400_000),
          new Date(around + 2 * 86_400_000),
          actor.orgId,
        );
        const m = ms.find((x) => x.id === r.subjectId);
        if (m)
          adviceFor.set(r.subjectId, {
            meeting: meetingKindLabels[m.kind] ?? 'meeting',
            student: m.studentLabel,
          });
      }
      const reminderLine = (r: (typeof reminders)[number]) => {
        const advice = adviceDeadlineOf(r, today);
        return advice ? adviceLine(advice, adviceFor.get(r.subjectId) ?? {}) : lines.reminderChat(r);
      };
      return {
        kind: 'message',
        message: message({
          kind: 'text',
          audience: 'private',
          title:
            rows.length || reminders.length || problems.length
              ? `Due for you in the next ${days} days`
              : `Nothing due for you in the next ${days} days.`,
          sections: [
            ...(overdue.length
              ? [{ heading: `Overdue deadlines (${overdue.length})`, lines: overdue.map(line) }]
              : []),
            ...(soon.length ? [{ heading: `Deadlines (${soon.length})`, lines: soon.map(line) }] : []),
            ...(reminders.length
              ? [
                  {
                    heading: 'Reminders',
                    lines: reminders.map(reminderLine),
                  },
                ]
              : []),
            ...(problems.length
              ? [
                  {
                    heading: `Cases without all their deadlines (${problems.length})`,
                    lines: problems.map(problemLine),
                  },
                ]
              : []),
          ],
        }),
      };
    },
  };

  const digest: Command = {
    name: 'digest',
    usage: 'digest',
    summary: 'your caseload digest now (and your team view if you manage officers)',
    async run({ actor }) {
      const today = svc.today();
      // As the next tick will store them; the 20-week risk of each open EHC needs assessment, and cases
      // lacking deadlines (issue 14), from the same read (due-list.ts).
      const truth = await dueRead(svc, 3650, { orgId: actor.orgId });
      const rows = truth.rows;
      const items = rows
        .filter((r) => r.ownerId)
        .map((r) => ({
          deadlineId: dueIdText(r.id),
          caseRef: r.caseRef,
          ruleId: r.ruleName,
          ruleName: r.ruleName,
          dueOn: r.dueOn,
          status: r.status as 'OPEN' | 'PAUSED',
          window: r.laOwned,
          ownerId: r.ownerId!,
          studentLabel: r.student,
          atRisk20Weeks: false,
          dayNote: r.dayNote,
        }));
      const summaries = summarise(items, today);
      const staff = await hub.staff.all(actor.orgId);
      const reports = staff.filter((s) => s.lineManagerId === actor.staffId);
      const mine = summaries.get(actor.staffId) ?? {
        ownerId: actor.staffId,
        overdue: [],
        dueSoon: [],
        paused: [],
        open: 0,
      };
      const own = officerDigest(mine, today, 25, {
        atRisk: truth.atRisk.filter((i) => i.ownerId === actor.staffId),
        problems: truth.problems.filter((p) => p.ownerId === actor.staffId).map(problemLine),
      });
      // Safeguarding concerns nobody has acknowledged, first: the DSL, deputies and head only (issue 13).
      const concerns = hub.services.get('concerns') as ConcernDigestSource | undefined;
      const waiting = await concerns?.digestSection?.(actor.orgId, actor.staffId);
      if (waiting) own.sections.unshift(waiting);
      if (reports.length === 0) return { kind: 'message', message: own };
      const team = teamDigest(
        reports.map((r) => ({
          ownerId: r.id,
          name: r.displayName,
          summary: summaries.get(r.id) ?? { ownerId: r.id, overdue: [], dueSoon: [], paused: [], open: 0 },
        })),
        truth.atRisk.filter((i) => reports.some((r) => r.id === i.ownerId)),
        today,
        svc.env.DEADLINE_OVERLOAD,
      );
      return {
        kind: 'message',
        message: message({
          ...own,
          sections: [...own.sections, ...team.sections.map((s) => ({ ...s, heading: `Team: ${s.heading}` }))],
        }),
      };
    },
  };

  const deadline: Command = {
    name: 'deadline',
    usage: 'deadline done|snooze|reassign|pause|resume <id> [date|days|email|reason] [from] [to]',
    summary:
      'act on a deadline by its id (as the buttons do): done 2027-01-04, snooze 3, reassign a@b, pause reg10-4-c, resume',
    async run({ actor, via, args }) {
      const [verb = '', id = '', a1, a2, a3] = args.trim().split(/\s+/);
      const map: Record<string, Record<string, string | undefined>> = {
        done: { metOn: a1 },
        snooze: /^\d{4}-/.test(a1 ?? '') ? { until: a1 } : { days: a1 },
        reassign: { to: a1 },
        pause: { reason: a1, from: a2, to: a3 },
        resume: {},
      };
      if (!map[verb] || !id)
        return {
          kind: 'message',
          message: message({ kind: 'text', audience: 'private', title: `Usage: ${deadline.usage}` }),
        };
      const argsOut = Object.fromEntries(
        Object.entries(map[verb]!).filter(([, v]) => v !== undefined),
      ) as Record<string, string>;
      const r = await hub.actions.dispatch({
        actor,
        via,
        verb: verb as ActionVerb,
        subject: { type: 'deadline', id },
        args: argsOut,
      });
      // What was recorded, and any follow-up (e.g. the Resume button after a pause) in one message.
      const recorded = r.resolved?.text;
      return {
        kind: 'message',
        message: r.reply
          ? recorded
            ? { ...r.reply, text: [recorded, r.reply.title, r.reply.text].filter(Boolean).join('\n') }
            : r.reply
          : message({ kind: 'text', audience: 'private', title: 'Recorded.', text: recorded ?? '' }),
      };
    },
  };

  return [due, digest, deadline];
}
