/**
 * Whose duty a deadline is, where the case is held (Rule.owner, Rule.laOfficer). A local authority's duty
 * (a LAC review, an EHC needs-assessment decision) stays the LA's when a school holds the case: shown as the
 * LA's date, never nudged or escalated to school staff as their own. When the organisation holding the case
 * is the local authority itself, its officer is the named officer: the rule reads as an owner's duty.
 */
import type { Rule } from './types.ts';

const atLa = new WeakMap<Rule, Rule>();

/** The rule as seen by an organisation (`localAuthority`: it is the LA); the same object on each call. */
export function ruleHeldBy(rule: Rule, localAuthority: boolean | undefined): Rule {
  if (!localAuthority || !rule.laOfficer || rule.owner !== 'la') return rule;
  let r = atLa.get(rule);
  if (!r) {
    r = { ...rule, owner: 'school' };
    atLa.set(rule, r);
  }
  return r;
}

/** The LA's duty watched from a school: the owner is told once, the day after the date passes. */
export const LA_LATE_LEAD = 'la-late';
