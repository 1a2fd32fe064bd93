/**
 * Key events (issue 14 point 5): the event kinds each case kind knows, derived from the rule pack itself
 * (start event, every rule's anchors and the events that meet it), so docs/deadlines.md, the engine and
 * the CLI use the same names. An unknown kind is refused naming the valid ones; a date in the future is
 * refused for an event that has happened, unless the kind is a date set in advance (a meeting scheduled,
 * a transfer date, a return date). A planned date (`--planned`) is stored as `planned:<kind>`: no rule
 * anchors on it and it meets no deadline. Pure.
 */
import type { IsoDate } from '../calendar/iso-date.ts';
import { DERIVED_EVENT_KINDS } from './derived-events.ts';
import type { RuleBook } from './registry.ts';
import type { CaseKind } from './types.ts';

/** Key dates that are set in advance by nature: a future date is what they record. */
export const SCHEDULED_EVENTS = new Set([
  'review_meeting_scheduled',
  'transfer_date',
  'post16_transfer_date',
  'post16_other_transfer_date',
  'return_date',
]);

/** Key dates recorded beside the rules' own (they start or meet nothing, but people record them). */
const EXTRA_EVENTS: Partial<Record<CaseKind, string[]>> = {
  EHC_NEEDS_ASSESSMENT: ['advice_received'],
  SUSPENSION: ['suspension_notified', 'first_day_of_suspension', 'return_date', 'exam_missed'],
  PERMANENT_EXCLUSION: ['first_day_of_exclusion'],
  PEP: ['pep_initiated', 'pep_reviewed'],
  // absences_reached_15_days: H1c anchors on the derived date it replaces (core/deadlines/health-needs.ts).
  HEALTH_NEEDS: ['first_day_of_absence', 'return_date', 'absences_reached_15_days'],
};

export const PLANNED_PREFIX = 'planned:';

export const isPlannedKind = (kind: string): boolean => kind.startsWith(PLANNED_PREFIX);

/** The event kinds a case of `kind` under `packId` knows, in first-use order. */
export function eventKindsFor(kind: CaseKind, packId: string, book: RuleBook): string[] {
  const out = new Set<string>();
  const start = book.pack(packId)?.startEvents[kind];
  if (start) out.add(start);
  for (const r of book.rulesFor(kind, packId)) {
    for (const e of r.anchor.events) out.add(e);
    for (const e of r.metBy ?? []) out.add(e);
    for (const e of r.endedBy ?? []) out.add(e);
  }
  for (const e of EXTRA_EVENTS[kind] ?? []) out.add(e);
  return [...out].filter((e) => !DERIVED_EVENT_KINDS.has(e));
}

export type EventCheck =
  | { ok: true; stored: string }
  | { ok: false; field: 'kind' | 'date'; message: string };

/**
 * Check one key event for a case: its kind must be one the case kind knows; a date after `today` is a
 * plan, refused for an event that has happened unless `planned` (or the kind is set in advance).
 * The message names the kind and the valid kinds, never a child or a note.
 */
export function checkEvent(
  input: { caseKind: CaseKind; packId: string; kind: string; occurredOn: IsoDate; planned?: boolean },
  today: IsoDate,
  book: RuleBook,
): EventCheck {
  const valid = eventKindsFor(input.caseKind, input.packId, book);
  if (!valid.includes(input.kind))
    return {
      ok: false,
      field: 'kind',
      message: `event "${input.kind}" is not a key event of ${input.caseKind} cases; expected one of: ${valid.join(', ')}`,
    };
  if (input.planned) {
    if (input.occurredOn < today)
      return {
        ok: false,
        field: 'date',
        message: `--planned ${input.kind} on ${input.occurredOn}: a planned date must be today or later (record the event itself once it has happened)`,
      };
    return { ok: true, stored: `${PLANNED_PREFIX}${input.kind}` };
  }
  if (input.occurredOn > today && !SCHEDULED_EVENTS.has(input.kind))
    return {
      ok: false,
      field: 'date',
      message: `event ${input.kind} on ${input.occurredOn}: that date is in the future and ${input.kind} is an event that has happened; record it on the day, or record a planned date with --planned (${input.kind === 'first_day_of_suspension' ? 'its 6th school day is then counted from it, marked planned' : 'it meets no deadline'})`,
    };
  return { ok: true, stored: input.kind };
}
