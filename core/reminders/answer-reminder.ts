/** "Done" and "snooze" on any reminder, from any channel. */
import { addDays } from '../calendar/iso-date.ts';
import { ForbiddenError } from '../errors.ts';
import { message } from '../messages/outgoing-message.ts';
import type { ActionResult, AuditLog, Clock, InboundAction } from '../ports.ts';

export interface ReminderAnswerPort {
  byId(id: string): Promise<{
    id: string;
    orgId: string;
    recipientId: string;
    subjectType: string;
    subjectId: string;
    status: string;
  } | null>;
  answer(id: string, answer: 'done' | 'snooze', until?: Date): Promise<{ id: string } | null>;
}

const hhmm = (d: Date, zone: string) =>
  new Intl.DateTimeFormat('en-GB', { timeZone: zone, hour: '2-digit', minute: '2-digit' }).format(d);

/** "snooze" args: `until` (ISO date or instant) or `days` (default 1). */
export function snoozeUntil(args: Record<string, string>, now: Date): Date {
  if (args.until) {
    const d = /^\d{4}-\d{2}-\d{2}$/.test(args.until)
      ? new Date(`${args.until}T08:00:00Z`)
      : new Date(args.until);
    if (!Number.isNaN(d.getTime()) && d > now) return d;
  }
  const days = Math.max(1, Math.min(60, Number(args.days ?? '1') || 1));
  return new Date(`${addDays(now.toISOString().slice(0, 10), days)}T08:00:00Z`);
}

export function answerReminderHandler(
  reminders: ReminderAnswerPort,
  audit: AuditLog,
  clock: Clock,
  zone = 'Europe/London',
) {
  return async (action: InboundAction): Promise<ActionResult> => {
    const id = action.args.reminderId ?? action.subject.id;
    const r = await reminders.byId(id);
    if (!r)
      return {
        reply: message({ kind: 'text', audience: 'private', title: 'That reminder no longer exists.' }),
      };
    if (r.recipientId !== action.actor.staffId)
      throw new ForbiddenError('Only the person this reminder was sent to can answer it.');
    const now = clock.now();
    const verb = action.verb === 'snooze' ? 'snooze' : 'done';
    const until = verb === 'snooze' ? snoozeUntil(action.args, now) : undefined;
    const updated = await reminders.answer(id, verb, until);
    if (!updated) return { resolved: { text: 'Already answered.' } };
    await audit.record({
      orgId: r.orgId,
      actorId: action.actor.staffId,
      actorKind: 'staff',
      action: verb === 'done' ? 'reminder.done' : 'reminder.snoozed',
      subjectType: 'reminder',
      subjectId: r.id,
      channel: action.via,
      details: {
        subjectType: r.subjectType,
        subjectId: r.subjectId,
        ...(until ? { until: until.toISOString() } : {}),
      },
    });
    const text =
      verb === 'done'
        ? `Done: marked by ${action.actor.displayName} at ${hhmm(now, zone)}`
        : `Snoozed by ${action.actor.displayName} until ${until!.toISOString().slice(0, 10)}`;
    return { resolved: { text } };
  };
}
