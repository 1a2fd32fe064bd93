/**
 * Meetings and TAC notes (issue 8). Meeting reminder lead times are a core variable (MEETING_LEAD_TIMES).
 */
import { z } from 'zod';

const kinds = [
  'TAC',
  'CIN',
  'CP_CONFERENCE',
  'EHCP_ANNUAL_REVIEW',
  'CPA',
  'PEP',
  'REINTEGRATION',
  'PANEL',
  'OTHER',
] as const;

export const meetingsEnvSchema = z.object({
  /**
   * Meeting kinds whose note-taker is asked for structured notes when the meeting ends (issue 14 point 8:
   * CIN, CPA and annual review meetings as well as TAC; docs/meetings.md "Notes after a meeting").
   */
  MEETING_NOTES_KINDS: z
    .string()
    .refine(
      (v) =>
        v
          .split(',')
          .map((s) => s.trim())
          .every((s) => (kinds as readonly string[]).includes(s)),
      { message: `expected a comma-separated list of ${kinds.join(', ')}` },
    )
    .default('TAC,CIN,CPA,EHCP_ANNUAL_REVIEW'),
  /** Working days after the meeting before the note-taker is nudged for unsubmitted notes. */
  MEETING_NOTES_NUDGE_WORKING_DAYS: z.coerce.number().int().min(1).max(20).default(2),
  /** Working days before the advice deadline (2 weeks before an EHCP annual review) that authors are asked. */
  MEETING_REPORT_LEAD_WORKING_DAYS: z.coerce.number().int().min(0).max(60).default(5),
});

export interface MeetingsConfig {
  notesKinds: string[];
  notesNudgeWorkingDays: number;
  reportLeadWorkingDays: number;
}

export function meetingsConfig(raw: Record<string, unknown>): MeetingsConfig {
  const env = meetingsEnvSchema.parse(raw);
  return {
    notesKinds: env.MEETING_NOTES_KINDS.split(',').map((s) => s.trim()),
    notesNudgeWorkingDays: env.MEETING_NOTES_NUDGE_WORKING_DAYS,
    reportLeadWorkingDays: env.MEETING_REPORT_LEAD_WORKING_DAYS,
  };
}
