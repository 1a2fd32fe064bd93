/**
 * Readable `due` lists (issue 14 point 3): reminders named by what they are about (the meeting by type and
 * date, the deadline by rule and case, the child by initials and year group) and to whom (by name; with the
 * email in the CLI); a deadline's owner is its own owner or else its case's owner.
 */
import type { IsoDate } from '../../core/calendar/iso-date.ts';
import { formatDate } from '../../core/deadlines/nudges.ts';
import { describeReminder, type ReminderFacts } from '../../core/reminders/describe-reminder.ts';
import { ReminderSubjectRepository } from '../../store/reminder-subject-repository.ts';
import type { Hub } from '../container.ts';
import type { DeadlineService } from './service.ts';

export interface DueLineFormatter {
  /** "Fri 11 Dec 2026, 09:00  advice due  annual review meeting Wed 23 Dec 2026, 10:00 · A.B. (Y7)  to …" */
  reminderCli(r: ReminderFacts): string;
  /** "Fri 11 Dec 2026, 09:00: advice due · annual review meeting Wed 23 Dec 2026, 10:00 · A.B. (Y7)" */
  reminderChat(r: ReminderFacts): string;
  /** "Priya Shah <sendco@…>" for a staff id (a deadline's owner), or "no owner". */
  ownerCli(staffId: string | null | undefined): string;
}

export async function dueLineFormatter(
  hub: Hub,
  reminders: readonly ReminderFacts[],
  ownerIds: readonly (string | null | undefined)[] = [],
): Promise<DueLineFormatter> {
  const facts = await new ReminderSubjectRepository(hub.dbh.db, hub.cipher).subjectsOf(
    reminders,
    ownerIds.filter((x): x is string => !!x),
  );
  const svc = hub.services.get('deadlines') as DeadlineService | undefined;
  const fmt = new Intl.DateTimeFormat('en-GB', {
    timeZone: hub.config.env.TIME_ZONE,
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  });
  const when = (d: Date) => fmt.format(d).replace(/^(\w+),/, '$1');
  const ruleName = (kind: string, ruleId: string) => {
    const pack = [...facts.deadlines.values()].find((d) => d.case.kind === kind && d.ruleId === ruleId)?.case
      .rulePack;
    return (pack && svc?.ruleFor(kind, pack, ruleId)?.name) || ruleId;
  };
  const describe = (r: ReminderFacts) =>
    describeReminder(r, facts, when, ruleName, (d) => formatDate(d as IsoDate));
  return {
    reminderCli(r) {
      const d = describe(r);
      const to = d.to ? `${d.to.displayName} <${d.to.email}>` : 'a member of staff no longer on the hub';
      return `${when(r.dueAt)}  ${d.what.padEnd(14)}  ${d.about}  to ${to}  [ref ${d.ref}]`;
    },
    reminderChat(r) {
      const d = describe(r);
      return `${when(r.dueAt)}: ${d.what} · ${d.about}`;
    },
    ownerCli(id) {
      const s = id ? facts.staff.get(id) : undefined;
      return s ? `${s.displayName} <${s.email}>` : 'no owner';
    },
  };
}
