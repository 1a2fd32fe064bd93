/**
 * Children who cannot attend school because of health needs (Education Act 1996 s.19,
 * https://www.legislation.gov.uk/ukpga/1996/56/section/19; DfE "Arranging education for children who
 * cannot attend school because of health needs", Dec 2023). A case records each spell of absence as a
 * `first_day_of_absence` and (once known) the child's `return_date`; a second first day with no return
 * recorded since the first is the same absence continuing (one spell, from its earliest first day). From
 * the spells the duties the pack anchors on are derived (docs/deadlines.md, health needs):
 * - `absence_15_school_days` per spell that lasts 15 school days or more, or has no return date yet (a
 *   spell that ends sooner carries no H1 deadline), dated on the spell's first school day, so rule H1's
 *   count of 15 school days "beginning with" it ends on the 15th school day of absence;
 * - `absences_15_school_days_in_year`, at most one per school year (1 September to 31 August): the school
 *   day on which the spells of that year, added up in the school's own school days, reach 15, when an
 *   earlier spell of the year counts towards it (a single spell's 15th day is H1's). A person's own
 *   `absences_reached_15_days` (the register may show absences the spells do not) takes its place for
 *   that school year. Rule H1c anchors on it; its id is the school year's, so a person's date replaces
 *   the hub's on the same deadline.
 * Education arranged in advance meets them: each derived date carries `metFrom`, the child's last return
 * to school before the spell began (no return recorded before it: any earlier date), so teaching a
 * hospital school arranged before a planned admission counts, and teaching arranged for an earlier spell
 * that has ended does not. Pure.
 */
import { addDays, type IsoDate } from '../calendar/iso-date.ts';
import type { SchoolDays } from '../calendar/school-days.ts';

interface Fact {
  id: string;
  kind: string;
  occurredOn: IsoDate;
  /** For a derived anchor: the earliest date an event meets the deadline (default: the anchor's date). */
  metFrom?: IsoDate;
}

export const HEALTH_NEEDS_DERIVED = new Set(['absence_15_school_days', 'absences_15_school_days_in_year']);

/** Before any date a case records: education arranged any time before the spell meets it. */
const ANY_TIME = '0001-01-01';
/** Calendar days a finished spell is walked at most (a spell longer than three years is a typo). */
const MAX_SPELL_DAYS = 3 * 366;

/** The first school day on or after `d` (itself when the school has no day within 60 days). */
function firstSchoolDayFrom(d: IsoDate, sd: SchoolDays): IsoDate {
  for (let x = d, i = 0; i < 60; x = addDays(x, 1), i++) if (sd.isSchoolDay(x)) return x;
  return d;
}

/** The English school year a date falls in, by the year it starts (1 September). */
export const schoolYearOf = (d: IsoDate): number => Number(d.slice(0, 4)) - (d.slice(5, 7) < '09' ? 1 : 0);

interface Spell {
  first: Fact;
  /** The first return recorded after the spell's first day (exclusive end); none: still away. */
  back?: IsoDate;
  metFrom: IsoDate;
}

/**
 * The spells of absence: each begins on a `first_day_of_absence` and ends on the first `return_date` after
 * it. A first day recorded while a spell is still going on (no return recorded between them: a move from
 * the ward to home tuition, a readmission whose discharge and return were not recorded, the same date
 * entered twice) is that absence continuing, not a new one: it starts no clock of its own and its days
 * are not counted twice; the absence counts from its earliest first day.
 */
function spellsOf(events: readonly Fact[]): Spell[] {
  const firsts: Fact[] = [];
  const returns: IsoDate[] = [];
  for (const e of events)
    if (e.kind === 'first_day_of_absence') firsts.push(e);
    else if (e.kind === 'return_date') returns.push(e.occurredOn);
  firsts.sort((a, b) => (a.occurredOn < b.occurredOn ? -1 : a.occurredOn > b.occurredOn ? 1 : 0));
  const spells: Spell[] = [];
  for (const f of firsts) {
    const current = spells[spells.length - 1];
    if (current && (!current.back || f.occurredOn < current.back)) continue;
    let back: IsoDate | undefined;
    let before: IsoDate | undefined;
    for (const r of returns) {
      if (r > f.occurredOn && (!back || r < back)) back = r;
      if (r <= f.occurredOn && (!before || r > before)) before = r;
    }
    spells.push({ first: f, ...(back ? { back } : {}), metFrom: before ?? ANY_TIME });
  }
  return spells;
}

/**
 * Per school year, the school day the spells added up reach 15 and the spell it falls in, when that is
 * not the spell's own 15th day (nor later in it). Spells are walked only while they can still matter: a
 * spell still going on stops at its own 15th school day.
 */
function addedUp(spells: Spell[], sd: SchoolDays): Map<number, { on: IsoDate; spell: Spell }> {
  const out = new Map<number, { on: IsoDate; spell: Spell }>();
  if (spells.length < 2) return out;
  const counted = new Map<number, number>();
  for (const s of spells) {
    let own = 0;
    for (let d = s.first.occurredOn, i = 0; i < MAX_SPELL_DAYS; d = addDays(d, 1), i++) {
      if (s.back ? d >= s.back : own >= 15) break;
      if (!sd.isSchoolDay(d)) continue;
      own++;
      const y = schoolYearOf(d);
      const n = (counted.get(y) ?? 0) + 1;
      counted.set(y, n);
      if (n === 15 && own < 15) out.set(y, { on: d, spell: s });
    }
  }
  return out;
}

export function derivedHealthNeedsEvents(events: readonly Fact[], sd: SchoolDays): Fact[] {
  const spells = spellsOf(events);
  const out: Fact[] = [];
  for (const s of spells) {
    const f = s.first;
    // A return fewer than 15 school days in: no H1 for the spell.
    if (s.back && schoolDaysFrom(f.occurredOn, s.back, sd) < 15) continue;
    out.push({
      id: `${f.id}~h1`,
      kind: 'absence_15_school_days',
      occurredOn: firstSchoolDayFrom(f.occurredOn, sd),
      metFrom: s.metFrom,
    });
  }
  // The person's own record of the day the register reached 15, the latest of each school year.
  const recorded = new Map<number, IsoDate>();
  for (const e of events) {
    if (e.kind !== 'absences_reached_15_days') continue;
    const y = schoolYearOf(e.occurredOn);
    const was = recorded.get(y);
    if (!was || e.occurredOn > was) recorded.set(y, e.occurredOn);
  }
  const hub = addedUp(spells, sd);
  for (const y of new Set([...hub.keys(), ...recorded.keys()])) {
    const mine = recorded.get(y);
    let spell = hub.get(y)?.spell;
    if (mine) {
      spell = undefined;
      for (const s of spells) if (s.first.occurredOn <= mine) spell = s;
    }
    const on = mine ?? hub.get(y)!.on;
    out.push({
      id: `sy${y}~h1c`,
      kind: 'absences_15_school_days_in_year',
      occurredOn: on,
      metFrom: spell ? spell.metFrom : on,
    });
  }
  return out;
}

/** School days from `from` up to (not including) `to`. */
function schoolDaysFrom(from: IsoDate, to: IsoDate, sd: SchoolDays): number {
  let n = 0;
  for (let d = from, i = 0; d < to && i < MAX_SPELL_DAYS; d = addDays(d, 1), i++) if (sd.isSchoolDay(d)) n++;
  return n;
}
