/** Config section of the deadline engine (listed in app/config/sections.ts). */
import { z } from 'zod';

export const deadlinesEnvSchema = z.object({
  /** JSON or YAML file of local rules and overrides (core/deadlines/local-rules.ts). */
  DEADLINE_RULES_FILE: z.string().optional(),
  /** Default nudge lead times before a deadline: working days (wd), days (d) or weeks (w). */
  DEADLINE_LEAD_TIMES: z
    .string()
    .regex(/^\s*\d+(wd|d|w)\s*(,\s*\d+(wd|d|w)\s*)*$/, { message: 'expected lead times like 10wd,3wd,0d' })
    .default('10wd,3wd,0d'),
  /** Local time at which nudges, escalations and digests are due (quiet hours still apply). */
  DEADLINE_NUDGE_TIME: z
    .string()
    .regex(/^([01]\d|2[0-3]):[0-5]\d$/, { message: 'expected a time like 08:00' })
    .default('08:00'),
  DEADLINE_DIGEST_DAY: z
    .enum(['monday', 'tuesday', 'wednesday', 'thursday', 'friday'], {
      message: 'expected a weekday, e.g. monday',
    })
    .default('monday'),
  /** An officer with more deadlines than this due in two weeks shows as overloaded in the team view. */
  DEADLINE_OVERLOAD: z.coerce.number().int().min(1).max(1000).default(15),
  /** Plan at most this often (seconds) when nothing changed through this hub; changes apply at once. */
  DEADLINE_PLAN_INTERVAL_SECONDS: z.coerce.number().int().min(0).max(86_400).default(300),
  /**
   * A full sweep (every open case) at least this often (seconds); steady ticks in between plan only the
   * cases due or changed (docs/deadlines.md "How the tick works"). 0: every tick is a full sweep.
   */
  DEADLINE_FULL_SWEEP_SECONDS: z.coerce.number().int().min(0).max(2_592_000).default(3600),
});

export type DeadlinesEnv = z.infer<typeof deadlinesEnvSchema>;

export const readDeadlinesEnv = (raw: Record<string, unknown>): DeadlinesEnv => deadlinesEnvSchema.parse(raw);
