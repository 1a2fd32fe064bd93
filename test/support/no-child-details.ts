/**
 * What must never leave the organisation's chat (issue 16): the child's name, initials, year group,
 * category or words. A year group such as "Y7" is short enough to turn up inside a random concern
 * reference ("C-242QY7"), a MIME boundary or a Message-ID, so each detail is looked for as a whole
 * word: not preceded or followed by a letter or digit.
 */
import { expect } from 'vitest';

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Does `text` hold `detail` as a whole word (not inside a longer run of letters and digits)? */
export function holdsDetail(text: string, detail: string): boolean {
  return new RegExp(`(?<![A-Za-z0-9])${escapeRegExp(detail)}(?![A-Za-z0-9])`).test(text);
}

/** Fail naming the detail when `text` holds any of `details` as a whole word. */
export function expectNoChildDetails(text: string, details: readonly string[]): void {
  for (const d of details) expect(holdsDetail(text, d), `"${d}" must not appear`).toBe(false);
}
