/**
 * Keeping Children Safe in Education 2025 (gov.uk): the two KCSIE expectations with a clock.
 * KCSIE is statutory guidance for schools and colleges in England (Education Act 2002 s.175/s.157).
 * - K5 CP file transfer, in school days of the school sending the file (its term dates and INSET days,
 *   docs/deadlines.md, counting). A transfer between terms is recorded on the leaving date: counting school
 *   days from it runs through the holiday and lands on the 5th school day of the new term, which is
 *   KCSIE's "within the first 5 days of a new term" (test/deadlines/kcsie.test.ts).
 * - K7 Allegation against a member of staff: LADO referral within one working day (marked
 *   one-working-day figure "verify"; the rule is `guidance` until checked against KCSIE Part 4).
 *   Nudges for these cases must name neither the member of staff nor the child: see
 *   core/deadlines/case-label.ts.
 */
import type { RulePack } from '../types.ts';

const KCSIE = 'Keeping Children Safe in Education 2025 (DfE statutory guidance)';

export const kcsie2025: RulePack = {
  id: 'england-kcsie@2025',
  title: KCSIE,
  effectiveFrom: '2025-09-01',
  caseKinds: ['CP_FILE_TRANSFER', 'STAFF_ALLEGATION'],
  startEvents: { CP_FILE_TRANSFER: 'pupil_transferred', STAFF_ALLEGATION: 'allegation_reported' },
  rules: [
    {
      id: 'K5',
      name: 'Child protection file sent to the new school (5 school days)',
      caseKinds: ['CP_FILE_TRANSFER'],
      anchor: { events: ['pupil_transferred'], pick: 'first' },
      offset: { unit: 'SD', n: 5 },
      metBy: ['cp_file_receipt_confirmed'],
      leadTimes: ['2wd', '0d'],
      status: 'statutory',
      source:
        `${KCSIE}: CP file to the new school within 5 days of an in-year transfer or within the ` +
        'first 5 days of a new term, separate from the main pupil file, sent securely, with confirmation ' +
        'of receipt (as quoted by Bristol Safeguarding in Education, https://bristolsafeguardingineducation.org/' +
        'resources-and-guidance/resources-for-strategic-safeguarding/transfer-of-safeguarding-and-child-' +
        'protection-files, and Hampshire SCP, https://www.hampshirescp.org.uk/child-protection-record-' +
        'transfer-for-educational-settings-frequently-asked-questions-and-flowchart/); school days in practice',
    },
    {
      id: 'K7',
      name: 'Allegation against staff referred to the LADO (1 working day)',
      caseKinds: ['STAFF_ALLEGATION'],
      anchor: { events: ['allegation_reported'], pick: 'first' },
      offset: { unit: 'WD', n: 1 },
      metBy: ['lado_referred'],
      leadTimes: ['0d'],
      escalate: true,
      status: 'guidance',
      source:
        `${KCSIE} Part 4 (allegations against staff: refer to the LADO; "within one working day" per ` +
        'local safeguarding partnership procedures, unverified: verify against KCSIE Part 4)',
    },
  ],
};
