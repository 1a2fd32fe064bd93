/**
 * Child protection and children in need: Working Together to Safeguard Children 2023 (gov.uk), chapter 3.
 * Timescales in working days (England and Wales bank holidays). The ICPC anchor where there was more
 * than one strategy discussion differs by area ("the last one" in Lincolnshire and Sheffield; "the one
 * that initiated s.47 enquiries" in West Yorkshire): the default is the latest, and a local rules file
 * can override the anchor pick (docs/deadlines.md).
 *
 * Every date here is the local authority's to meet (children's social care decides on the referral,
 * assesses, convenes the conferences: Working Together 2023 ch. 3, https://www.gov.uk/government/publications/working-together-to-safeguard-children--2):
 * `owner: 'la'`, so a school DSL who opened the case on a referral sees them as the LA's key dates and is
 * not nudged for them as their own; the day after one passes with nothing recorded, the case holder and the
 * school's DSL are told once that the LA's date has passed, to chase children's social care
 * (core/deadlines/nudges.ts). No `laOfficer`: at a local authority organisation (its SEN team) they stay
 * children's social care's, not the officer's own. A child-protection case opens on the referral (what the school knows); the strategy
 * discussion is recorded when it has happened, and only then is the ICPC date computed (issue 13).
 */
import type { RulePack } from '../types.ts';

const WT = 'Working Together to Safeguard Children 2023';

export const workingTogether2023: RulePack = {
  id: 'england-working-together@2023',
  title: WT,
  effectiveFrom: '2023-12-15',
  caseKinds: ['CHILD_PROTECTION', 'CHILD_IN_NEED'],
  startEvents: { CHILD_PROTECTION: 'referral_received', CHILD_IN_NEED: 'referral_received' },
  rules: [
    {
      id: 'W1',
      name: 'Referral acknowledged (1 working day)',
      caseKinds: ['CHILD_PROTECTION', 'CHILD_IN_NEED'],
      anchor: { events: ['referral_received'], pick: 'first' },
      offset: { unit: 'WD', n: 1 },
      metBy: ['referral_acknowledged'],
      leadTimes: ['0d'],
      status: 'statutory',
      owner: 'la',
      source: `${WT} ch. 2 (referral decision within one working day)`,
    },
    {
      id: 'W2',
      name: 'Assessment completed (45 working days)',
      caseKinds: ['CHILD_PROTECTION', 'CHILD_IN_NEED'],
      anchor: { events: ['referral_received'], pick: 'first' },
      offset: { unit: 'WD', n: 45 },
      metBy: ['assessment_completed'],
      status: 'statutory',
      owner: 'la',
      source: `${WT} ch. 3 (maximum 45 working days from referral)`,
    },
    {
      id: 'W4',
      name: 'Initial child protection conference (15 working days)',
      caseKinds: ['CHILD_PROTECTION'],
      anchor: { events: ['strategy_discussion'], pick: 'latest' },
      offset: { unit: 'WD', n: 15 },
      metBy: ['icpc_held'],
      status: 'statutory',
      owner: 'la',
      source: `${WT} ch. 3 (ICPC within 15 working days of the strategy discussion); London CP procedures`,
    },
    {
      id: 'W5',
      name: 'First core group meeting (10 working days after ICPC)',
      caseKinds: ['CHILD_PROTECTION'],
      anchor: { events: ['icpc_held'], pick: 'latest' },
      offset: { unit: 'WD', n: 10 },
      metBy: ['core_group_held'],
      status: 'statutory',
      owner: 'la',
      source: `${WT} ch. 3 (core group within 10 working days of the ICPC; exact para: verify)`,
    },
    {
      id: 'W6a',
      name: 'First review conference (within 3 months of ICPC)',
      caseKinds: ['CHILD_PROTECTION'],
      anchor: { events: ['icpc_held'], pick: 'latest' },
      offset: { unit: 'M', n: 3, within: true },
      metBy: ['cp_review_held'],
      status: 'statutory',
      owner: 'la',
      source: `${WT} ch. 3 (first review within 3 months); London CP procedures CP4`,
    },
    {
      id: 'W6b',
      name: 'Review conference (within 6 months of the last)',
      caseKinds: ['CHILD_PROTECTION'],
      anchor: { events: ['cp_review_held'], pick: 'each' },
      offset: { unit: 'M', n: 6, within: true },
      metBy: ['cp_review_held', 'plan_ended'],
      status: 'statutory',
      owner: 'la',
      source: `${WT} ch. 3 (then at intervals of not more than 6 months)`,
    },
  ],
};
