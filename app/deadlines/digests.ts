/**
 * The weekly digests (docs/deadlines.md "Nudges, escalation, digest"): on the digest day, one digest per
 * named officer and one team view per line manager, planned by the full sweep.
 */
import type { IsoDate } from '../../core/calendar/iso-date.ts';
import { zonedInstant } from '../../core/calendar/zoned-time.ts';
import { type DigestItem, officerDigest, summarise, teamDigest } from '../../core/deadlines/digest.ts';
import type { ReminderSpec } from '../../core/reminders/reminder.ts';
import type { DeadlinesEnv } from './config.ts';

export const DIGEST_KINDS = ['deadline_digest', 'deadline_team_digest'];
export const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];

export type PlannedDigestItem = DigestItem & { escalateToId: string | null; orgId: string };

/** Whether `today` is the configured digest day. */
export const isDigestDay = (env: DeadlinesEnv, today: IsoDate): boolean =>
  WEEKDAYS[new Date(`${today}T00:00:00Z`).getUTCDay()] === env.DEADLINE_DIGEST_DAY;

/** On the digest day: one digest per named officer, one team view per line manager. */
export function planDigests(
  env: DeadlinesEnv,
  zone: string,
  items: PlannedDigestItem[],
  today: IsoDate,
  names: Map<string, string>,
  problemsByOwner: Map<string, string[]> = new Map(),
): ReminderSpec[] {
  const dow = new Date(`${today}T00:00:00Z`).getUTCDay();
  if (WEEKDAYS[dow] !== env.DEADLINE_DIGEST_DAY) return [];
  const dueAt = zonedInstant(today, env.DEADLINE_NUDGE_TIME, zone);
  const summaries = summarise(items, today);
  const orgOf = new Map<string, string>();
  for (const i of items) orgOf.set(i.ownerId, i.orgId);
  const specs: ReminderSpec[] = [];
  for (const s of summaries.values()) {
    const orgId = orgOf.get(s.ownerId) ?? '';
    specs.push({
      dedupeKey: `deadline-digest:${s.ownerId}:${today}`,
      orgId,
      kind: 'deadline_digest',
      subject: { type: 'deadline_digest', id: s.ownerId },
      recipientId: s.ownerId,
      dueAt,
      priority: 9,
      respectQuietHours: true,
      message: officerDigest(s, today, 25, {
        atRisk: items.filter((i) => i.atRisk20Weeks && i.ownerId === s.ownerId),
        problems: problemsByOwner.get(s.ownerId) ?? [],
      }),
    });
  }
  // Officers per line manager, in order of first appearance.
  const teams = new Map<string, Set<string>>();
  for (const i of items)
    if (i.escalateToId) {
      let team = teams.get(i.escalateToId);
      if (!team) {
        team = new Set();
        teams.set(i.escalateToId, team);
      }
      team.add(i.ownerId);
    }
  const atRiskItems = items.filter((i) => i.atRisk20Weeks);
  for (const [managerId, team] of teams) {
    const officers = [...team];
    const members = officers
      .map((o) => ({ ownerId: o, name: names.get(o) ?? o, summary: summaries.get(o)! }))
      .filter((m) => m.summary);
    const atRisk = atRiskItems.filter((i) => team.has(i.ownerId));
    specs.push({
      dedupeKey: `deadline-team-digest:${managerId}:${today}`,
      orgId: orgOf.get(officers[0]!) ?? '',
      kind: 'deadline_team_digest',
      subject: { type: 'deadline_team_digest', id: managerId },
      recipientId: managerId,
      dueAt,
      priority: 9,
      respectQuietHours: true,
      message: teamDigest(members, atRisk, today, env.DEADLINE_OVERLOAD),
    });
  }
  return specs;
}
