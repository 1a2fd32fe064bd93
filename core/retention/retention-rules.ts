/**
 * Retention periods per record type, and when a record falls due for deletion. Pure: dates in, dates out.
 *
 * A rule is written `<anchor>+<n><y|m|d>` or `keep`:
 *  - `dob+25y`: until the child's 25th birthday (the anchor is the student's date of birth);
 *  - `record+90d`: 90 days after the record's own date (a message's send date, a note's meeting date);
 *  - `keep`: never purged by the hub (the DPO deletes by hand).
 *
 * Defaults and their sources (docs/data-protection.md §8):
 *  - Child protection / safeguarding records (concerns, safeguarding incidents): DOB + 25 years, then
 *    review. IRMS Information Management Toolkit for Schools (v7, 2024) §1.1 "Child protection
 *    information held on pupil file" / DfE data protection toolkit for schools; Data Protection
 *    Education, "Best practice on the retention of child protection information".
 *  - SEN files, EHC plans and reviews (cases): DOB + 31 years (the EHCP's possible life to 25, plus 6
 *    years' limitation). IRMS Toolkit for Schools, SEN section.
 *  - TAC / Early Help notes: local policy. Default DOB + 25 years because an Early Help record often
 *    becomes part of the safeguarding chronology (Working Together 2023 ch. 1 and 2); a local authority
 *    may set e.g. `record+6y` (its own Early Help retention schedule).
 *  - Bot operational data (delivered messages, answered reminders, import rejections): short, agreed
 *    with the DPO (a design recommendation, not law; UK GDPR Art 5(1)(e) storage limitation): 90 days / 1 year.
 *  - The student row itself: kept while any of their records is kept; at most DOB + 31 years.
 *
 * A record whose anchor is unknown (no date of birth) is never purged automatically: it is reported for
 * review, because guessing would destroy a safeguarding record early.
 */
import { addDays, type IsoDate, isIsoDate } from '../calendar/iso-date.ts';
import { ValidationError } from '../errors.ts';

export const recordTypes = [
  'concern',
  'incident',
  'case',
  'tacNote',
  'meeting',
  'outbox',
  'reminder',
  'importRejection',
  'student',
] as const;
export type RecordType = (typeof recordTypes)[number];

export type RetentionRule =
  | { kind: 'keep' }
  | { kind: 'period'; anchor: 'dob' | 'record'; amount: number; unit: 'y' | 'm' | 'd' };

export type RetentionPolicy = Record<RecordType, RetentionRule>;

/** What each record type means, its default rule and the source of that default (for docs and reports). */
export const retentionDefaults: Record<RecordType, { rule: string; what: string; source: string }> = {
  concern: {
    rule: 'dob+25y',
    what: 'safeguarding concerns raised in the hub (text, actions, outcome)',
    source: 'IRMS Toolkit for Schools: child protection records, DOB + 25 years then review',
  },
  incident: {
    rule: 'dob+25y',
    what: 'incidents imported from CPOMS / the MIS',
    source: 'IRMS Toolkit for Schools: child protection records, DOB + 25 years then review',
  },
  case: {
    rule: 'dob+31y',
    what: 'statutory SEN cases (EHC needs assessment, annual review…) with their deadlines',
    source: 'IRMS Toolkit for Schools: SEN files and EHCPs, DOB + 31 years (25 + 6)',
  },
  tacNote: {
    rule: 'dob+25y',
    what: 'TAC / Early Help notes, their revisions and actions',
    source: 'local policy (default follows the safeguarding record: DOB + 25 years)',
  },
  meeting: {
    rule: 'record+1y',
    what: 'meetings imported from calendars (title encrypted); TAC notes outlive them',
    source: 'design recommendation: operational data, copied into the system of record',
  },
  outbox: {
    rule: 'record+90d',
    what: 'messages the bot delivered or gave up on (encrypted payloads)',
    source:
      'UK GDPR Art 5(1)(e) storage limitation: bot operational data kept only as long as needed for audit',
  },
  reminder: {
    rule: 'record+1y',
    what: 'answered or cancelled reminders',
    source:
      'UK GDPR Art 5(1)(e) storage limitation: bot operational data kept only as long as needed for audit',
  },
  importRejection: {
    rule: 'record+90d',
    what: 'rejected import rows (file, line, field, reason)',
    source: 'design recommendation: needed only to fix the source file',
  },
  student: {
    rule: 'dob+31y',
    what: 'the student row (name, DOB, UPN); only once none of their records is kept',
    source: 'longest record kept about the child (SEN file, IRMS: DOB + 31 years)',
  },
};

const RULE = /^(dob|record)\+(\d{1,3})([ymd])$/;

/**
 * Parse a rule.
 * @example parseRetentionRule('dob+25y') // { kind: 'period', anchor: 'dob', amount: 25, unit: 'y' }
 */
export function parseRetentionRule(spec: string, field = 'retention rule'): RetentionRule {
  const s = spec.trim().toLowerCase();
  if (s === 'keep') return { kind: 'keep' };
  const m = RULE.exec(s);
  if (!m)
    throw new ValidationError(
      `${field}: "${spec}" is not a retention rule; expected keep, dob+25y or record+90d`,
      field,
    );
  const amount = Number(m[2]);
  if (amount < 1) throw new ValidationError(`${field}: the period must be at least 1`, field);
  return { kind: 'period', anchor: m[1] as 'dob' | 'record', amount, unit: m[3] as 'y' | 'm' | 'd' };
}

export const formatRule = (r: RetentionRule): string =>
  r.kind === 'keep' ? 'keep' : `${r.anchor}+${r.amount}${r.unit}`;

export function defaultRetentionPolicy(): RetentionPolicy {
  return Object.fromEntries(
    recordTypes.map((t) => [t, parseRetentionRule(retentionDefaults[t].rule)]),
  ) as RetentionPolicy;
}

/**
 * Add a calendar period to a date. A birthday on 29 February falls on 28 February in common years
 * (the day before 1 March: the child has reached the age by then).
 * @example addPeriod('2010-02-28', 25, 'y') // '2035-02-28'
 */
export function addPeriod(date: IsoDate, amount: number, unit: 'y' | 'm' | 'd'): IsoDate {
  if (unit === 'd') return addDays(date, amount);
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const months = unit === 'y' ? amount * 12 : amount;
  const total = y * 12 + (m - 1) + months;
  const ny = Math.floor(total / 12);
  const nm = (total % 12) + 1;
  const lastDay = new Date(Date.UTC(ny, nm, 0)).getUTCDate();
  return `${String(ny).padStart(4, '0')}-${String(nm).padStart(2, '0')}-${String(Math.min(d, lastDay)).padStart(2, '0')}`;
}

/**
 * The first day a record may be deleted, or null when it is kept (rule `keep`) or cannot be computed
 * (its anchor is unknown: reported for review, never purged).
 * @example purgeFrom({ kind:'period', anchor:'dob', amount:25, unit:'y' }, { dob: '2010-05-01' }) // '2035-05-01'
 */
export function purgeFrom(
  rule: RetentionRule,
  anchors: { dob?: string | null; record?: string | null },
): IsoDate | null {
  if (rule.kind === 'keep') return null;
  const anchor = rule.anchor === 'dob' ? anchors.dob : anchors.record;
  if (!anchor || !isIsoDate(anchor.slice(0, 10))) return null;
  return addPeriod(anchor.slice(0, 10), rule.amount, rule.unit);
}

/** Is the record due on `today` (a local ISO date)? */
export function isDue(
  rule: RetentionRule,
  anchors: { dob?: string | null; record?: string | null },
  today: IsoDate,
): boolean {
  const from = purgeFrom(rule, anchors);
  return from !== null && from <= today;
}

/**
 * The latest date before which a record with this rule is never due, for a database query: records whose
 * anchor is on or before the cut-off are due. `dob+25y` on 2026-11-24 → DOBs on or before 2001-11-24.
 * Inverse of addPeriod up to month-end clamping, which `isDue` re-checks per row.
 */
export function anchorCutoff(rule: RetentionRule, today: IsoDate): IsoDate | null {
  if (rule.kind === 'keep') return null;
  return addPeriod(today, -rule.amount, rule.unit);
}
