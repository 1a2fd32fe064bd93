/** Staff roles (domain glossary). A member of staff may hold several (a SENDCo is often a deputy DSL). */
export const roles = [
  'STAFF',
  'COORDINATOR',
  'SENDCO',
  'DSL',
  'DEPUTY_DSL',
  'HEAD',
  'ADMIN',
  'DESIGNATED_TEACHER',
  'BEHAVIOUR_LEAD',
  /** Attendance lead or officer (early-intervention attendance prompts, docs/safeguarding.md). */
  'ATTENDANCE_LEAD',
  /** LA EHC needs assessment officer / coordinator. */
  'EHCNA_OFFICER',
  /** LA SEN team manager (line-manages EHCNA officers). */
  'SEN_TEAM_MANAGER',
  'KEY_WORKER',
  /** Educational care coordinator (hospital or home tuition). */
  'CARE_COORDINATOR',
] as const;
export type Role = (typeof roles)[number];

export const hasRole = (held: readonly Role[], ...wanted: Role[]): boolean =>
  wanted.some((r) => held.includes(r));

/** Safeguarding leads see concerns (KCSIE 2025 Part 2; Annex C: the DSL and deputies). */
export const SAFEGUARDING_ROLES: readonly Role[] = ['DSL', 'DEPUTY_DSL', 'HEAD'];
