/**
 * How a deadline's case is named in channel text (nudges, escalations, digests). A child is named by
 * initials and year group (docs/data-protection.md §5); a staff allegation names nobody: neither the member of staff
 * nor the child, only "a staff allegation" beside the case reference (KCSIE 2025 Part 4 confidentiality).
 */
import { studentLabel } from '../students/student-label.ts';
import type { CaseKind } from './types.ts';

export const STAFF_ALLEGATION_LABEL = 'a staff allegation';

export function caseSubjectLabel(
  kind: CaseKind | string,
  student: { givenName: string; familyName: string; yearGroup?: string | null },
): string {
  return kind === 'STAFF_ALLEGATION' ? STAFF_ALLEGATION_LABEL : studentLabel(student);
}
