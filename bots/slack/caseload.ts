/**
 * The App Home caseload for one member of staff: overdue, due soon, open actions. A feature that owns
 * richer data (the deadline engine) can expose a `CaseloadService` under hub.services ('caseload' or
 * 'deadlines'); without one, the hub's own reminders are shown.
 */
import type { Hub } from '../../app/container.ts';
import { message, type OutgoingMessage } from '../../core/messages/outgoing-message.ts';
import type { Actor } from '../../core/ports.ts';

export interface CaseloadService {
  caseload(actor: Actor): Promise<OutgoingMessage[]>;
}

const DUE_SOON_DAYS = 14;

function isCaseloadService(s: unknown): s is CaseloadService {
  return typeof (s as CaseloadService | undefined)?.caseload === 'function';
}

export async function caseloadFor(hub: Hub, actor: Actor): Promise<OutgoingMessage[]> {
  const head = message({
    kind: 'text',
    audience: 'private',
    title: `Your SEND Hub caseload, ${actor.displayName}`,
    text: 'Type `/send help` for commands. Buttons here act straight away.',
    actions: hub.forms.has('concern')
      ? [{ verb: 'open_concern_form', label: 'Raise a concern', style: 'danger', args: {} }]
      : [],
    subject: { type: 'staff', id: actor.staffId },
  });
  for (const name of ['caseload', 'deadlines']) {
    const svc = hub.services.get(name);
    if (isCaseloadService(svc)) return [head, ...(await svc.caseload(actor))];
  }
  const now = hub.clock.now();
  const rows = await hub.reminders.upcoming(
    actor.orgId,
    new Date(now.getTime() + DUE_SOON_DAYS * 86_400_000),
    actor.staffId,
  );
  const fmt = new Intl.DateTimeFormat('en-GB', {
    timeZone: hub.config.env.TIME_ZONE,
    dateStyle: 'medium',
    timeStyle: 'short',
  });
  const line = (r: (typeof rows)[number]) => `${fmt.format(r.dueAt)}: ${r.kind.replaceAll('_', ' ')}`;
  const isAction = (r: (typeof rows)[number]) =>
    r.kind === 'action_nudge' || r.subjectType.endsWith('action');
  const overdue = rows.filter((r) => r.dueAt < now && !isAction(r));
  const soon = rows.filter((r) => r.dueAt >= now && !isAction(r));
  const actions = rows.filter(isAction);
  const part = (title: string, list: typeof rows, empty: string) =>
    message({
      kind: 'digest',
      audience: 'private',
      title,
      text: list.length ? '' : empty,
      sections: list.length ? [{ heading: `${list.length} item(s)`, lines: list.map(line) }] : [],
    });
  return [
    head,
    part('Overdue', overdue, 'Nothing overdue.'),
    part(`Due in the next ${DUE_SOON_DAYS} days`, soon, 'Nothing due soon.'),
    part('Open actions', actions, 'No open actions.'),
  ];
}
