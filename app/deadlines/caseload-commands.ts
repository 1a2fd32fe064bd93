/**
 * Chat `cases` (an officer's own caseload; a manager's team, grouped by officer under headings) and
 * `register` (the SENDCo's SEN register). Private replies; the child by initials and year group.
 */
import { isRestrictedCaseKind } from '../../core/access/policy.ts';
import type { Command } from '../../core/commands/command-registry.ts';
import { message } from '../../core/messages/outgoing-message.ts';
import { hasRole, SAFEGUARDING_ROLES } from '../../core/staff/roles.ts';
import type { Hub } from '../container.ts';
import { caseChatLine, caseViews, reportsOf } from './caseload.ts';
import { registerLine, registerRows } from './caseload-register.ts';
import type { DeadlineService } from './service.ts';

export function caseloadCommands(hub: Hub, svc: DeadlineService): Command[] {
  const cases: Command = {
    name: 'cases',
    usage: 'cases [team|at-risk]',
    summary: 'your open cases with their next deadline (a manager: "cases team" for your officers)',
    async run({ actor, args }) {
      const words = args.toLowerCase().split(/\s+/).filter(Boolean);
      const atRisk = words.includes('at-risk');
      const reports = await reportsOf(hub, actor.staffId);
      const lead = hasRole(actor.roles, ...SAFEGUARDING_ROLES);
      const team = words.includes('team') || (reports.length > 0 && !words.includes('mine'));
      const sections: { heading: string; lines: string[] }[] = [];
      const own = await caseViews(hub, svc, {
        orgId: actor.orgId,
        ownerIds: [actor.staffId],
        status: 'OPEN',
        atRisk,
      });
      if (own.length || !team)
        sections.push({
          heading: `Your cases (${own.length})`,
          lines: own.length ? own.map(caseChatLine) : ['None.'],
        });
      if (team) {
        if (!reports.length)
          sections.push({ heading: 'Your team', lines: ['Nobody has you as line manager.'] });
        for (const r of reports) {
          const vs = await caseViews(hub, svc, {
            orgId: actor.orgId,
            ownerIds: [r.id],
            status: 'OPEN',
            atRisk,
          });
          const risk = vs.filter((v) => v.atRisk).length;
          const overdue = vs.reduce((n, v) => n + v.overdue, 0);
          // Child-protection and staff-allegation cases are counted, not listed, for a manager who is not
          // a safeguarding lead (core/access/policy.ts canViewCase: need-to-know, KCSIE Parts 2 and 4).
          const listed = lead ? vs : vs.filter((v) => !isRestrictedCaseKind(v.kind));
          const hidden = vs.length - listed.length;
          const lines = listed.map(caseChatLine);
          if (hidden)
            lines.push(
              `${hidden} more (child protection or staff allegation): seen only by the officer and the safeguarding leads.`,
            );
          sections.push({
            heading: `${r.displayName}: ${vs.length} open · ${overdue} overdue deadlines · ${risk} at risk`,
            lines: vs.length ? lines : ['No open cases.'],
          });
        }
      }
      const total = sections.reduce((n, s) => n + s.lines.filter((l) => l.startsWith('case ')).length, 0);
      return {
        kind: 'message',
        message: message({
          kind: 'text',
          audience: 'private',
          title: `${team ? 'Team caseload' : 'Your caseload'}${atRisk ? ' at risk' : ''}: ${total} open case${total === 1 ? '' : 's'}`,
          sections,
        }),
      };
    },
  };

  const register: Command = {
    name: 'register',
    usage: 'register',
    summary: 'the SEN register: SEN support, EHCP, in care, next review (SENDCo)',
    async run({ actor }) {
      if (!hasRole(actor.roles, 'SENDCO', 'HEAD', 'ADMIN', 'DESIGNATED_TEACHER'))
        return {
          kind: 'message',
          message: message({
            kind: 'text',
            audience: 'private',
            title: 'Sorry, the SEN register is for the SENDCo (and the head or an admin).',
          }),
        };
      const rows = await registerRows(hub, svc, actor.orgId);
      return {
        kind: 'message',
        message: message({
          kind: 'text',
          audience: 'private',
          title: `SEN register: ${rows.length} pupil${rows.length === 1 ? '' : 's'}`,
          sections: [
            {
              heading: 'Pupil · status · key worker · next review',
              lines: rows.map((r) => registerLine(r, false)),
            },
          ],
        }),
      };
    },
  };
  return [cases, register];
}
