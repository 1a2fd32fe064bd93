/**
 * Weekly caseload digest (issue 3): per named officer, what is due in the next 2 weeks and what is
 * overdue, with counts per rule; for managers a team view (who is overloaded, which cases risk breaching
 * the 20-week limit). Pure; private messages; children by initials and year group only.
 */
import { addDays, type IsoDate } from '../calendar/iso-date.ts';
import { message, type OutgoingMessage } from '../messages/outgoing-message.ts';
import type { DeadlineStatus } from './engine.ts';
import { formatDate } from './nudges.ts';

export interface DigestItem {
  deadlineId: string;
  caseRef: string;
  ruleId: string;
  ruleName: string;
  dueOn: IsoDate;
  status: DeadlineStatus;
  window: boolean;
  ownerId: string;
  studentLabel: string;
  /** EHCNA final-plan deadline (E7) at risk of breaching 20 weeks (core/deadlines/at-risk.ts). */
  atRisk20Weeks: boolean;
  /** Why ("no draft at week 16; cannot fit: …"), shown beside it. */
  atRiskReason?: string;
  /** The due date falls on a day nobody works: " ⚠ … safe target …" (core/deadlines/day-flags.ts). */
  dayNote?: string;
}

export interface OfficerSummary {
  ownerId: string;
  overdue: DigestItem[];
  dueSoon: DigestItem[];
  paused: DigestItem[];
  open: number;
}

export function summarise(items: DigestItem[], today: IsoDate, days = 14): Map<string, OfficerSummary> {
  const until = addDays(today, days);
  const out = new Map<string, OfficerSummary>();
  for (const i of items) {
    let s = out.get(i.ownerId);
    if (!s) {
      s = { ownerId: i.ownerId, overdue: [], dueSoon: [], paused: [], open: 0 };
      out.set(i.ownerId, s);
    }
    if (i.status === 'PAUSED') s.paused.push(i);
    if (i.status === 'OPEN') {
      s.open++;
      if (i.dueOn < today && !i.window) s.overdue.push(i);
      else if (i.dueOn >= today && i.dueOn <= until) s.dueSoon.push(i);
    }
  }
  for (const s of out.values()) {
    s.overdue.sort((a, b) => (a.dueOn < b.dueOn ? -1 : 1));
    s.dueSoon.sort((a, b) => (a.dueOn < b.dueOn ? -1 : 1));
  }
  return out;
}

const line = (i: DigestItem) =>
  `${formatDate(i.dueOn)} · ${i.studentLabel} · ${i.ruleName} · case ${i.caseRef}${i.dayNote ?? ''}`;

/** An at-risk EHC needs assessment, with the reason. */
const riskLine = (i: DigestItem) =>
  `case ${i.caseRef} · ${i.studentLabel} · final plan due ${formatDate(i.dueOn)}${i.atRiskReason ? ` · ${i.atRiskReason}` : ''}`;

/** Officer digest section: the owner's EHC needs assessments at risk of breaching 20 weeks. */
export function atRiskSection(items: DigestItem[]): { heading: string; lines: string[] } {
  const risky = items.filter((i) => i.atRisk20Weeks);
  return {
    heading: `At risk of breaching 20 weeks (${risky.length})`,
    lines: risky.length ? risky.slice(0, 30).map(riskLine) : ['None.'],
  };
}

function countsPerRule(items: DigestItem[]): string[] {
  const m = new Map<string, number>();
  for (const i of items) m.set(i.ruleName, (m.get(i.ruleName) ?? 0) + 1);
  return [...m.entries()].sort((a, b) => b[1] - a[1]).map(([r, n]) => `${r}: ${n}`);
}

export interface DigestExtras {
  /** The officer's EHC needs assessments at risk of breaching 20 weeks (with reasons). */
  atRisk?: DigestItem[];
  /** Cases that say why they lack deadlines ("case EHC-2: rule pack … is unknown"). */
  problems?: string[];
}

export function officerDigest(
  s: OfficerSummary,
  today: IsoDate,
  limit = 25,
  extras: DigestExtras = {},
): OutgoingMessage {
  const cap = (xs: DigestItem[]) => [
    ...xs.slice(0, limit).map(line),
    ...(xs.length > limit ? [`… and ${xs.length - limit} more (send-hub due --within 14d)`] : []),
  ];
  return message({
    kind: 'digest',
    audience: 'private',
    title: `Your deadlines, week of ${formatDate(today)}: ${s.overdue.length} overdue, ${s.dueSoon.length} due in 2 weeks`,
    sections: [
      { heading: `Overdue (${s.overdue.length})`, lines: s.overdue.length ? cap(s.overdue) : ['None.'] },
      {
        heading: `Due in the next 2 weeks (${s.dueSoon.length})`,
        lines: s.dueSoon.length ? cap(s.dueSoon) : ['None.'],
      },
      ...(s.paused.length
        ? [{ heading: `Paused by an exception (${s.paused.length})`, lines: cap(s.paused) }]
        : []),
      ...(extras.atRisk ? [atRiskSection(extras.atRisk)] : []),
      ...(extras.problems?.length
        ? [
            {
              heading: `Cases without all their deadlines (${extras.problems.length})`,
              lines: extras.problems.slice(0, limit),
            },
          ]
        : []),
      { heading: 'Counts per rule (overdue + due soon)', lines: countsPerRule([...s.overdue, ...s.dueSoon]) },
    ],
  });
}

export interface TeamMember {
  ownerId: string;
  name: string;
  summary: OfficerSummary;
}

/** Overloaded: more than `overload` deadlines due in two weeks, or anything overdue. */
export function teamDigest(
  members: TeamMember[],
  atRisk: DigestItem[],
  today: IsoDate,
  overload: number,
): OutgoingMessage {
  const rows = [...members].sort(
    (a, b) =>
      b.summary.overdue.length - a.summary.overdue.length ||
      b.summary.dueSoon.length - a.summary.dueSoon.length,
  );
  const flagged = rows.filter((m) => m.summary.overdue.length > 0 || m.summary.dueSoon.length > overload);
  return message({
    kind: 'digest',
    audience: 'private',
    title: `Team deadlines, week of ${formatDate(today)}: ${flagged.length} of ${rows.length} officers need attention`,
    sections: [
      {
        // Each figure says what it counts (issue 14 point 3: "Karen Obi: 9 · 2 · 3" had no key).
        heading: 'Caseloads by officer',
        lines: rows.map(
          (m) =>
            `${m.name}: ${m.summary.open} open deadlines · ${m.summary.dueSoon.length} due in 2 weeks · ${m.summary.overdue.length} overdue${flagged.includes(m) ? '  ⚠ overloaded or overdue' : ''}`,
        ),
      },
      atRiskSection(atRisk),
    ],
  });
}
