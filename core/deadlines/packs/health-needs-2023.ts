/**
 * Children who cannot attend school because of health needs: the local authority's duty under Education
 * Act 1996 s.19 to arrange suitable education, and the DfE statutory guidance "Arranging education for
 * children who cannot attend school because of health needs" (December 2023). s.19 sets no number of days;
 * the guidance expects education to be arranged as soon as it is clear that the child will be away from
 * school for 15 school days or more, whether consecutive or cumulative. The 15th school day of absence is
 * therefore the latest day, not the aim (docs/deadlines.md). Counted in the school days of the case's
 * organisation (its term dates).
 */
import type { RulePack } from '../types.ts';

const S19 = 'Education Act 1996 s.19 https://www.legislation.gov.uk/ukpga/1996/56/section/19';
const DFE =
  'DfE "Arranging education for children who cannot attend school because of health needs" (Dec 2023) https://www.gov.uk/government/publications/education-for-children-with-health-needs-who-cannot-attend-school';

export const healthNeeds2023: RulePack = {
  id: 'england-health-needs@2023',
  title: `${S19}; ${DFE}`,
  effectiveFrom: '2023-12-01',
  caseKinds: ['HEALTH_NEEDS'],
  startEvents: { HEALTH_NEEDS: 'first_day_of_absence' },
  rules: [
    {
      id: 'H1',
      name: 'Education arranged by the 15th school day of absence (sooner once it is clear)',
      caseKinds: ['HEALTH_NEEDS'],
      // Derived per spell of absence lasting 15 school days or more (first_day_of_absence to return_date,
      // or no return date yet), dated on its first school day; education arranged in advance of the spell
      // (after the child's last return) meets it: core/deadlines/health-needs.ts.
      anchor: { events: ['absence_15_school_days'], pick: 'each' },
      offset: { unit: 'SD', n: 15, inclusiveOfStart: true },
      metBy: ['education_arranged'],
      status: 'guidance',
      source: `${S19} (no number of days in the Act); ${DFE}, "When and how to provide support" (15 school days, consecutive or cumulative; wording to verify: the guidance has no numbered paragraphs)`,
    },
    {
      id: 'H1c',
      name: 'Education arranged (absences this school year added up have reached 15 school days)',
      caseKinds: ['HEALTH_NEEDS'],
      // Derived once per school year: the school day the year's spells of absence add up to 15, or the
      // day a person records `absences_reached_15_days` from the register (theirs wins):
      // core/deadlines/health-needs.ts.
      anchor: { events: ['absences_15_school_days_in_year'], pick: 'each' },
      offset: { unit: 'SD', n: 0 },
      metBy: ['education_arranged'],
      status: 'guidance',
      source: `${S19}; ${DFE}, "When and how to provide support" (cumulative absence; wording to verify)`,
    },
    {
      id: 'H2',
      onSchoolDay: true,
      name: 'Reintegration plan in place on the return to school (guidance)',
      caseKinds: ['HEALTH_NEEDS'],
      anchor: { events: ['return_date'], pick: 'latest' },
      offset: { unit: 'SD', n: 0 },
      metBy: ['reintegration_plan_agreed'],
      leadTimes: ['5wd', '0d'],
      status: 'guidance',
      source: `${DFE}, "Reintegration into school"`,
    },
  ],
};
