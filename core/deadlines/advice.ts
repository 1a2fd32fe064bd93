/**
 * Advice for an EHCP annual review (issue 14 point 7). The person arranging the review meeting must obtain
 * advice and information from those invited and circulate it to them at least two weeks before the
 * meeting (SEND Regulations 2014 reg 20(4), legislation.gov.uk/uksi/2014/1530/regulation/20; two weeks'
 * notice of the meeting, reg 20(3)). An author's real deadline is that circulation date: the reminder
 * asking for the advice goes out some working days earlier, and a list must show the deadline (marked late
 * once it has passed), not the reminder's own date. Pure.
 */
import { addDays, daysBetween, type IsoDate } from '../calendar/iso-date.ts';
import { formatDate } from './nudges.ts';

export const ADVICE_SOURCE = 'SEND Regulations 2014 reg 20(4)';

export interface AdviceDeadline {
  /** Advice circulated by (meeting day - 14). */
  dueOn: IsoDate;
  meetingOn: IsoDate;
  late: boolean;
  daysLate: number;
}

/** The advice deadline of a `report_due` reminder (its key ends with the circulation date). */
export function adviceDeadlineOf(
  reminder: { kind: string; dedupeKey: string },
  today: IsoDate,
): AdviceDeadline | null {
  if (reminder.kind !== 'report_due') return null;
  const m = /:(\d{4}-\d{2}-\d{2})$/.exec(reminder.dedupeKey);
  if (!m) return null;
  const dueOn = m[1]!;
  const daysLate = Math.max(0, daysBetween(dueOn, today));
  return { dueOn, meetingOn: addDays(dueOn, 14), late: today > dueOn, daysLate };
}

/**
 * "Advice for the EHCP annual review for A.B. (Y7) on Thu 24 Dec 2026: due by Thu 10 Dec 2026 (…) · LATE
 * by 1 day": the meeting by type and date, the child by initials and year group when known.
 */
export function adviceLine(
  a: AdviceDeadline,
  about: { meeting?: string; student?: string | null } = {},
): string {
  const meeting = about.meeting ?? 'EHCP annual review';
  const who = about.student ? ` for ${about.student}` : '';
  return `Advice for the ${meeting}${who} on ${formatDate(a.meetingOn)}: due by ${formatDate(a.dueOn)} (circulated at least 2 weeks before the meeting, ${ADVICE_SOURCE})${a.late ? ` · LATE by ${a.daysLate} day${a.daysLate === 1 ? '' : 's'}` : ''}`;
}
