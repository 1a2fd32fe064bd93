/**
 * Safeguarding escalation settings (issue 7). Defaults follow KCSIE 2025 Part one "act immediately"
 * (KCSIE 2025 Part one, gov.uk): 15 minutes for the DSL to acknowledge, 5 when the raiser reports immediate risk.
 */
import { z } from 'zod';
import type { Config } from './index.ts';

const minutes = z.coerce
  .number({ message: 'expected a number of minutes' })
  .int()
  .min(1)
  .max(24 * 60);
const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, { message: 'expected HH:MM (24-hour)' });

export const safeguardingEnvSchema = z.object({
  /** Minutes a ladder step waits for an acknowledgement before the next step. */
  SAFEGUARDING_ACK_MINUTES: minutes.default(15),
  /** The same when immediate risk is reported. */
  SAFEGUARDING_ACK_MINUTES_IMMEDIATE: minutes.default(5),
  /** After the head: minutes between re-sends to the whole ladder until someone acknowledges. */
  SAFEGUARDING_RESEND_MINUTES: minutes.default(15),
  SAFEGUARDING_RESEND_MINUTES_IMMEDIATE: minutes.default(5),
  /** School hours (local time, weekdays) for IN_HOURS / OUT_OF_HOURS rota entries. */
  SAFEGUARDING_HOURS_FROM: hhmm.default('08:00'),
  SAFEGUARDING_HOURS_UNTIL: hhmm.default('17:30'),
  /** A rota file (YAML or JSON) loaded at start; also `send-hub rota load <file>`. */
  SAFEGUARDING_ROTA_FILE: z.string().optional(),
  /** Incident categories (CPOMS "Parent > Child" parts, case-insensitive) that raise a concern on import. */
  SAFEGUARDING_CATEGORIES: z
    .string()
    .default(
      'safeguarding,child protection,neglect,abuse,domestic,self-harm,exploitation,radicalisation,online safety,fgm',
    ),
  /** Only incidents that happened within this many days raise a concern (a history import does not flood the DSL). */
  SAFEGUARDING_IMPORT_LOOKBACK_DAYS: z.coerce.number().int().min(1).max(365).default(14),
  /** Early-intervention rules (JSON or YAML file: a list, or `{ default: [...], orgs: { <orgId or name>: [...] } }`). */
  SAFEGUARDING_ALERT_RULES_FILE: z.string().optional(),
  /**
   * A concern raised from a shared channel (Slack `/send concern` typed in a channel) posts there only
   * "A safeguarding concern was raised and is with the DSL." `off` (default), `on` (every organisation), or
   * a comma-separated list of organisation names or ids that want it. Off by default: KCSIE Part one asks
   * every member of staff to report what they saw themselves, and a channel post could read as "already
   * dealt with" to colleagues who also saw something.
   */
  SAFEGUARDING_CHANNEL_NOTICE: z.string().trim().default('off'),
});

export type SafeguardingEnv = z.infer<typeof safeguardingEnvSchema>;

/** The validated section (defaults applied even when the section was not merged, e.g. in unit tests). */
export function safeguardingConfig(config: Config): SafeguardingEnv {
  return safeguardingEnvSchema.parse(
    Object.fromEntries(Object.keys(safeguardingEnvSchema.shape).map((k) => [k, config.raw[k]])),
  );
}

/** Does this organisation want the channel notice (SAFEGUARDING_CHANNEL_NOTICE)? */
export function channelNoticeWanted(setting: string, org: { id: string; name: string }): boolean {
  const v = setting.trim().toLowerCase();
  if (v === '' || v === 'off' || v === 'false' || v === 'no') return false;
  if (v === 'on' || v === 'true' || v === 'yes') return true;
  return v
    .split(',')
    .map((x) => x.trim())
    .some((x) => x !== '' && (x === org.id.toLowerCase() || x === org.name.trim().toLowerCase()));
}
