/**
 * Who owns a TAC action, from what was typed at "Action n: owner (a colleague)" (docs/meetings.md, "Action
 * owners"). An email or staff id is that colleague; a name, a first name or part of a name ("Sian", "S Pryce",
 * "Pryce") is the one active colleague it fits, preferring those the notes record as attending when several
 * fit (then those invited to the meeting); several still fitting is asked again with the matches listed; none fitting is never turned into an
 * owner outside the hub without the person saying so (that is the "or owner outside the hub" question).
 */

export interface OwnerCandidate {
  id: string;
  email: string;
  displayName: string;
}

export type OwnerMatch<S extends OwnerCandidate> =
  | { kind: 'colleague'; staff: S; how: 'exact' | 'name' | 'attending' | 'invited' }
  | { kind: 'ambiguous'; matches: S[] }
  | { kind: 'none' };

const words = (s: string) =>
  s
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-z0-9@.'-]+/g, ' ')
    .trim()
    .split(/\s+/)
    .filter(Boolean);

/** Every typed word starts a different word of the name, in order ("s pryce", "sian", "pryce"). */
function fits(typed: string[], name: string[]): boolean {
  let at = 0;
  for (const t of typed) {
    while (at < name.length && !name[at]!.startsWith(t)) at++;
    if (at >= name.length) return false;
    at++;
  }
  return typed.length > 0;
}

/** The colleague's full name appears in the attendance the notes record (free text: "Sian Pryce (TA), ..."). */
export function recordedAttending(staff: OwnerCandidate, attendees: string): boolean {
  const text = ` ${words(attendees).join(' ')} `;
  const name = words(staff.displayName).join(' ');
  return (name.length > 0 && text.includes(` ${name} `)) || text.includes(` ${staff.email.toLowerCase()} `);
}

export function matchOwner<S extends OwnerCandidate>(
  typed: string,
  staff: S[],
  attendees = '',
  /** Invited to the meeting (the calendar's attendees): preferred after those the notes record as attending. */
  invitedIds: readonly string[] = [],
): OwnerMatch<S> {
  const q = typed.trim();
  if (!q) return { kind: 'none' };
  const lower = q.toLowerCase();
  const exact = staff.find((s) => s.id === q || s.email.toLowerCase() === lower);
  if (exact) return { kind: 'colleague', staff: exact, how: 'exact' };
  if (q.includes('@')) return { kind: 'none' };
  const typedWords = words(q);
  const full = staff.filter((s) => words(s.displayName).join(' ') === typedWords.join(' '));
  const fitting = full.length
    ? full
    : staff.filter(
        (s) => fits(typedWords, words(s.displayName)) || s.email.toLowerCase().split('@')[0] === lower,
      );
  if (fitting.length === 1) return { kind: 'colleague', staff: fitting[0]!, how: 'name' };
  if (fitting.length === 0) return { kind: 'none' };
  const attending = fitting.filter((s) => recordedAttending(s, attendees));
  if (attending.length === 1) return { kind: 'colleague', staff: attending[0]!, how: 'attending' };
  const invited = attending.length ? [] : fitting.filter((s) => invitedIds.includes(s.id));
  if (invited.length === 1) return { kind: 'colleague', staff: invited[0]!, how: 'invited' };
  return { kind: 'ambiguous', matches: attending.length ? attending : fitting };
}

/** "Friday", "tomorrow", "next week", "11/12", "2026-12-11": an answer that reads as a date, not a person. */
export function looksLikeDate(s: string): boolean {
  const v = s.trim().toLowerCase();
  return (
    /^(next |this )?(mon|tues|wednes|thurs|fri|satur|sun)day$/.test(v) ||
    /^(mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)\.?$/.test(v) ||
    /^(today|tomorrow|next week|end of (the )?(week|term|month)|asap)$/.test(v) ||
    /^\d{1,4}[-/.]\d{1,2}([-/.]\d{1,4})?$/.test(v) ||
    /^\d{1,2}(st|nd|rd|th)?( of)? [a-z]{3,9}( \d{4})?$/.test(v)
  );
}

/** The wording used for a list of matches ("Sian Pryce (sian@…) or Sian Jones (sjones@…)"). */
export function listMatches(ms: OwnerCandidate[]): string {
  const names = ms.map((m) => `${m.displayName} (${m.email})`);
  return names.length <= 1
    ? (names[0] ?? '')
    : `${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}`;
}
