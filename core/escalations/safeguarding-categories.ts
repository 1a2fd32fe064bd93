/**
 * Which imported incident categories are safeguarding ones: an explicit list of exact categories, never a
 * substring ("Behaviour > Verbal abuse", a pupil swearing at a TA, is not abuse of a child). Categories are
 * compared after normalising case, runs of whitespace and the " > " hierarchy separator, so
 * "safeguarding>neglect" and "Safeguarding  >  Neglect" are the same category. Two wildcards, on whole
 * hierarchy levels only: "Safeguarding > *" is every sub-category of Safeguarding (not Safeguarding itself),
 * and "* > Neglect" is Neglect under any parent. The default lists and how to override them per organisation
 * are in docs/imports.md ("Which categories raise a concern").
 */

/** "  Safeguarding>  Neglect " -> "safeguarding > neglect". */
export function normaliseCategory(category: string): string {
  return category
    .split('>')
    .map((p) => p.trim().replace(/\s+/g, ' ').toLowerCase())
    .filter((p) => p !== '')
    .join(' > ');
}

/** A compiled list of exact categories and whole-level wildcards. */
export interface CategoryList {
  readonly size: number;
  /** The first incident category on the list, as the file gave it (or null). */
  first(categories: readonly string[]): string | null;
}

export function categoryList(entries: readonly string[]): CategoryList {
  const exact = new Set<string>();
  const subtree: string[] = [];
  const leaf = new Set<string>();
  for (const e of entries) {
    const n = normaliseCategory(e);
    if (n === '' || n === '*') continue;
    if (n.endsWith(' > *')) subtree.push(n.slice(0, -1));
    else if (n.startsWith('* > ')) leaf.add(n.slice(4));
    else exact.add(n);
  }
  const hit = (n: string): boolean => {
    if (exact.has(n)) return true;
    if (subtree.some((p) => n.startsWith(p))) return true;
    const i = n.lastIndexOf(' > ');
    return i >= 0 && leaf.has(n.slice(i + 3));
  };
  return {
    size: exact.size + subtree.length + leaf.size,
    first(categories) {
      for (const c of categories) if (hit(normaliseCategory(c))) return c;
      return null;
    },
  };
}

/**
 * Default safeguarding categories. CPOMS ships a "Safeguarding" / "Child Protection" parent with the four
 * categories of abuse and neglect of Keeping children safe in education 2025 (Part one, paras 24-28) and
 * the specific safeguarding issues of its Annex B below it; schools often use those names as top-level
 * categories too. Behaviour types of a MIS (the SIMS and Arbor defaults: "Verbal Abuse", "Physical Assault
 * Against Pupil", "Bullying", "Racist Abuse", "Damage", "Disruptive Behaviour" ...) are deliberately absent:
 * they record conduct, and a school that wants one of them to reach the DSL adds it to its own list.
 */
export const DEFAULT_SAFEGUARDING_CATEGORIES: readonly string[] = [
  'Safeguarding',
  'Safeguarding > *',
  'Child Protection',
  'Child Protection > *',
  'Neglect',
  'Physical Abuse',
  'Emotional Abuse',
  'Sexual Abuse',
  'Domestic Abuse',
  'Child-on-child Abuse',
  'Peer on Peer Abuse',
  'Sexual Violence and Sexual Harassment',
  'Child Sexual Exploitation',
  'CSE',
  'Child Criminal Exploitation',
  'CCE',
  'County Lines',
  'Female Genital Mutilation',
  'FGM',
  'Forced Marriage',
  'Honour-based Abuse',
  'Radicalisation',
  'Prevent',
  'Self-harm',
  'Mental Health > Self-harm',
  'Children Absent from Education',
  'Child Missing from Education',
  'Online Safety',
];

/**
 * Default categories that also set the concern's immediate-risk flag (the 5-minute ladder). Female genital
 * mutilation carries a mandatory duty on teachers to report a known case to the police (Female Genital
 * Mutilation Act 2003 s.5B, https://www.legislation.gov.uk/ukpga/2003/31/section/5B); every other category
 * starts on the normal ladder unless the school lists it here.
 */
export const DEFAULT_IMMEDIATE_RISK_CATEGORIES: readonly string[] = [
  'Female Genital Mutilation',
  '* > Female Genital Mutilation',
  'FGM',
  '* > FGM',
];

export interface SafeguardingCategoryPolicy {
  categories: CategoryList;
  immediateRisk: CategoryList;
}

/** Is this incident a safeguarding one, under which category, and is it an immediate risk? */
export function classifyIncident(
  policy: SafeguardingCategoryPolicy,
  categories: readonly string[],
): { category: string; immediateRisk: boolean } | null {
  const category = policy.categories.first(categories);
  if (category === null) return null;
  return { category, immediateRisk: policy.immediateRisk.first(categories) !== null };
}
