/**
 * Data-protection settings (issue 10): retention per record type, the nightly purge, legal holds, and how
 * strictly children are labelled in channel messages. Defaults and their sources: core/retention and
 * docs/data-protection.md.
 */
import { z } from 'zod';
import { channelLabelModes } from '../../core/access/minimise.ts';
import {
  parseRetentionRule,
  type RecordType,
  retentionDefaults,
} from '../../core/retention/retention-rules.ts';

const rule = (type: RecordType) =>
  z
    .string()
    .refine(
      (s) => {
        try {
          parseRetentionRule(s);
          return true;
        } catch {
          return false;
        }
      },
      {
        message: 'expected keep, dob+<n>y (from the date of birth) or record+<n>d|m|y (from the record date)',
      },
    )
    .default(retentionDefaults[type].rule);

/** Which variable sets which record type's rule. */
export const retentionVariables: Record<RecordType, string> = {
  concern: 'RETENTION_CONCERNS',
  incident: 'RETENTION_INCIDENTS',
  case: 'RETENTION_CASES',
  tacNote: 'RETENTION_TAC_NOTES',
  meeting: 'RETENTION_MEETINGS',
  outbox: 'RETENTION_MESSAGES',
  reminder: 'RETENTION_REMINDERS',
  importRejection: 'RETENTION_IMPORT_REJECTIONS',
  student: 'RETENTION_STUDENTS',
};

export const dataProtectionEnvSchema = z.object({
  RETENTION_CONCERNS: rule('concern'),
  RETENTION_INCIDENTS: rule('incident'),
  RETENTION_CASES: rule('case'),
  RETENTION_TAC_NOTES: rule('tacNote'),
  RETENTION_MEETINGS: rule('meeting'),
  RETENTION_MESSAGES: rule('outbox'),
  RETENTION_REMINDERS: rule('reminder'),
  RETENTION_IMPORT_REJECTIONS: rule('importRejection'),
  RETENTION_STUDENTS: rule('student'),
  /** `report`: the nightly job only reports (and audits) what is due; `purge`: it deletes it. */
  RETENTION_MODE: z.enum(['report', 'purge'], { message: 'expected report or purge' }).default('report'),
  /** Local hour (TIME_ZONE) after which the nightly retention job runs, once a day. */
  RETENTION_HOUR: z.coerce.number({ message: 'expected an hour 0-23' }).int().min(0).max(23).default(2),
  /** Student ids under a legal hold (e.g. IICSA, litigation): nothing about them is purged. */
  RETENTION_HOLD_STUDENTS: z
    .string()
    .regex(/^[\w-]+(\s*,\s*[\w-]+)*$/, { message: 'expected comma-separated student ids' })
    .optional(),
  /** How children appear in channel (not 1:1) messages; stricter than the default is allowed. */
  CHANNEL_STUDENT_LABEL: z
    .enum(channelLabelModes, { message: `expected one of ${channelLabelModes.join(', ')}` })
    .default('initials-year'),
  /**
   * The audit chain's HMAC key (base64, at least 32 bytes). Unset: a key made once and kept encrypted in
   * the database (AppSecret), the same for every replica. Set it to keep the key out of the database too.
   */
  SEND_HUB_AUDIT_KEY: z
    .string()
    .refine((v) => Buffer.from(v, 'base64').length >= 32, { message: 'expected at least 32 bytes, base64' })
    .optional(),
  /** Where signed checkpoints of the audit chain's head are appended (default: <DATA_DIR>/audit-anchors.log). */
  AUDIT_ANCHOR_FILE: z.string().optional(),
  /** Optionally, a second store for the checkpoints: a PostgreSQL database other than the hub's own. */
  AUDIT_ANCHOR_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, { message: 'expected postgresql://user@host:5432/db' })
    .optional(),
  /** Minutes between checkpoints while the hub runs (one is also written at shutdown and by `audit verify`). */
  AUDIT_ANCHOR_MINUTES: z.coerce.number().int().min(1).max(1440).default(5),
});

export type DataProtectionEnv = z.infer<typeof dataProtectionEnvSchema>;
