const LETTER = /\p{L}/u;
/** The first letter of a name, upper case ('?' if none). Outside studentLabel: a planner tick names thousands. */
const initial = (n: string) => (LETTER.exec(n.trim())?.[0] ?? '?').toUpperCase();
const DIGITS = /^\d+$/;

/**
 * How a child is named outside their record: initials and year group at most (docs/data-protection.md §5:
 * minimisation in chat). Used by every message that may be read by more than the case's named officer.
 * @example studentLabel({ givenName: 'Amelia', familyName: 'Brown-Hughes', yearGroup: '7' }) // 'A.B. (Y7)'
 */
export function studentLabel(s: {
  givenName: string;
  familyName: string;
  yearGroup?: string | null;
}): string {
  const year = s.yearGroup ? ` (${DIGITS.test(s.yearGroup) ? `Y${s.yearGroup}` : s.yearGroup})` : '';
  return `${initial(s.givenName)}.${initial(s.familyName)}.${year}`;
}
