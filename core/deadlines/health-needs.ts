/**
 * Children who cannot attend school because of health needs (Education Act 1996 s.19,
 * https://www.legislation.gov.uk/ukpga/1996/56/section/19; DfE "Arranging education for children who
 * cannot attend school because of health needs", Dec 2023). The key dates a person records (each spell's
 * `first_day_of_absence` and the child's `return_date`) imply the duty the pack anchors on: a derived
 * `absence_15_school_days` event per spell that lasts 15 school days or more, or has no return date yet
 * (a spell that ends sooner carries no H1 deadline). It is dated on the spell's first school day (the
 * recorded day, or the next school day when that one is not), so rule H1's count of 15 school days
 * "beginning with" it ends on the 15th school day of absence.
 * Separate spells are not added up (docs/deadlines.md: the 15 days "consecutive or cumulative"): a person
 * records `absences_reached_15_days` (rule H1c) on the day the child's absences, added up from the
 * register, reach 15 school days. Pure.
 */
import { addDays, type IsoDate } from '../calendar/iso-date.ts';
import type { SchoolDays } from '../calendar/school-days.ts';
import { schoolDaysBetween } from './suspension.ts';

interface Fact {
  id: string;
  kind: string;
  occurredOn: IsoDate;
}

export const HEALTH_NEEDS_DERIVED = new Set(['absence_15_school_days']);

/** The first school day on or after `d` (itself when the school has no day within 60 days). */
function firstSchoolDayFrom(d: IsoDate, sd: SchoolDays): IsoDate {
  for (let x = d, i = 0; i < 60; x = addDays(x, 1), i++) if (sd.isSchoolDay(x)) return x;
  return d;
}

export function derivedHealthNeedsEvents(events: readonly Fact[], sd: SchoolDays): Fact[] {
  const returns = events.filter((e) => e.kind === 'return_date');
  const out: Fact[] = [];
  for (const f of events) {
    if (f.kind !== 'first_day_of_absence') continue;
    let back: Fact | undefined;
    for (const r of returns)
      if (r.occurredOn > f.occurredOn && (!back || r.occurredOn < back.occurredOn)) back = r;
    if (back && schoolDaysBetween(f.occurredOn, back.occurredOn, sd) < 15) continue;
    out.push({
      id: `${f.id}~h1`,
      kind: 'absence_15_school_days',
      occurredOn: firstSchoolDayFrom(f.occurredOn, sd),
    });
  }
  return out;
}
