/**
 * The categories an incident import saw on rows that raised no concern: the report names them, so the admin
 * sees what the hub treated as behaviour, not safeguarding (audit finding 9: a behaviour export's
 * "Disclosure" row raised nothing and the report did not say why). A category that sounds like safeguarding
 * is marked "?" (advice only: core/escalations/safeguarding-categories.ts). A cell that reads like text, not
 * a label (a narrative shifted into the category column), is counted, never named: the report and its
 * message carry no child's name and no incident text.
 */
import {
  looksLikeCategoryLabel,
  normaliseCategory,
  soundsLikeSafeguarding,
} from '../../core/escalations/safeguarding-categories.ts';

/** The report line's fixed start (the admin page counts from it: web/pages/admin/imports-view.ts). */
export const UNLISTED_PREFIX = 'categories treated as behaviour, not safeguarding (no concern raised): ';
/** At most this many categories are named; the rest are counted. */
const NAMED = 30;
/** Distinct category lists counted (a file of free text in its category column stays bounded). */
const LISTS = 10_000;

export class UnlistedCategories {
  /** Rows that raised no concern, by their category list (JSON). */
  private readonly rows = new Map<string, number>();
  private overflowRows = 0;

  /** One row's categories, when the row is not in a safeguarding category. */
  note(key: string): void {
    const n = this.rows.get(key);
    if (n !== undefined) this.rows.set(key, n + 1);
    else if (this.rows.size < LISTS) this.rows.set(key, 1);
    else this.overflowRows++;
  }

  /** The report line, or null when every row raised a concern (or there were none). */
  line(): string | null {
    const byCategory = new Map<string, { label: string; rows: number }>();
    let textLike = 0;
    const textSeen = new Set<string>();
    for (const [key, count] of this.rows) {
      for (const c of JSON.parse(key) as string[]) {
        const n = normaliseCategory(c);
        if (!looksLikeCategoryLabel(c)) {
          if (!textSeen.has(n)) textLike++;
          textSeen.add(n);
          continue;
        }
        const e = byCategory.get(n);
        if (e) e.rows += count;
        else byCategory.set(n, { label: c.trim().replace(/\s+/g, ' '), rows: count });
      }
    }
    if (byCategory.size === 0 && textLike === 0 && this.overflowRows === 0) return null;
    const all = [...byCategory.values()]
      .map((e) => ({ ...e, ask: soundsLikeSafeguarding(e.label) }))
      .sort((a, b) => Number(b.ask) - Number(a.ask) || b.rows - a.rows || a.label.localeCompare(b.label));
    const named = all
      .slice(0, NAMED)
      .map((e) => `${e.label}${e.ask ? '?' : ''} (${e.rows} row${e.rows === 1 ? '' : 's'})`);
    const parts = [named.join(', ') || 'none named'];
    if (all.length > NAMED) parts.push(`and ${all.length - NAMED} more categories`);
    if (textLike)
      parts.push(
        `${textLike} value${textLike === 1 ? '' : 's'} not named: ${textLike === 1 ? 'it reads' : 'they read'} like text, not a category (check the file's category column)`,
      );
    if (this.overflowRows) parts.push(`${this.overflowRows} more rows not sorted by category`);
    const ask = all.some((e) => e.ask)
      ? '. "?": sounds like safeguarding; if it is, add it to the organisation\'s list (SAFEGUARDING_CATEGORIES_FILE, docs/imports.md) and import the file again'
      : '';
    return `${UNLISTED_PREFIX}${parts.join('; ')}${ask}`;
  }
}
