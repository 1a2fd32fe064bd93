/**
 * Statutory timeframes as data (issue 3). A rule says when a deadline starts (anchor events on a case),
 * how far away it is (offset and unit), what meets it (events), who is nudged and when, which exceptions
 * the law allows, and where the rule comes from. Rules are grouped in dated, versioned packs; a case is
 * evaluated against the pack recorded on it (plans under old and new regimes coexist).
 */
import type { IsoDate } from '../calendar/iso-date.ts';

export const caseKinds = [
  'EHC_NEEDS_ASSESSMENT',
  'ANNUAL_REVIEW',
  'PHASE_TRANSFER',
  'PEP',
  'SUSPENSION',
  'PERMANENT_EXCLUSION',
  'CHILD_PROTECTION',
  'CHILD_IN_NEED',
  'EARLY_HELP',
  'TRIBUNAL_ORDER',
  /** KCSIE 2025 (K5, docs/deadlines.md): start event the pupil's transfer / leaving date. */
  'CP_FILE_TRANSFER',
  /** KCSIE 2025 Part 4 (K7, docs/deadlines.md): start event the allegation reported to the head or DSL. */
  'STAFF_ALLEGATION',
  /**
   * Education Act 1996 s.19 and DfE "Arranging education for children who cannot attend school because of
   * health needs" (Dec 2023): start event the first day of absence (H1, docs/deadlines.md).
   */
  'HEALTH_NEEDS',
  'LOCAL',
] as const;
export type CaseKind = (typeof caseKinds)[number];

/**
 * - CD calendar days, CW calendar weeks (7n days), WD working days, SD school days (docs/deadlines.md, counting);
 *   `inclusiveOfStart`: the anchor is day 1 ("15 days beginning with the day the draft was served").
 * - M months; `within`: "within 12 months of X" ends the day before the anniversary (§1C R1, §1I item 7).
 * - DATE a fixed day of a month, in the anchor's year (+ yearOffset): phase transfers (§1D).
 * - TERM the end of the next school term (PEP reviewed each term, §1E C2).
 */
export type Offset =
  | { unit: 'CD' | 'CW' | 'WD' | 'SD'; n: number; inclusiveOfStart?: boolean }
  | { unit: 'M'; n: number; within?: boolean }
  | { unit: 'DATE'; month: number; day: number; yearOffset?: number }
  | { unit: 'TERM' };

/** A reason the law allows a timeframe to be set aside, chosen by a person (never applied by the engine). */
export interface ExceptionReason {
  code: string;
  label: string;
  source: string;
}

export type RuleStatus = 'statutory' | 'guidance' | 'local';

export interface Rule {
  /** Stable id within its pack, e.g. "E7" (rule ids of the table in docs/deadlines.md). */
  id: string;
  name: string;
  caseKinds: CaseKind[];
  /**
   * Anchor events (CaseEvent.kind). `first` / `latest`: one deadline from the first / latest such event;
   * `each`: one deadline per event (each advice request, each review meeting).
   */
  anchor: { events: string[]; pick: 'first' | 'latest' | 'each'; skip?: number };
  offset: Offset;
  /** Events that meet the deadline when recorded on or after its anchor. Otherwise: the "done" button. */
  metBy?: string[];
  /**
   * Key dates that end the rule: once one is recorded on the case, the rule's deadlines not yet met no longer
   * apply (stored CANCELLED, shown as closed; never nudged, escalated or counted overdue); one already met
   * stays met. Advice still outstanding when the final plan is issued (E3); the 15 February review of a
   * transfer that is to post-16 (P1, whose dates are reg 18(1)(a) and 18(2)).
   */
  endedBy?: string[];
  /**
   * With `endedBy`: those key dates are later steps that show this one was taken (the plan issued, so the
   * decision to assess was made: SEND Regulations 2014 regs 5, 10, 13). Its deadline not met reads "not
   * recorded" (the step's own key date is missing), never late, overdue, passed or nudged; recording the
   * step's date later meets it as dated.
   */
  endedShowsTaken?: boolean;
  /** Lead times before the due date, e.g. ["10wd", "3wd", "0d"]; default from config. */
  leadTimes?: string[];
  /** Escalate to the owner's line manager when overdue (default: statutory rules only). */
  escalate?: boolean;
  /** A window for someone else (representations): one nudge when it closes, never "overdue". */
  window?: boolean;
  /**
   * Held at school (a review meeting): a due date on a day the school is closed is flagged and the target
   * shown is the last school day before it (issue 14 point 4). SD and TERM rules count this way anyway.
   */
  onSchoolDay?: boolean;
  /** Nudges may go out at night or at weekends (default false: quiet hours apply). */
  ignoreQuietHours?: boolean;
  /**
   * Whose duty the date is. 'la': the local authority's (children's social care decides on a referral,
   * assesses, convenes the conference): shown on the case as the LA's key date, never nudged or escalated
   * to the case owner (a school DSL) as their own; the day after it passes with nothing recorded the owner
   * (and on a child-protection case the DSL) is told once, to chase the LA. Default 'school': the case
   * owner's to meet.
   */
  owner?: 'school' | 'la';
  /**
   * With owner 'la': a duty of the local authority the case belongs to (a LAC review, Care Planning,
   * Placement and Case Review (England) Regulations 2010 reg 33; an EHC needs-assessment decision or plan,
   * SEND Regulations 2014 regs 4, 5, 10, 13; the decision after an annual review and the amended plan, regs
   * 20(10), 22; a phase transfer, reg 18; a permanently excluded pupil's education from the 6th school day,
   * Education Act 1996 s.19(3A)). Held at a school, its date is shown as the LA's and watched
   * as any LA date. Held at the local authority itself (Organisation.kind LOCAL_AUTHORITY), the case owner is its
   * officer: nudged and escalated as any owner (core/deadlines/ownership.ts).
   */
  laOfficer?: boolean;
  status: RuleStatus;
  /** Legal source: regulation / Code of Practice paragraph / statutory guidance, with a URL. */
  source: string;
  exceptions?: ExceptionReason[];
}

export interface RulePack {
  /** e.g. "england-send-2014@cop-2015" */
  id: string;
  title: string;
  /** First day a case may be evaluated under this pack (start date on or after). */
  effectiveFrom: IsoDate;
  /** Cases starting on or after this date use a later pack (undefined: still in force). */
  effectiveTo?: IsoDate;
  caseKinds: CaseKind[];
  /** Event that opens a case of each kind (its date is Case.startDate). */
  startEvents: Partial<Record<CaseKind, string>>;
  rules: Rule[];
}
