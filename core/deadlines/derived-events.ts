/**
 * Key dates the engine derives from the ones people record, by case kind: a suspension's duties its key
 * dates imply (6th school day, over 15 school days in a term: core/deadlines/suspension.ts) and each
 * health-needs spell of 15 school days or more, and the day a school year's spells add up to 15
 * (core/deadlines/health-needs.ts). Derived kinds are never
 * recorded by a person, so the key-event lists leave them out. Pure.
 */
import type { IsoDate } from '../calendar/iso-date.ts';
import type { SchoolDays } from '../calendar/school-days.ts';
import { derivedHealthNeedsEvents, HEALTH_NEEDS_DERIVED } from './health-needs.ts';
import { derivedSuspensionEvents, DERIVED_EVENTS as SUSPENSION_DERIVED } from './suspension.ts';
import type { CaseKind } from './types.ts';

interface Fact {
  id: string;
  kind: string;
  occurredOn: IsoDate;
  metFrom?: IsoDate;
}

/**
 * For each case kind that has them, its derived key dates from the recorded ones; `others`: the key dates
 * of the same pupil's other cases of the kind in the organisation, where a duty adds them up (suspensions);
 * `today`: the day a suspension with no return date recorded is counted through (it continues).
 */
export const DERIVE_EVENTS: Partial<
  Record<
    CaseKind,
    (
      events: readonly Fact[],
      sd: SchoolDays,
      others?: readonly (readonly Fact[])[],
      today?: IsoDate,
    ) => Fact[]
  >
> = {
  SUSPENSION: derivedSuspensionEvents,
  HEALTH_NEEDS: derivedHealthNeedsEvents,
};

/** Every derived event kind (none is a key date a person records). */
export const DERIVED_EVENT_KINDS: ReadonlySet<string> = new Set([
  ...SUSPENSION_DERIVED,
  ...HEALTH_NEEDS_DERIVED,
]);
