/**
 * A safeguarding concern: what a member of staff saw or heard, recorded for the Designated Safeguarding
 * Lead. KCSIE 2025 Part one ("act on them immediately") and Annex C (the DSL keeps
 * detailed, accurate, secure written records including the rationale, K4). The text is special
 * category-grade data (UK GDPR Art 9; docs/data-protection.md §2): stored encrypted, shown only in the DSL's private record view.
 */
import { z } from 'zod';

export type ConcernStatus = 'RAISED' | 'ACKNOWLEDGED' | 'OWNED' | 'CLOSED';

/** Outcomes a DSL records (KCSIE 2025 Part one flowchart: advice, early help, referral, police, NFA). */
export const concernOutcomes = [
  'advice_given',
  'early_help',
  'referral_csc',
  'police',
  'no_further_action',
] as const;
export type ConcernOutcome = (typeof concernOutcomes)[number];

export const outcomeLabels: Record<ConcernOutcome, string> = {
  advice_given: 'Advice given',
  early_help: 'Early help',
  referral_csc: "Referral to children's social care",
  police: 'Police',
  no_further_action: 'No further action',
};

const outcomeAliases: Record<string, ConcernOutcome> = {
  advice: 'advice_given',
  advice_given: 'advice_given',
  early_help: 'early_help',
  earlyhelp: 'early_help',
  referral: 'referral_csc',
  referral_csc: 'referral_csc',
  csc: 'referral_csc',
  social_care: 'referral_csc',
  referral_to_childrens_social_care: 'referral_csc',
  police: 'police',
  nfa: 'no_further_action',
  no_further_action: 'no_further_action',
};

/** "referral", "Referral to children's social care", "NFA" … → a canonical outcome, or null. */
export function parseOutcome(raw: string | undefined): ConcernOutcome | null {
  if (!raw) return null;
  const key = raw
    .trim()
    .toLowerCase()
    .replaceAll("'", '')
    .replace(/[^a-z]+/g, '_')
    .replace(/^_|_$/g, '');
  return outcomeAliases[key] ?? null;
}

/**
 * The word to type for each outcome (`record-outcome r7 referral-csc`): the same word the outcome prompt
 * offers (its button argument, `_` typed as `-`), so the prompt and the error name one word. The short
 * aliases above (`advice`, `referral`, `nfa`) are still accepted.
 */
export const outcomeWords: Record<ConcernOutcome, string> = {
  advice_given: 'advice-given',
  early_help: 'early-help',
  referral_csc: 'referral-csc',
  police: 'police',
  no_further_action: 'no-further-action',
};

/**
 * The error for a missing or unknown outcome: nothing recorded, every valid one listed by the word to
 * type (issue 13). Short enough for a one-line reply (a message title is at most 200 characters).
 */
export function outcomeChoicesError(raw: string | undefined, ref: string): string {
  const given = raw?.trim() ? 'That is not an outcome' : 'No outcome given';
  const hint: Partial<Record<ConcernOutcome, string>> = {
    referral_csc: " (to children's social care)",
  };
  const list = concernOutcomes.map((o) => `${outcomeWords[o]}${hint[o] ?? ''}`).join(', ');
  return `${given}: nothing was recorded for ${ref}. Choose one of: ${list}.`;
}

/** Default categories (KCSIE 2025 Part one, paras 24-51: abuse, neglect, exploitation, specific issues). */
export const defaultConcernCategories = [
  'Neglect',
  'Physical abuse',
  'Emotional abuse',
  'Sexual abuse',
  'Domestic abuse',
  'Child-on-child abuse',
  'Exploitation (CSE/CCE)',
  'Online safety',
  'Self-harm or mental health',
  'Radicalisation',
  'Other welfare concern',
] as const;

export interface ConcernDto {
  id: string;
  orgId: string;
  /** Null for a pupil not on the roll (issue 13) until the DSL links a student record. */
  studentId: string | null;
  /** The name as the raiser gave it, encrypted (Concern.notOnRollNameEnc), when not on the roll. */
  notOnRollNameEnc?: string | null;
  /** The year group as given for a pupil not on the roll ("5", "R"), when known. */
  notOnRollYear?: string | null;
  raisedById: string | null;
  source: string;
  externalId: string | null;
  category: string;
  immediateRisk: boolean;
  occurredAt: Date;
  raisedAt: Date;
  status: ConcernStatus;
  /** Number of escalation steps already sent (0 = not yet routed). */
  escalationLevel: number;
  nextEscalationAt: Date | null;
  acknowledgedById: string | null;
  acknowledgedAt: Date | null;
  ownerId: string | null;
  outcome: string | null;
  outcomeAt: Date | null;
}

const yesNo = z
  .string()
  .trim()
  .toLowerCase()
  .refine((v) => ['yes', 'no', 'y', 'n', 'true', 'false'].includes(v), { message: 'Answer yes or no.' })
  .transform((v) => ['yes', 'y', 'true'].includes(v));

/** The concern form as submitted (strings from any channel), before the student is resolved. */
export const concernSubmissionSchema = z.object({
  student: z.string().trim().min(1, { message: 'Say which pupil (name, UPN or id).' }).max(200),
  category: z.string().trim().max(100).optional().default(''),
  what: z
    .string()
    .trim()
    .min(3, { message: 'Write what you saw or heard, in your own words.' })
    .max(10_000, { message: 'Keep it under 10,000 characters; attach the rest in the record later.' }),
  when: z.string().trim().max(40).optional().default(''),
  immediateRisk: yesNo,
  actionsTaken: z.string().trim().max(5_000).optional().default(''),
});
export type ConcernSubmission = z.infer<typeof concernSubmissionSchema>;
