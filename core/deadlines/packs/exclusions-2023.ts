/**
 * Suspensions and permanent exclusions: School Discipline (Pupil Exclusions and Reviews)
 * (England) Regulations 2012 and DfE "Suspension and permanent exclusion" guidance (Sept 2023).
 * Counted in school days of the pupil's school (its term dates and INSET days).
 */
import type { RulePack } from '../types.ts';

const REGS = 'School Discipline (Pupil Exclusions and Reviews) (England) Regulations 2012';
const DFE = 'DfE Suspension and permanent exclusion guidance (Sept 2023)';

export const exclusions2023: RulePack = {
  id: 'england-exclusions@2023',
  title: `${REGS}; ${DFE}`,
  effectiveFrom: '2023-09-01',
  caseKinds: ['SUSPENSION', 'PERMANENT_EXCLUSION'],
  startEvents: { SUSPENSION: 'suspension_notified', PERMANENT_EXCLUSION: 'exclusion_notified' },
  rules: [
    // A permanently excluded pupil's education from the 6th school day is the local authority's duty (EA 1996
    // s.19(3A)), not the school's: held at a school it is shown as the LA's date and the case holder is told
    // when it passes; at the LA its officer is nudged (core/deadlines/ownership.ts).
    {
      id: 'X5',
      owner: 'la',
      laOfficer: true,
      name: 'Education from the 6th school day (permanent exclusion)',
      caseKinds: ['PERMANENT_EXCLUSION'],
      anchor: { events: ['first_day_of_exclusion'], pick: 'first' },
      offset: { unit: 'SD', n: 6, inclusiveOfStart: true },
      metBy: ['provision_arranged'],
      status: 'statutory',
      source: `Education Act 1996 s.19(3A)-(3B) (inserted by Education and Inspections Act 2006 s.101) https://www.legislation.gov.uk/ukpga/2006/40/section/101; the sixth school day: Education (Provision of Full-Time Education for Excluded Pupils) (England) Regulations 2007 (SI 2007/1870) reg 4; ${DFE}`,
    },
    {
      id: 'X5s',
      name: 'Education from the 6th school day (school, for a suspension)',
      caseKinds: ['SUSPENSION'],
      // Derived per suspension longer than 5 school days (first_day_of_suspension to return_date, or no
      // return date yet): core/deadlines/suspension.ts.
      anchor: { events: ['suspension_beyond_5_days'], pick: 'each' },
      offset: { unit: 'SD', n: 6, inclusiveOfStart: true },
      metBy: ['provision_arranged'],
      status: 'statutory',
      source: `Education and Inspections Act 2006 s.100 (the governing board's duty); the sixth school day: SI 2007/1870 reg 3; ${DFE}`,
    },
    {
      id: 'X6',
      name: 'Governing board considers reinstatement (15 school days)',
      caseKinds: ['PERMANENT_EXCLUSION'],
      anchor: { events: ['exclusion_notified'], pick: 'first' },
      offset: { unit: 'SD', n: 15 },
      metBy: ['board_meeting_held'],
      status: 'statutory',
      source: `${REGS} reg 6 (maintained), reg 24 (academies); ${DFE}`,
    },
    {
      id: 'X6s',
      name: 'Governing board considers reinstatement (over 15 school days in a term, or exam missed)',
      caseKinds: ['SUSPENSION'],
      // Derived when the suspensions recorded in one term pass 15 school days (from the notice of the one
      // that does: reg 6(3)); recorded by hand when a public exam would be missed.
      anchor: { events: ['board_review_required'], pick: 'latest' },
      offset: { unit: 'SD', n: 15 },
      metBy: ['board_meeting_held'],
      status: 'statutory',
      source: `${REGS} reg 6(3)(b), (5) (maintained), reg 24 (academies) https://www.legislation.gov.uk/uksi/2012/1033/regulation/6; ${DFE}`,
    },
    {
      id: 'X7',
      name: 'Board considers representations (5-15 days in a term: 50 school days)',
      caseKinds: ['SUSPENSION'],
      anchor: { events: ['representations_received'], pick: 'latest' },
      offset: { unit: 'SD', n: 50 },
      metBy: ['board_meeting_held'],
      status: 'statutory',
      source: `${REGS} reg 6(4); ${DFE}`,
    },
    {
      id: 'X9',
      name: 'Independent review panel meets (15 school days of the application)',
      caseKinds: ['PERMANENT_EXCLUSION'],
      anchor: { events: ['irp_application_received'], pick: 'latest' },
      offset: { unit: 'SD', n: 15 },
      metBy: ['irp_held'],
      status: 'statutory',
      source: `${REGS} Sch. 1 para 6; ${DFE}`,
    },
    {
      id: 'X9b',
      name: 'Board reconsiders after the review panel (10 school days; verify)',
      caseKinds: ['PERMANENT_EXCLUSION'],
      anchor: { events: ['irp_decision'], pick: 'latest' },
      offset: { unit: 'SD', n: 10 },
      metBy: ['board_reconsidered'],
      status: 'guidance',
      source: `${DFE} (IRP recommendations; to verify against the guidance)`,
    },
    {
      id: 'X10',
      onSchoolDay: true,
      name: 'Reintegration meeting on return (good practice)',
      caseKinds: ['SUSPENSION', 'PERMANENT_EXCLUSION'],
      anchor: { events: ['return_date'], pick: 'latest' },
      offset: { unit: 'SD', n: 0 },
      metBy: ['reintegration_meeting_held'],
      leadTimes: ['3wd', '0d'],
      status: 'guidance',
      source: `${DFE} (reintegration: not statutory since 2012, expected practice)`,
    },
  ],
};
