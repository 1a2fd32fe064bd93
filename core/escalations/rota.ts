/**
 * Who is on duty: the escalation ladder for an organisation at an instant, from its DSL rota.
 * KCSIE 2025 Part 2 / Annex C: the DSL (or a deputy) should be available during school hours; if they
 * are not, this "should not delay appropriate action" (docs/safeguarding.md), so the ladder goes DSL →
 * deputies (by rank) → head. Out-of-hours and holiday cover entries replace the regular ones for
 * their window.
 */
import { isWeekend } from '../calendar/iso-date.ts';
import type { HolidaySet } from '../calendar/working-days.ts';
import { localDate, localTime } from '../calendar/zoned-time.ts';
import type { Role } from '../staff/roles.ts';

export const rotaLevels = ['DSL', 'DEPUTY_DSL', 'HEAD'] as const;
export type RotaLevel = (typeof rotaLevels)[number];
export const rotaWindows = ['ALWAYS', 'IN_HOURS', 'OUT_OF_HOURS'] as const;
export type RotaWindow = (typeof rotaWindows)[number];

export interface RotaEntry {
  staffId: string;
  level: RotaLevel;
  /** Order within a level: deputy 1 before deputy 2. */
  rank: number;
  window: RotaWindow;
  /** Holiday cover period, inclusive ISO dates; both null = the regular rota. */
  validFrom: string | null;
  validTo: string | null;
}

export interface DutyHours {
  /** "08:00" local. */
  from: string;
  /** "17:30" local (exclusive). */
  until: string;
  zone: string;
  /** Bank holidays and closures count as out of hours. */
  holidays?: HolidaySet;
}

export interface LadderMember {
  staffId: string;
  level: RotaLevel;
  rank: number;
}

/** The ladder: one group per level that has anyone on duty, in escalation order. */
export type Ladder = LadderMember[][];

/** Is `at` inside school hours (a weekday, not a holiday, between from and until local time)? */
export function inHours(at: Date, hours: DutyHours): boolean {
  const date = localDate(at, hours.zone);
  if (isWeekend(date) || hours.holidays?.has(date)) return false;
  const t = localTime(at, hours.zone);
  return t >= hours.from && t < hours.until;
}

const covers = (e: RotaEntry, date: string) =>
  (e.validFrom === null || e.validFrom <= date) && (e.validTo === null || date <= e.validTo);

/**
 * Who is on duty at `at`, level by level. For each level, cover entries (with dates) that apply
 * replace the regular ones, and a window entry (in/out of hours) replaces ALWAYS entries in its window.
 * @example ladderAt(entries, new Date('2026-11-24T10:00:00Z'), hours) // [[dsl], [deputy1, deputy2], [head]]
 */
export function ladderAt(entries: readonly RotaEntry[], at: Date, hours: DutyHours): Ladder {
  const date = localDate(at, hours.zone);
  const window: RotaWindow = inHours(at, hours) ? 'IN_HOURS' : 'OUT_OF_HOURS';
  const ladder: Ladder = [];
  for (const level of rotaLevels) {
    const applicable = entries.filter(
      (e) => e.level === level && (e.window === 'ALWAYS' || e.window === window) && covers(e, date),
    );
    // Most specific wins: holiday cover, then an entry for this window (the on-call DSL), then ALWAYS.
    const cover = applicable.filter((e) => e.validFrom !== null || e.validTo !== null);
    const windowed = applicable.filter((e) => e.window !== 'ALWAYS');
    const chosen = (cover.length > 0 ? cover : windowed.length > 0 ? windowed : applicable).sort(
      (a, b) => a.rank - b.rank,
    );
    const seen = new Set<string>();
    const group: LadderMember[] = [];
    for (const e of chosen) {
      if (seen.has(e.staffId) || ladder.some((g) => g.some((m) => m.staffId === e.staffId))) continue;
      seen.add(e.staffId);
      group.push({ staffId: e.staffId, level, rank: e.rank });
    }
    if (group.length > 0) ladder.push(group);
  }
  return ladder;
}

/**
 * With no rota configured, the ladder comes from roles: DSL, then deputy DSLs, then the head
 * (so a school is never without a route on day one).
 */
export function ladderFromRoles(staff: readonly { id: string; roles: readonly Role[] }[]): Ladder {
  const pick = (role: RotaLevel, taken: Set<string>) =>
    staff
      .filter((s) => s.roles.includes(role) && !taken.has(s.id))
      .map((s, i) => ({ staffId: s.id, level: role, rank: i }));
  const taken = new Set<string>();
  const ladder: Ladder = [];
  for (const level of rotaLevels) {
    const group = pick(level, taken);
    for (const m of group) taken.add(m.staffId);
    if (group.length > 0) ladder.push(group);
  }
  return ladder;
}
