/**
 * Local practice with no national timescale (Working Together to Safeguard Children 2023 sets none): defaults an LA can change in its
 * local rules file. Marked `local`, never presented as law.
 */
import type { RulePack } from '../types.ts';

export const localDefaults2026: RulePack = {
  id: 'england-local-defaults@2026',
  title: 'Local practice defaults (Early Help / TAC; CIN reviews)',
  effectiveFrom: '2014-01-01',
  caseKinds: ['EARLY_HELP', 'LOCAL'],
  startEvents: { EARLY_HELP: 'early_help_started', LOCAL: 'started' },
  rules: [
    {
      id: 'EH1',
      onSchoolDay: true,
      name: 'TAC / Early Help review (every 6 weeks)',
      caseKinds: ['EARLY_HELP'],
      anchor: { events: ['early_help_started', 'tac_review_held'], pick: 'each' },
      offset: { unit: 'CW', n: 6 },
      metBy: ['tac_review_held', 'early_help_closed'],
      leadTimes: ['5wd', '0d'],
      escalate: true,
      status: 'local',
      source: 'Local practice: Lewisham TAF "every 6 weeks" (docs/deadlines.md EH1); configurable',
    },
    {
      id: 'W7',
      name: 'Child in need review (every 4 weeks)',
      caseKinds: ['CHILD_IN_NEED'],
      anchor: { events: ['cin_plan_agreed', 'cin_review_held'], pick: 'each' },
      offset: { unit: 'CW', n: 4 },
      metBy: ['cin_review_held', 'cin_closed'],
      leadTimes: ['3wd', '0d'],
      status: 'local',
      source: 'Local practice: Sefton CIN procedures (no national frequency in Working Together 2023)',
    },
  ],
};
