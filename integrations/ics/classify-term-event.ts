/**
 * Which all-day calendar events are term dates (docs/imports.md "Calendars"): INSET days (decided by each school),
 * closures (half term, holidays, bank holidays), and whole terms. Statutory "school day" counts (e.g.
 * suspension reviews, School Discipline (England) Regulations 2012 reg. 6) need the days a school is closed.
 */
export type TermKind = 'TERM' | 'INSET' | 'CLOSURE';

const INSET =
  /\binset\b|training day|staff development|professional development|\bpd day\b|teacher day|staff day/i;
const CLOSURE = /half[\s-]?term|holiday|closed|closure|bank holiday|break\b|polling day/i;
const TERM = /\bterm\b/i;
const MARKER = /\b(starts?|begins?|ends?|finish(es)?|last day|first day|returns?)\b/i;

/** @example classifyTermEvent('INSET day', 1) // 'INSET' ; classifyTermEvent('Autumn Term', 60) // 'TERM' */
export function classifyTermEvent(summary: string, days: number): TermKind | null {
  if (INSET.test(summary)) return 'INSET';
  if (CLOSURE.test(summary)) return 'CLOSURE';
  // "Autumn term" spanning weeks is a term; a one-day "Term starts" is only a marker.
  if (TERM.test(summary) && days > 1 && !MARKER.test(summary)) return 'TERM';
  return null;
}
