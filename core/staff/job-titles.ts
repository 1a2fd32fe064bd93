/**
 * Roles from job titles (MIS staff exports: Arbor business roles, SIMS "Post", a "Job Title" column).
 * A title is read against an ordered list of rules; a rule that matches CONSUMES the words it matched, so a
 * later, wider rule cannot match them again: "Deputy DSL" is DEPUTY_DSL and not also DSL, "Deputy
 * Headteacher" is not HEAD, "SEND EHCNA Co-ordinator" is EHCNA_OFFICER and not the generic COORDINATOR.
 * Every member of staff is STAFF; ADMIN is never granted from a title (least privilege: an admin is made by
 * an admin). The default map and how to override it: docs/imports.md "Roles from job titles".
 * Pure: no I/O. Patterns are matched case-insensitively on the title with "-", "_" and "/" read as spaces.
 */
import type { Role } from './roles.ts';

/** Roles a job title can grant (ADMIN never). */
export type TitleRole = Exclude<Role, 'ADMIN'>;

export interface TitleRule {
  /** Regular expression source, matched case-insensitively against the normalised title. */
  match: string;
  /** Roles granted; an empty list means "these words grant nothing more than STAFF". */
  roles: TitleRole[];
}

/** "co-ordinator", "coordinator", "co ordinator" */
const CO = 'co ?ordinator';

/**
 * The default map, most specific first. Each row names the usual variants of the title.
 * Sources for who holds which duty: SEND Regulations 2014 (legislation.gov.uk/uksi/2014/1530) regs 4-13
 * (the LA's EHC needs assessment), reg 49 (the SENCO); Children and Families Act 2014 s.20(5) (designated
 * teacher, Children and Young Persons Act 2008 s.20); KCSIE 2025 Part 2 and Annex C (DSL and deputies).
 */
export const DEFAULT_TITLE_RULES: readonly TitleRule[] = [
  // Safeguarding: the deputy before the lead (KCSIE 2025 Annex C).
  {
    match:
      '\\bdeputy (designated safeguarding lead|safeguarding lead|dsl)\\b|\\bddsl\\b|\\bdeputy safeguarding\\b',
    roles: ['DEPUTY_DSL'],
  },
  { match: '\\bdesignated safeguarding lead\\b|\\bdsl\\b|\\bsafeguarding lead\\b', roles: ['DSL'] },
  // Deputies and assistants of a head are not the head.
  {
    match:
      '\\b(deputy|assistant|vice) (head ?teacher|head|principal)\\b|\\b(deputy|assistant) head of school\\b',
    roles: [],
  },
  { match: '\\bhead ?teacher\\b|\\bprincipal\\b|\\bhead of school\\b|\\bexecutive head\\b', roles: ['HEAD'] },
  // LA SEN service: the manager before the officer.
  {
    match:
      '\\b(send?|senar|ehc|statutory (assessment|send)|send? statutory) (assessment )?(team |service )?manager\\b|\\bhead of (send?|senar) (service|team)\\b|\\bsend? team leader\\b',
    roles: ['SEN_TEAM_MANAGER'],
  },
  {
    match: `\\b(send? )?ehcn?a (${CO}|officer|case ?worker|case officer|lead)\\b|\\behc(p)? (needs assessment |plan )?(${CO}|officer|case ?worker)\\b|\\b(send?|senar) (case ?worker|case officer|officer|assessment officer)\\b|\\bstatutory assessment (officer|${CO})\\b`,
    roles: ['EHCNA_OFFICER'],
  },
  // School SEN lead: SENCO, SENDCo, Inclusion Lead/Manager.
  {
    match: `\\bsend? ?co\\b|\\bsenco\\b|\\bsendco\\b|\\bspecial educational needs( and disabilit(y|ies))? ${CO}\\b|\\binclusion (lead|leader|manager|${CO})\\b|\\bhead of (inclusion|send?)\\b`,
    roles: ['SENDCO'],
  },
  { match: '\\bdesignated teacher\\b', roles: ['DESIGNATED_TEACHER'] },
  // Hospital / home tuition educational care coordinator (ECC).
  { match: `\\beducational care ${CO}\\b|\\becc\\b|\\bcare ${CO}\\b`, roles: ['CARE_COORDINATOR'] },
  // Behaviour and pastoral leads.
  {
    match: `\\bbehaviour (support )?(${CO}|lead|leader|manager|mentor lead)\\b|\\bhead of (behaviour|year|house|pastoral)\\b|\\bpastoral (lead|leader|manager|${CO})\\b|\\bdirector of (behaviour|pastoral)\\b`,
    roles: ['BEHAVIOUR_LEAD'],
  },
  {
    match: `\\battendance (officer|lead|manager|${CO})\\b|\\beducation welfare officer\\b|\\bewo\\b`,
    roles: ['ATTENDANCE_LEAD'],
  },
  { match: '\\bkey ?worker\\b', roles: ['KEY_WORKER'] },
  // Anything else that coordinates (family support, early help) keeps the generic role.
  { match: `\\b${CO}\\b|\\bfamily support\\b|\\bearly help\\b`, roles: ['COORDINATOR'] },
];

/** Lower case, "-", "_", "/", "&" and runs of spaces read as one space. */
export const normaliseTitle = (title: string): string =>
  title
    .toLowerCase()
    .replace(/[-_/&,()]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();

/** Compiled once per map; invalid patterns are refused where the map is loaded (app/config/role-map.ts). */
export function compileTitleRules(rules: readonly TitleRule[]): { re: RegExp; roles: TitleRole[] }[] {
  return rules.map((r) => ({ re: new RegExp(r.match, 'gi'), roles: r.roles }));
}

const defaultCompiled = compileTitleRules(DEFAULT_TITLE_RULES);

/**
 * Roles for a member of staff from their job titles (one or several).
 * @example rolesFromTitles(['SEND EHCNA Co-ordinator']) // ['EHCNA_OFFICER', 'STAFF']
 * @example rolesFromTitles(['Deputy DSL', 'SENCo']) // ['DEPUTY_DSL', 'SENDCO', 'STAFF']
 */
export function rolesFromTitles(
  titles: readonly string[],
  rules: { re: RegExp; roles: TitleRole[] }[] = defaultCompiled,
): TitleRole[] {
  const out = new Set<TitleRole>(['STAFF']);
  for (const title of titles) {
    let rest = ` ${normaliseTitle(title)} `;
    for (const rule of rules) {
      rule.re.lastIndex = 0;
      if (!rule.re.test(rest)) continue;
      for (const role of rule.roles) out.add(role);
      rule.re.lastIndex = 0;
      rest = rest.replace(rule.re, ' ');
    }
  }
  return [...out].sort();
}

const ROLE_LABELS: Record<Role, string> = {
  STAFF: 'staff',
  COORDINATOR: 'coordinator',
  SENDCO: 'SENDCo',
  DSL: 'DSL',
  DEPUTY_DSL: 'deputy DSL',
  HEAD: 'head',
  ADMIN: 'admin',
  DESIGNATED_TEACHER: 'designated teacher',
  BEHAVIOUR_LEAD: 'behaviour lead',
  ATTENDANCE_LEAD: 'attendance lead',
  EHCNA_OFFICER: 'EHCNA officer',
  SEN_TEAM_MANAGER: 'SEN team manager',
  KEY_WORKER: 'key worker',
  CARE_COORDINATOR: 'educational care coordinator',
};

/** A role as people say it ("EHCNA officer", "SEN team manager"). */
export const roleLabel = (role: string): string => ROLE_LABELS[role as Role] ?? role.toLowerCase();
