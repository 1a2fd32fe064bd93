/**
 * Children in care: PEPs under "Promoting the education of looked-after children"
 * (DfE statutory guidance, Feb 2018) and LAC reviews under the Care Planning, Placement and Case Review
 * (England) Regulations 2010 reg 33. The LAC reviews are the responsible authority's ("the responsible
 * authority must review the child's case", reg 33; chaired by the IRO): `owner: 'la'`, `laOfficer`, so a
 * school's designated teacher sees them as the LA's dates and is told when one passes, never nudged or
 * escalated as the school's own (core/deadlines/ownership.ts).
 */
import type { RulePack } from '../types.ts';

const PEP = 'Promoting the education of looked-after children (DfE statutory guidance, Feb 2018)';
const CPR = 'Care Planning, Placement and Case Review (England) Regulations 2010 reg 33';

export const childrenInCare2018: RulePack = {
  id: 'england-children-in-care@2018',
  title: `${PEP}; ${CPR}`,
  effectiveFrom: '2018-02-01',
  caseKinds: ['PEP'],
  startEvents: { PEP: 'became_looked_after' },
  rules: [
    {
      id: 'C1',
      name: 'PEP initiated (10 working days after becoming looked after)',
      caseKinds: ['PEP'],
      anchor: { events: ['became_looked_after'], pick: 'first' },
      offset: { unit: 'WD', n: 10 },
      metBy: ['pep_initiated'],
      status: 'statutory',
      source: `${PEP} (some LAs use 10 school days: override in the local rules file)`,
    },
    {
      id: 'C2',
      onSchoolDay: true,
      name: 'PEP review this term',
      caseKinds: ['PEP'],
      anchor: { events: ['pep_initiated', 'pep_reviewed'], pick: 'each' },
      offset: { unit: 'TERM' },
      metBy: ['pep_reviewed'],
      status: 'statutory',
      source: `${PEP} (PEP reviewed each school term; exact para: verify)`,
    },
    {
      id: 'C3a',
      owner: 'la',
      laOfficer: true,
      name: 'First LAC review (20 working days)',
      caseKinds: ['PEP'],
      anchor: { events: ['became_looked_after'], pick: 'first' },
      offset: { unit: 'WD', n: 20 },
      metBy: ['lac_review_held'],
      status: 'statutory',
      source: `${CPR}(1)(a)`,
    },
    {
      id: 'C3b',
      owner: 'la',
      laOfficer: true,
      name: 'Second LAC review (within 3 months of the first)',
      caseKinds: ['PEP'],
      anchor: { events: ['lac_review_held'], pick: 'first' },
      offset: { unit: 'M', n: 3, within: true },
      metBy: ['lac_review_held'],
      status: 'statutory',
      source: `${CPR}(1)(b)`,
    },
    {
      id: 'C3c',
      owner: 'la',
      laOfficer: true,
      name: 'LAC review (within 6 months of the last)',
      caseKinds: ['PEP'],
      anchor: { events: ['lac_review_held'], pick: 'each', skip: 1 },
      offset: { unit: 'M', n: 6, within: true },
      metBy: ['lac_review_held', 'care_ended'],
      status: 'statutory',
      source: `${CPR}(1)(c)`,
    },
  ],
};
