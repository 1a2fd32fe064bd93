/** The case timeline (`send-hub case timeline`, chat): key dates and each deadline's state. */
import { addDays } from '../../core/calendar/iso-date.ts';
import { caseSubjectLabel } from '../../core/deadlines/case-label.ts';
import { endedBy, lateness } from '../../core/deadlines/engine.ts';
import { isPlannedKind, PLANNED_PREFIX } from '../../core/deadlines/events.ts';
import { formatDate } from '../../core/deadlines/nudges.ts';
import { isPlannedKey } from '../../core/deadlines/suspension.ts';
import type { DeadlineService } from './service.ts';
import { suspensionTotalLines } from './suspension-totals.ts';
import { timelineDeadlines } from './timeline-projection.ts';
import { dayNoteOf } from './truth.ts';

/** Key dates, and each deadline met (on time or late), paused, open or overdue. */
export async function caseTimeline(svc: DeadlineService, caseId: string): Promise<string[] | null> {
  let c = await svc.cases.byId(caseId);
  if (!c) return null;
  // Loaded or imported without deadlines (no tick yet): compute them now rather than show none.
  if (c.deadlines.length === 0 && c.status === 'OPEN') {
    await svc.recompute(caseId);
    c = (await svc.cases.byId(caseId)) ?? c;
  }
  // As the next tick will store them, as `case list` reads them (app/deadlines/timeline-projection.ts).
  const deadlines = await timelineDeadlines(svc, c);
  const today = svc.today();
  await svc.ensureHolidays();
  const terms = await svc.cases.termDates([c.orgId]);
  const ctx = svc.calendarsFor(terms)(c.orgId);
  const lines = [
    `Case ${c.reference ?? c.id} · ${c.kind} · ${caseSubjectLabel(c.kind, c.student)} · pack ${c.rulePack} · ${c.status}`,
    ...(await svc.problemsOf(c.id)).map((p) => `Attention: ${p}`),
    'Key dates:',
    ...[...c.eventRows]
      .sort((a, b) => (a.occurredOn < b.occurredOn ? -1 : 1))
      .map((e) =>
        isPlannedKind(e.kind)
          ? `  ${formatDate(e.occurredOn)}  ${e.kind.slice(PLANNED_PREFIX.length)} (planned: ${e.kind === `${PLANNED_PREFIX}first_day_of_suspension` ? 'its 6th school day is counted from it' : 'meets no deadline'})`
          : `  ${formatDate(e.occurredOn)}  ${e.kind}`,
      ),
    // A suspension: the pupil's running totals with their other suspension cases, and which case carries
    // the governing board's date (app/deadlines/suspension-totals.ts).
    ...(await suspensionTotalLines(svc, c)),
    'Deadlines:',
  ];
  if (deadlines.length === 0) lines.push('  none (see Attention above)');
  const exceptions = new Map(c.exceptions.map((e) => [e.ruleId ?? '', e]));
  for (const d of [...deadlines].sort((a, b) => (a.dueOn < b.dueOn ? -1 : 1))) {
    const rule = svc.ruleFor(c.kind, c.rulePack, d.ruleId, c.orgId);
    const name = (rule?.name ?? d.ruleId) + (isPlannedKey(d.ruleId) ? ' (planned start)' : '');
    let state: string;
    if (d.status === 'MET' && rule?.window) {
      // The family's window ("at least 15 days", SEND Regulations 2014 reg 13(1)): a minimum given, not a
      // date to meet. What follows it is never late for it; what came before its end is flagged.
      const by = c.eventRows.find((e) => rule.metBy?.includes(e.kind) && e.occurredOn === d.metOn)?.kind;
      state =
        d.metOn! > d.dueOn
          ? `closed on ${formatDate(d.dueOn)}; ${by ?? 'the next step'} followed on ${formatDate(d.metOn!)}`
          : `⚠ ${by ?? 'the next step'} on ${formatDate(d.metOn!)}, before the window ended (it runs to the end of ${formatDate(d.dueOn)})`;
    } else if (d.status === 'MET') {
      const l = lateness(d.dueOn, d.metOn, today);
      state = l.late
        ? `MET LATE on ${formatDate(d.metOn!)} (${l.days} days late)`
        : `met on ${formatDate(d.metOn!)}`;
    } else if (d.status === 'PAUSED') {
      const e = exceptions.get(d.ruleId);
      const reason = rule?.exceptions?.find((x) => x.code === d.pausedReason);
      const excepted = e?.toDate
        ? ` · excepted date ${formatDate(addDays(d.dueOn, Math.round((Date.parse(e.toDate) - Date.parse(e.fromDate)) / 86_400_000) + 1))}`
        : '';
      state = `PAUSED by exception: ${reason?.label ?? d.pausedReason} (${reason?.source ?? ''}) from ${e ? formatDate(e.fromDate) : '?'}${e?.toDate ? ` to ${formatDate(e.toDate)}` : ''}${excepted}`;
    } else if (d.status === 'CANCELLED') {
      // Ended by a key date (Rule.endedBy: advice outstanding when the final plan is issued), else the rule
      // no longer applies to the case's key dates.
      const end = rule?.endedBy ? endedBy(rule.endedBy, c.eventRows) : undefined;
      // A later step that shows this one was taken (Rule.endedShowsTaken): the step is not recorded, not late.
      state = !end
        ? 'no longer applies'
        : rule?.endedShowsTaken
          ? `not recorded: ${end.kind} on ${formatDate(end.occurredOn)} shows it was taken (record ${rule.metBy?.[0] ?? 'its date'} with its date)`
          : `closed: ${end.kind} on ${formatDate(end.occurredOn)}, no longer needed`;
    } else if (d.dueOn < today && rule?.owner === 'la')
      // The LA's date (Rule.owner): their lateness, not the school's overdue work.
      state = `passed ${lateness(d.dueOn, null, today).days} days ago, nothing recorded: the LA is late`;
    else if (d.dueOn < today && !rule?.window)
      state = `OVERDUE by ${lateness(d.dueOn, null, today).days} days`;
    else state = 'open';
    const note = d.status === 'OPEN' || d.status === 'PAUSED' ? dayNoteOf(d.dueOn, rule, ctx) : '';
    lines.push(
      `  ${formatDate(d.dueOn)}  ${name}${rule?.window ? ' (window)' : ''}${rule?.owner === 'la' ? " (the LA's)" : ''}: ${state}${note}  [${d.id ?? 'new: stored at the next tick'}]`,
    );
    if (rule) lines.push(`      source: ${rule.source}`);
  }
  return lines;
}
