/**
 * Chat `case reassign <reference> <email>`: hand a whole case to another officer (a caseload handover: the
 * officer leaves, goes on leave, or the team's caseloads are rebalanced), for the current officer's line
 * manager, a SEN team manager, a SENDCo or an admin (core/access/policy.ts `canReassignCase`). The case's
 * named officer changes from today, with a row of its assignment history (store/case-assignment-repository.ts)
 * and the audit event in one transaction; its open deadlines that follow the case's officer are nudged to
 * the new one by the next tick. A deadline reassigned on its own (`deadline reassign`) stays with whoever
 * it was given to. Private reply; the child is never named.
 */
import { canReassignCase, require as requireAccess } from '../../core/access/policy.ts';
import type { Command } from '../../core/commands/command-registry.ts';
import { message } from '../../core/messages/outgoing-message.ts';
import { CaseAssignmentRepository } from '../../store/case-assignment-repository.ts';
import type { Hub } from '../container.ts';
import type { DeadlineService } from './service.ts';

export function caseHandoverCommand(hub: Hub, svc: DeadlineService): Command {
  const assignments = new CaseAssignmentRepository(hub.dbh.db, hub.audit);
  const say = (title: string, text = '') => ({
    kind: 'message' as const,
    message: message({ kind: 'text', audience: 'private', title, text }),
  });
  const command: Command = {
    name: 'case',
    usage: 'case reassign <case reference> <email of the new officer>',
    summary: "hand a case to another officer from today (the officer's line manager or a SEN team manager)",
    async run({ actor, via, args }) {
      const [verb = '', ref = '', to = ''] = args.trim().split(/\s+/);
      if (verb.toLowerCase() !== 'reassign' || !ref || !to) return say(`Usage: ${command.usage}`);
      const c = await assignments.byReference(actor.orgId, ref);
      // Another organisation's case, or none: the same answer (no hint that a reference exists elsewhere).
      if (!c) return say(`No case ${ref} in your organisation.`);
      requireAccess(canReassignCase(actor, c), 'hand this case to another officer');
      if (c.status !== 'OPEN') return say(`Case ${ref} is closed: it keeps the officer who held it.`);
      const target = await hub.staff.byEmail(to.toLowerCase(), actor.orgId);
      if (!target || !target.active) return say(`No active colleague ${to} in your organisation.`);
      if (target.id === c.ownerId) return say(`Case ${ref} is already ${target.displayName}'s.`);
      const fromOn = svc.today();
      const who = { actorId: actor.staffId, actorKind: 'staff' as const, channel: via };
      if (!(await assignments.reassign(c, target.id, fromOn, who)))
        return say(`Case ${ref} changed meanwhile (closed, or handed over by someone else): nothing done.`);
      return say(
        `Case ${ref} is now ${target.displayName}'s, from today.`,
        'Its deadlines that were not given to someone on their own follow the case; plans issued before today stay counted under the officer who held the case then.',
      );
    },
  };
  return command;
}
