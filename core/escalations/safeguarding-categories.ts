/**
 * Which imported incident categories are safeguarding ones: an explicit list of exact categories, never a
 * substring ("Behaviour > Verbal abuse", a pupil swearing at a TA, is not abuse of a child). Categories are
 * compared after normalising case, runs of whitespace, hyphens and dashes (a space) and the " > " hierarchy
 * separator, so "safeguarding>neglect" and "Safeguarding  >  Neglect" are the same category, and so are
 * "Self-harm" and "Self Harm". Two wildcards, on whole
 * hierarchy levels only: "Safeguarding > *" is every sub-category of Safeguarding (not Safeguarding itself),
 * and "* > Neglect" is Neglect under any parent. The default lists and how to override them per organisation
 * are in docs/imports.md ("Which categories raise a concern").
 */

/** "  Safeguarding>  Self-Harm " -> "safeguarding > self harm". */
export function normaliseCategory(category: string): string {
  return category
    .split('>')
    .map((p) =>
      p
        .replace(/[-\u2010-\u2015]/g, ' ')
        .trim()
        .replace(/\s+/g, ' ')
        .toLowerCase(),
    )
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
 * categories too, or under a parent of their own ("Welfare > Neglect"), so the four categories, exploitation,
 * FGM and self-harm count under any parent. A disclosure (a child telling a member of staff of harm: KCSIE 2025 Part
 * one, "what school and college staff should do if they have concerns about a child") and an allegation
 * about a member of staff (KCSIE 2025 Part four) are safeguarding whatever the parent (audit finding 9: a
 * behaviour export's "Disclosure" row raised nothing). Behaviour types of a MIS (the SIMS and Arbor
 * defaults: "Verbal Abuse", "Physical Assault Against Pupil", "Bullying", "Racist Abuse", "Damage",
 * "Disruptive Behaviour" ...) are deliberately absent: they record conduct, and a school that wants one of
 * them to reach the DSL adds it to its own list. The import report names every category it saw that is not
 * on the list (app/imports/run-import.ts), marking with "?" the ones that sound like safeguarding.
 */
export const DEFAULT_SAFEGUARDING_CATEGORIES: readonly string[] = [
  'Safeguarding',
  'Safeguarding > *',
  'Child Protection',
  'Child Protection > *',
  'Disclosure',
  '* > Disclosure',
  'Disclosure of Abuse',
  '* > Disclosure of Abuse',
  'Safeguarding Disclosure',
  'Allegation against Staff',
  '* > Allegation against Staff',
  'Allegation against a Member of Staff',
  '* > Allegation against a Member of Staff',
  'Allegations against Staff',
  '* > Allegations against Staff',
  'Neglect',
  '* > Neglect',
  'Physical Abuse',
  '* > Physical Abuse',
  'Emotional Abuse',
  '* > Emotional Abuse',
  'Sexual Abuse',
  '* > Sexual Abuse',
  'Domestic Abuse',
  '* > Domestic Abuse',
  'Child-on-child Abuse',
  'Peer on Peer Abuse',
  'Sexual Violence and Sexual Harassment',
  'Child Sexual Exploitation',
  '* > Child Sexual Exploitation',
  'CSE',
  '* > CSE',
  'Child Criminal Exploitation',
  '* > Child Criminal Exploitation',
  'CCE',
  '* > CCE',
  'County Lines',
  'Female Genital Mutilation',
  '* > Female Genital Mutilation',
  'FGM',
  '* > FGM',
  'Forced Marriage',
  'Honour-based Abuse',
  'Radicalisation',
  'Prevent',
  'Self-harm',
  '* > Self-harm',
  'Children Absent from Education',
  'Child Missing from Education',
  'Online Safety',
];

/**
 * Words that make a category not on the list worth a second look (the import report marks it "?"): advice to
 * the admin only, never a concern by itself (a substring would make "Behaviour > Verbal abuse" a concern).
 */
const SOUNDS_LIKE =
  /\b(disclos|abus|neglect|alleg|harm|exploit|fgm|mutilat|protect|safeguard|groom|radical|traffick|assault|sexual|domestic|online|welfare|missing|concern|cse|cce|prevent)/;

export function soundsLikeSafeguarding(category: string): boolean {
  return SOUNDS_LIKE.test(normaliseCategory(category));
}

/**
 * Does this cell read like a category label, not like text (a narrative pasted or shifted into the category
 * column: "Said dad hurts him at home")? Only labels are named in the import report; at most 40 characters,
 * 5 words a level, and no pronoun or reporting verb (labels name a kind of incident, not what someone said).
 */
export function looksLikeCategoryLabel(category: string): boolean {
  const n = normaliseCategory(category);
  if (n === '' || category.length > 40 || /[.!?"\u201c\u201d:]/.test(category)) return false;
  if (n.split(' > ').some((level) => level.split(' ').length > 5)) return false;
  return !/\b(i|me|my|he|him|his|she|her|hers|they|them|their|we|us|our|you|your|said|says|told|tells)\b/.test(
    n,
  );
}

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
