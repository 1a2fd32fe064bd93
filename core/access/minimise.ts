/**
 * Minimisation for anything posted where several people read it (a Teams/Slack channel, a group chat):
 * initials and year group at most, never names, dates of birth, diagnoses or concern text (docs/data-protection.md §5,
 * rules 1-2; ICO reprimand to Parkside Community Primary School, UK GDPR Art 5(1)(f)). A school may set a
 * stricter level (CHANNEL_STUDENT_LABEL): initials only, year group only, or nothing about the child.
 */
import { studentLabel } from '../students/student-label.ts';

export const channelLabelModes = ['initials-year', 'initials', 'year', 'none'] as const;
export type ChannelLabelMode = (typeof channelLabelModes)[number];

/**
 * How a child is named in a channel message under `mode`.
 * @example channelStudentLabel({ givenName: 'Amelia', familyName: 'Brook', yearGroup: '7' }, 'initials') // 'A.B.'
 * @example channelStudentLabel({ givenName: 'Amelia', familyName: 'Brook', yearGroup: '7' }, 'year')     // 'a Y7 pupil'
 */
export function channelStudentLabel(
  s: { givenName: string; familyName: string; yearGroup?: string | null },
  mode: ChannelLabelMode,
): string {
  const year = s.yearGroup ? (/^\d+$/.test(s.yearGroup) ? `Y${s.yearGroup}` : s.yearGroup) : null;
  switch (mode) {
    case 'initials-year':
      return studentLabel(s);
    case 'initials':
      return studentLabel({ givenName: s.givenName, familyName: s.familyName, yearGroup: null });
    case 'year':
      return year ? `a ${year} pupil` : 'a pupil';
    case 'none':
      return 'a pupil';
  }
}

/**
 * Find which of `names` appear (as whole words, case-insensitive) in `text`: the last check before a
 * channel post, and the suite-wide test that no test student is ever named in a channel.
 * @example namesIn('Review for Amelia due', ['Amelia', 'Brook']) // ['Amelia']
 */
export function namesIn(text: string, names: readonly string[]): string[] {
  const found: string[] = [];
  for (const n of names) {
    const t = n.trim();
    if (t.length < 2) continue;
    const escaped = t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    if (new RegExp(`(?<![\\p{L}\\p{N}])${escaped}(?![\\p{L}\\p{N}])`, 'iu').test(text)) found.push(t);
  }
  return found;
}

/**
 * The last line of defence before a channel post: replace any known student name in a message meant for
 * several readers. Returns the message unchanged (same object) when nothing was found.
 * @example redactNames(message({ kind: 'text', audience: 'channel', title: 'Review for Amelia' }), ['Amelia']).message.title // 'Review for [name removed]'
 */
export function redactNames<
  M extends {
    title: string;
    text: string;
    facts: { label: string; value: string }[];
    sections: { heading: string; lines: string[] }[];
  },
>(message: M, names: readonly string[]): { message: M; found: number } {
  const all = [message.title, message.text, ...message.facts.flatMap((f) => [f.label, f.value])]
    .concat(message.sections.flatMap((s) => [s.heading, ...s.lines]))
    .join('\n');
  const hits = namesIn(all, names);
  if (hits.length === 0) return { message, found: 0 };
  const re = new RegExp(
    `(?<![\\p{L}\\p{N}])(?:${hits
      .sort((a, b) => b.length - a.length)
      .map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('|')})(?![\\p{L}\\p{N}])`,
    'giu',
  );
  const r = (s: string) => s.replace(re, '[name removed]');
  return {
    message: {
      ...message,
      title: r(message.title),
      text: r(message.text),
      facts: message.facts.map((f) => ({ label: r(f.label), value: r(f.value) })),
      sections: message.sections.map((s) => ({ heading: r(s.heading), lines: s.lines.map(r) })),
    },
    found: hits.length,
  };
}
