/**
 * Chat `case reassign <reference> <email>`: hand a whole case to another officer (a caseload handover: the
 * officer leaves, goes on leave, or the team's caseloads are rebalanced), for the current officer's line
 * manager, a SEN team manager, a SENDCo or an admin (core/access/policy.ts `canReassignCase`). The case's
 * named officer changes from today, with a row of its assignment history (store/case-assignment-repository.ts)
 * and the audit event in one transaction; its open deadlines that follow the case's officer are nudged to
 * the new one by the next tick. A deadline reassigned on its own (`deadline reassign`) stays with whoever
 * it was given to. Chat `case history <reference>`: who held the case from when to when, for the same
 * people and whoever may view the case (`canReadCaseHistory`). Private replies; the child is never named.
 * `handOverCase` is the handover itself, shared with the CLI (app/deadlines/case-handover-cli.ts).
 */
import { canReadCaseHistory, canReassignCase, require as requireAccess } from '../../core/access/policy.ts';
import type { Command } from '../../core/commands/command-registry.ts';
import { heldLines } from '../../core/deadlines/case-history.ts';
import { message } from '../../core/messages/outgoing-message.ts';
import { CaseAssignmentRepository, type CaseForHandover } from '../../store/case-assignment-repository.ts';
import type { Who } from '../../store/case-repository.ts';
import type { Hub } from '../container.ts';
import type { DeadlineService } from './service.ts';

export const FOLLOW_NOTE =
  'Its deadlines that were not given to someone on their own follow the case; plans issued before today stay counted under the officer who held the case then.';

/** What a handover did: `done` (handed over), `same` (already theirs: nothing to do) or `refused`. */
export interface HandoverOutcome {
  result: 'done' | 'same' | 'refused';
  text: string;
}

/**
 * Hand the case to the active colleague of its organisation with this e-mail, from `fromOn` (today). The
 * caller has checked who may (chat: `canReassignCase`; the CLI is the hub's administrator).
 */
export async function handOverCase(
  hub: Hub,
  assignments: CaseAssignmentRepository,
  c: CaseForHandover,
  toEmail: string,
  fromOn: string,
  who: Who,
): Promise<HandoverOutcome> {
  const ref = c.reference ?? c.id;
  if (c.status !== 'OPEN')
    return { result: 'refused', text: `Case ${ref} is closed: it keeps the officer who held it.` };
  const target = await hub.staff.byEmail(toEmail.toLowerCase(), c.orgId);
  if (!target || !target.active)
    return { result: 'refused', text: `No active colleague ${toEmail} in your organisation.` };
  if (target.id === c.ownerId)
    return { result: 'same', text: `Case ${ref} is already ${target.displayName}'s.` };
  if (!(await assignments.reassign(c, target.id, fromOn, who)))
    return {
      result: 'refused',
      text: `Case ${ref} changed meanwhile (closed, or handed over by someone else): nothing done.`,
    };
  return { result: 'done', text: `Case ${ref} is now ${target.displayName}'s, from today.` };
}

/** The history lines of a case, each officer labelled by `label` (chat: name; CLI: name and e-mail). */
export async function caseHistoryLines(
  assignments: CaseAssignmentRepository,
  c: CaseForHandover,
  label: (o: { displayName: string; email: string }) => string,
  officerNow: { displayName: string; email: string } | null,
): Promise<string[]> {
  const rows = await assignments.history(c.id);
  return heldLines(
    rows.map((r) => ({
      fromOn: r.fromOn,
      beforeHistory: r.beforeHistory,
      officer: r.officer && label(r.officer),
    })),
    c.status === 'OPEN',
    officerNow && label(officerNow),
  );
}

export function caseHandoverCommand(hub: Hub, svc: DeadlineService): Command {
  const assignments = new CaseAssignmentRepository(hub.dbh.db, hub.audit);
  const say = (title: string, text = '') => ({
    kind: 'message' as const,
    message: message({ kind: 'text', audience: 'private', title, text }),
  });
  const command: Command = {
    name: 'case',
    usage: 'case reassign <case reference> <email of the new officer> | case history <case reference>',
    summary:
      "hand a case to another officer from today (the officer's line manager or a SEN team manager); who held a case from when",
    async run({ actor, via, args }) {
      const [verb = '', ref = '', to = ''] = args.trim().split(/\s+/);
      const v = verb.toLowerCase();
      if (!ref || (v === 'reassign' ? !to : v !== 'history')) return say(`Usage: ${command.usage}`);
      const c = await assignments.byReference(actor.orgId, ref);
      // Another organisation's case, or none: the same answer (no hint that a reference exists elsewhere).
      if (!c) return say(`No case ${ref} in your organisation.`);
      if (v === 'history') {
        requireAccess(canReadCaseHistory(actor, c), "read this case's officers");
        const now = c.ownerId ? await hub.staff.byId(c.ownerId) : null;
        const lines = await caseHistoryLines(assignments, c, (o) => o.displayName, now);
        return say(`Case ${ref}: who held it`, lines.join('\n'));
      }
      requireAccess(canReassignCase(actor, c), 'hand this case to another officer');
      const who = { actorId: actor.staffId, actorKind: 'staff' as const, channel: via };
      const r = await handOverCase(hub, assignments, c, to, svc.today(), who);
      return r.result === 'done' ? say(r.text, FOLLOW_NOTE) : say(r.text);
    },
  };
  return command;
}
