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
  const initial = (n: string) => (n.trim().match(/\p{L}/u)?.[0] ?? '?').toUpperCase();
  const year = s.yearGroup ? ` (${/^\d+$/.test(s.yearGroup) ? `Y${s.yearGroup}` : s.yearGroup})` : '';
  return `${initial(s.givenName)}.${initial(s.familyName)}.${year}`;
}
