/**
 * Classifies a calendar event into a meeting kind from its title and categories, and finds the student it
 * names. A UPN in the text links the student; a name match is only a suggestion (Meeting.suggestedStudentId)
 * until a coordinator confirms it: names are ambiguous (siblings, same-name pupils), so we never guess silently.
 */
export type MeetingKind =
  | 'TAC'
  | 'CIN'
  | 'CP_CONFERENCE'
  | 'EHCP_ANNUAL_REVIEW'
  | 'CPA'
  | 'PEP'
  | 'REINTEGRATION'
  | 'PANEL'
  | 'OTHER';

export const MEETING_KINDS: readonly MeetingKind[] = [
  'TAC',
  'CIN',
  'CP_CONFERENCE',
  'EHCP_ANNUAL_REVIEW',
  'CPA',
  'PEP',
  'REINTEGRATION',
  'PANEL',
  'OTHER',
];

/**
 * Checked in this order: the more specific first ("child protection conference" before "child in need",
 * "EHCP annual review" before "panel"). Terms follow Working Together 2023 (ICPC/RCPC, CIN plan reviews),
 * the SEND Code of Practice 2015 §9.166 (annual review), and the statutory guidance on PEPs for looked-after
 * children (Promoting the education of looked-after children, 2018).
 */
export const DEFAULT_PATTERNS: [MeetingKind, RegExp][] = [
  [
    'CP_CONFERENCE',
    /\b(i|r)?cpc\b|child protection (case )?conference|\bcp (review )?conference|core group/i,
  ],
  ['EHCP_ANNUAL_REVIEW', /annual review|\behc(p)? review\b|\bar meeting\b/i],
  ['PEP', /\bpep\b|personal education plan/i],
  ['CIN', /\bcin\b|child in need/i],
  ['CPA', /\bcpa\b|care programme approach/i],
  ['REINTEGRATION', /reintegration|re-integration|return (from|after) (suspension|exclusion)/i],
  ['TAC', /\bta[cf]\b|team around the (child|family)|early help/i],
  ['PANEL', /\bpanel\b/i],
];

/**
 * Parse admin patterns: "TAC=team around|early help; PANEL=fair access" (case-insensitive regex sources).
 * Admin patterns are tried before the defaults.
 */
export function parsePatternConfig(spec: string | undefined): [MeetingKind, RegExp][] {
  if (!spec?.trim()) return [];
  return spec
    .split(';')
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => {
      const eq = part.indexOf('=');
      const kind = part.slice(0, eq).trim().toUpperCase() as MeetingKind;
      if (eq < 1 || !MEETING_KINDS.includes(kind))
        throw new Error(
          `meeting pattern "${part}": expected KIND=regex with KIND one of ${MEETING_KINDS.join(', ')}`,
        );
      return [kind, new RegExp(part.slice(eq + 1).trim(), 'i')] as [MeetingKind, RegExp];
    });
}

/** @example classifyMeeting({ title: 'ICPC - A1234', categories: [] }) // 'CP_CONFERENCE' */
export function classifyMeeting(
  event: { title: string; categories: string[] },
  extra: [MeetingKind, RegExp][] = [],
): MeetingKind {
  const haystacks = [...event.categories, event.title];
  for (const [kind, re] of [...extra, ...DEFAULT_PATTERNS]) {
    if (haystacks.some((h) => re.test(h))) return kind;
  }
  return 'OTHER';
}

export interface StudentRef {
  id: string;
  upn: string | null;
  givenName: string;
  familyName: string;
}

export type StudentMatch =
  | { by: 'upn'; studentId: string }
  | { by: 'name'; suggestedStudentId: string }
  | null;

/** UPN: 13 characters, a check letter then 12 characters (the last may be a letter for a temporary UPN). */
const UPN = /\b[A-HJ-NP-RT-Z]\d{11}[0-9A-HJ-NP-RT-Z]\b/g;

const norm = (s: string) =>
  s
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();

/**
 * The student an event names: by UPN (certain), else by full name (a suggestion, and only when exactly
 * one student matches).
 */
export function matchStudent(text: string, students: StudentRef[]): StudentMatch {
  const upns = new Set((text.toUpperCase().match(UPN) ?? []).map((u) => u));
  if (upns.size > 0) {
    const hits = students.filter((s) => s.upn && upns.has(s.upn.toUpperCase()));
    if (hits.length === 1 && hits[0]) return { by: 'upn', studentId: hits[0].id };
  }
  const t = ` ${norm(text)} `;
  const hits = students.filter((s) => {
    const full = norm(`${s.givenName} ${s.familyName}`);
    return full.includes(' ') && t.includes(` ${full} `);
  });
  if (hits.length === 1 && hits[0]) return { by: 'name', suggestedStudentId: hits[0].id };
  return null;
}
