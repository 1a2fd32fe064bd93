/**
 * A reminder in words, for `due` lists in chat and the CLI (issue 14 point 3): what it is ("advice due
 * for"), what it is about (the meeting by type and date, the deadline by rule and case reference; the
 * child by initials and year group, docs/data-protection.md §5), and to whom (by name). Pure.
 */
import { caseSubjectLabel } from '../deadlines/case-label.ts';
import { studentLabel } from '../students/student-label.ts';
import { meetingKindLabels } from './plan-meeting-reminders.ts';

const REMINDER_KIND_LABELS: Record<string, string> = {
  meeting_reminder: 'meeting reminder',
  report_due: 'advice due',
  notes_prompt: 'notes to write',
  notes_overdue: 'notes overdue',
  deadline_nudge: 'deadline',
  deadline_escalation: 'escalated deadline',
  digest: 'weekly digest',
  board_review_required: 'governing board review',
  escalation: 'concern escalation',
  action_nudge: 'TAC action',
};

export const reminderKindLabel = (k: string): string => REMINDER_KIND_LABELS[k] ?? k.replaceAll('_', ' ');

type Child = { givenName: string; familyName: string; yearGroup: string | null };

export interface ReminderFacts {
  id: string;
  kind: string;
  subjectType: string;
  subjectId: string;
  recipientId: string;
  dueAt: Date;
}

export interface SubjectFacts {
  staff: ReadonlyMap<string, { displayName: string; email: string }>;
  meetings: ReadonlyMap<string, { kind: string; startsAt: Date; student: Child | null }>;
  deadlines: ReadonlyMap<
    string,
    {
      ruleId: string;
      dueOn: string;
      case: { kind: string; reference: string | null; id: string; student: Child };
    }
  >;
  /** TAC actions: the task as written (decrypted), its due date and the child. */
  tacActions?: ReadonlyMap<string, { what: string; dueOn: string; student: Child }>;
}

/** An action's task cut to a list line: "Ring the school nurse about the care plan" (at most 48 characters). */
export function shortTask(what: string): string {
  const one = what.replace(/\s+/g, ' ').trim();
  return one.length > 48 ? `${one.slice(0, 47).trimEnd()}…` : one;
}

export interface ReminderDescription {
  what: string;
  about: string;
  to: { displayName: string; email: string } | null;
  /** A short reference to the reminder (for support and the audit trail). */
  ref: string;
}

/**
 * @example describeReminder(r, facts, fmtDate, ruleName)
 * // { what: 'advice due', about: 'annual review meeting Wed 23 Dec 2026, 10:00 · A.B. (Y7)', to: {...} }
 */
export function describeReminder(
  r: ReminderFacts,
  facts: SubjectFacts,
  fmtDateTime: (d: Date) => string,
  ruleName: (caseKind: string, ruleId: string) => string,
  fmtIsoDate: (d: string) => string,
): ReminderDescription {
  let about: string;
  if (r.subjectType === 'meeting') {
    const m = facts.meetings.get(r.subjectId);
    about = m
      ? `${meetingKindLabels[m.kind] ?? 'Meeting'} ${fmtDateTime(m.startsAt)}${m.student ? ` · ${studentLabel(m.student)}` : ''}`
      : 'a meeting no longer in the calendar';
  } else if (r.subjectType === 'deadline') {
    const d = facts.deadlines.get(r.subjectId);
    about = d
      ? `${ruleName(d.case.kind, d.ruleId)} due ${fmtIsoDate(d.dueOn)} · ${caseSubjectLabel(d.case.kind, d.case.student)} · case ${d.case.reference ?? d.case.id.slice(0, 8)}`
      : 'a deadline no longer open';
  } else if (r.subjectType === 'tac_action') {
    const a = facts.tacActions?.get(r.subjectId);
    about = a
      ? `${shortTask(a.what)} · due ${fmtIsoDate(a.dueOn)} · ${studentLabel(a.student)}`
      : 'a TAC action no longer open';
  } else if (r.subjectType === 'deadline_digest') about = 'your caseload';
  else if (r.subjectType === 'deadline_team_digest') about = "your team's caseload";
  else if (r.subjectType === 'concern') about = 'a safeguarding concern (open it with `concern`)';
  else if (r.subjectType === 'alert') about = 'an early-intervention alert';
  else about = r.subjectType.replaceAll('_', ' ');
  return {
    what: reminderKindLabel(r.kind),
    about,
    to: facts.staff.get(r.recipientId) ?? null,
    ref: r.id.slice(0, 10),
  };
}
