/**
 * Unacknowledged concerns in digests (issue 13, point 4): each concern nobody has acknowledged is shown
 * to the DSL, the deputies and the head until someone does, content-free: its reference, the pupil's
 * initials and year, and how long ago it was raised (red when its acknowledgement time has passed).
 * Never the category, the text or the child's name (UK GDPR Art. 5(1)(c), data minimisation:
 * https://www.legislation.gov.uk/eur/2016/679/article/5). Pure.
 */
import { message, type OutgoingMessage } from '../messages/outgoing-message.ts';
import { hasRole, type Role, SAFEGUARDING_ROLES } from '../staff/roles.ts';

export interface UnacknowledgedConcern {
  ref: string;
  /** "A.B. (Y7)" */
  studentLabel: string;
  raisedAt: Date;
  /** "4 Dec 2026, 10:15 (3 days before it reached you)" when it happened well before it was raised. */
  happened?: string | null;
  /** Past its acknowledgement time: shown red. */
  overdue: boolean;
  immediateRisk: boolean;
}

/** Who sees unacknowledged concerns in a digest: the DSL, the deputies and the head (SAFEGUARDING_ROLES). */
export function onSafeguardingLadder(roles: readonly Role[]): boolean {
  return hasRole(roles, ...SAFEGUARDING_ROLES);
}

/** "12 min", "3 h", "2 days": the age of a concern. */
export function concernAge(raisedAt: Date, now: Date): string {
  const minutes = Math.max(0, Math.floor((now.getTime() - raisedAt.getTime()) / 60_000));
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h`;
  return `${Math.floor(hours / 24)} days`;
}

const line = (c: UnacknowledgedConcern, now: Date) =>
  `${c.overdue ? '🔴 ' : ''}${c.ref} · ${c.studentLabel} · raised ${concernAge(c.raisedAt, now)} ago${c.happened ? ` · happened ${c.happened}` : ''}${c.immediateRisk ? ' · immediate risk' : ''}${c.overdue ? ' · overdue' : ''}`;

/** The digest section, oldest first; null when nothing is waiting (no empty heading in anyone's digest). */
export function unacknowledgedSection(
  items: UnacknowledgedConcern[],
  now: Date,
): { heading: string; lines: string[] } | null {
  if (items.length === 0) return null;
  const sorted = [...items].sort((a, b) => a.raisedAt.getTime() - b.raisedAt.getTime());
  return {
    heading: `Safeguarding concerns not yet acknowledged (${items.length}): acknowledge or escalate now`,
    lines: sorted.map((c) => line(c, now)),
  };
}

/** The weekly message for a member of the ladder when concerns are waiting (the digest day). */
export function unacknowledgedDigest(items: UnacknowledgedConcern[], now: Date): OutgoingMessage | null {
  const section = unacknowledgedSection(items, now);
  if (!section) return null;
  return message({
    kind: 'digest',
    audience: 'private',
    urgent: items.some((c) => c.overdue),
    title: `Safeguarding: ${items.length} concern${items.length === 1 ? '' : 's'} not yet acknowledged`,
    text: 'Type `digest` for the current list; the record opens from the concern message (Open record).',
    sections: [section],
  });
}
