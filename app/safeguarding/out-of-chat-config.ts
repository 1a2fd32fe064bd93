/**
 * Settings of the safeguarding notification rules and the acknowledge link (issue 16; docs/safeguarding.md,
 * "Beyond the chat"). Env values are the defaults of every organisation; SAFEGUARDING_NOTIFY_RULES_FILE
 * overrides them per organisation and for out of hours.
 */
import fs from 'node:fs';
import { z } from 'zod';
import { ValidationError } from '../../core/errors.ts';
import {
  mergeRules,
  type NotificationRules,
  partialRulesSchema,
} from '../../core/escalations/notification-rules.ts';
import { yaml } from '../../integrations/lazy-yaml.ts';
import type { Config } from '../config/index.ts';

/** Whole minutes after the chat message, or `off` (never by this method). */
const delay = z.preprocess(
  // A config already parsed (its `raw` fed back to loadConfig) holds numbers and null: read them as written.
  (v) => (v === null ? 'off' : typeof v === 'number' ? String(v) : v),
  z
    .string()
    .trim()
    .regex(/^(off|\d{1,4})$/i, { message: 'expected a number of minutes or off' })
    .transform((v) => (v.toLowerCase() === 'off' ? null : Number(v)))
    .refine((v) => v === null || v <= 24 * 60, { message: 'expected at most 1440 minutes' }),
);

export const outOfChatEnvSchema = z.object({
  /**
   * The hub's address as people's browsers reach it (https://hub.school.example): the base of the
   * acknowledge links in e-mails and SMS. Without it no link can be made and no e-mail or SMS alert is sent.
   */
  PUBLIC_URL: z
    .string()
    .trim()
    .url({ message: 'expected an absolute URL such as https://hub.school.example' })
    .refine((u) => /^https?:\/\//.test(u), { message: 'expected an http(s) URL' })
    .optional(),
  /** Minutes without an acknowledgement before a ladder step is e-mailed (default 5; 2 with immediate risk). */
  SAFEGUARDING_NOTIFY_EMAIL_MINUTES: delay.default(5),
  SAFEGUARDING_NOTIFY_EMAIL_MINUTES_IMMEDIATE: delay.default(2),
  /** Minutes without an acknowledgement before a ladder step goes by SMS (default 10; 5 with immediate risk). */
  SAFEGUARDING_NOTIFY_SMS_MINUTES: delay.default(10),
  SAFEGUARDING_NOTIFY_SMS_MINUTES_IMMEDIATE: delay.default(5),
  /** Per organisation and out-of-hours rules (YAML or JSON: `{ default?: rules, orgs: { <id or name>: rules } }`). */
  SAFEGUARDING_NOTIFY_RULES_FILE: z.string().trim().optional(),
});

export type OutOfChatEnv = z.infer<typeof outOfChatEnvSchema>;

export function outOfChatConfig(config: Config): OutOfChatEnv {
  return outOfChatEnvSchema.parse(
    Object.fromEntries(
      Object.keys(outOfChatEnvSchema.shape).map((k) => {
        const v = config.raw[k];
        return [k, v === null ? 'off' : typeof v === 'number' ? String(v) : v];
      }),
    ),
  );
}

const rulesFileSchema = z
  .object({
    default: partialRulesSchema.optional(),
    orgs: z.record(z.string(), partialRulesSchema).default({}),
  })
  .strict();

/**
 * The rules per organisation (by id or name): the file's entry for the organisation over its `default`
 * over the env values. A bad file throws a ValidationError naming the file and each bad field's path.
 */
export function loadNotificationRules(
  env: OutOfChatEnv,
): (org: { id: string; name: string }) => NotificationRules {
  const both = (email: number | null, sms: number | null) => ({ email, sms });
  const normal = both(env.SAFEGUARDING_NOTIFY_EMAIL_MINUTES, env.SAFEGUARDING_NOTIFY_SMS_MINUTES);
  const immediate = both(
    env.SAFEGUARDING_NOTIFY_EMAIL_MINUTES_IMMEDIATE,
    env.SAFEGUARDING_NOTIFY_SMS_MINUTES_IMMEDIATE,
  );
  const base: NotificationRules = { inHours: { normal, immediate }, outOfHours: { normal, immediate } };
  const file = env.SAFEGUARDING_NOTIFY_RULES_FILE;
  if (!file) return () => base;
  let raw: unknown;
  try {
    raw = yaml().parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code ?? 'not valid YAML or JSON';
    throw new ValidationError(`${file}: cannot read the notification rules (${why})`);
  }
  const parsed = rulesFileSchema.safeParse(raw ?? {});
  if (!parsed.success)
    throw new ValidationError(
      parsed.error.issues.map((i) => `${file}: ${i.path.join('.') || 'file'}: ${i.message}`).join('\n'),
    );
  const withDefault = mergeRules(base, parsed.data.default);
  return (org) => mergeRules(withDefault, parsed.data.orgs[org.id] ?? parsed.data.orgs[org.name]);
}
