/**
 * Safeguarding escalation settings (issue 7). Defaults follow KCSIE 2025 Part one "act immediately"
 * (KCSIE 2025 Part one, gov.uk): 15 minutes for the DSL to acknowledge, 5 when the raiser reports immediate risk.
 */
import fs from 'node:fs';
import { z } from 'zod';
import { ValidationError } from '../../core/errors.ts';
import { ALERT_KINDS, describeRoute, parseAlertRoutes } from '../../core/escalations/alert-routes.ts';
import {
  categoryList,
  DEFAULT_IMMEDIATE_RISK_CATEGORIES,
  DEFAULT_SAFEGUARDING_CATEGORIES,
  type SafeguardingCategoryPolicy,
} from '../../core/escalations/safeguarding-categories.ts';
import { yaml } from '../../integrations/lazy-yaml.ts';
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
  /**
   * Incident categories that raise a concern on import: an explicit comma-separated list of exact categories
   * ("Safeguarding > *" for a whole parent), replacing the default list (docs/imports.md). Never substrings.
   */
  SAFEGUARDING_CATEGORIES: z.string().trim().optional(),
  /** Categories that also set the immediate-risk flag (same syntax; default: FGM, docs/imports.md). */
  SAFEGUARDING_IMMEDIATE_RISK_CATEGORIES: z.string().trim().optional(),
  /** Per-organisation lists (YAML or JSON: `{ default: {...}, orgs: { <id or name>: {...} } }`, docs/imports.md). */
  SAFEGUARDING_CATEGORIES_FILE: z.string().trim().optional(),
  /**
   * Who receives early-intervention prompts, by rule kind: "incidents=BEHAVIOUR_LEAD,PUPIL_KEY_WORKER; attendance=…"
   * (tiers tried in order; defaults in core/escalations/alert-routes.ts and docs/safeguarding.md).
   */
  SAFEGUARDING_ALERT_ROUTES: z
    .string()
    .trim()
    .optional()
    .superRefine((v, ctx) => {
      const r = parseAlertRoutes(v);
      if (!r.ok) for (const p of r.problems) ctx.addIssue({ code: 'custom', message: p });
    }),
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

const categoryListSchema = z.array(z.string().trim().min(1, { message: 'a category may not be empty' }));
const categoryEntrySchema = z
  .object({
    /** Replaces the default list. */
    categories: categoryListSchema.optional(),
    /** Added to the default list. */
    addCategories: categoryListSchema.optional(),
    /** Replaces the default immediate-risk list. */
    immediateRisk: categoryListSchema.optional(),
  })
  .strict();
const categoriesFileSchema = z
  .object({
    default: categoryEntrySchema.optional(),
    orgs: z.record(z.string(), categoryEntrySchema).default({}),
  })
  .strict();

type CategoryEntry = z.infer<typeof categoryEntrySchema>;

/** The safeguarding category lists in force, per organisation (SAFEGUARDING_CATEGORIES_FILE and env). */
export interface SafeguardingCategories {
  policyFor(org: { id: string; name: string }): SafeguardingCategoryPolicy;
  /** For `send-hub doctor`: where the lists come from, their sizes, which organisations override them. */
  describe(): string;
}

/**
 * Reads SAFEGUARDING_CATEGORIES_FILE (YAML or JSON) over the env lists over the built-in defaults. A bad file
 * throws a ValidationError naming the file and the field path, never a value.
 */
export function loadSafeguardingCategories(
  settings: Pick<
    SafeguardingEnv,
    'SAFEGUARDING_CATEGORIES' | 'SAFEGUARDING_IMMEDIATE_RISK_CATEGORIES' | 'SAFEGUARDING_CATEGORIES_FILE'
  >,
): SafeguardingCategories {
  const csv = (v: string | undefined) =>
    v
      ? v
          .split(',')
          .map((x) => x.trim())
          .filter(Boolean)
      : undefined;
  const base = {
    categories: csv(settings.SAFEGUARDING_CATEGORIES) ?? [...DEFAULT_SAFEGUARDING_CATEGORIES],
    immediateRisk: csv(settings.SAFEGUARDING_IMMEDIATE_RISK_CATEGORIES) ?? [
      ...DEFAULT_IMMEDIATE_RISK_CATEGORIES,
    ],
  };
  const file = settings.SAFEGUARDING_CATEGORIES_FILE;
  let parsed: z.infer<typeof categoriesFileSchema> = { orgs: {} };
  if (file) {
    let raw: unknown;
    try {
      raw = yaml().parse(fs.readFileSync(file, 'utf8'));
    } catch (err) {
      const why = (err as NodeJS.ErrnoException).code ?? 'not valid YAML or JSON';
      throw new ValidationError(`${file}: cannot read the safeguarding categories (${why})`);
    }
    const r = categoriesFileSchema.safeParse(raw ?? {});
    if (!r.success)
      throw new ValidationError(
        r.error.issues.map((i) => `${file}: ${i.path.join('.') || 'file'}: ${i.message}`).join('\n'),
      );
    parsed = r.data;
  }
  const merge = (under: typeof base, e: CategoryEntry | undefined): typeof base => ({
    categories: [...(e?.categories ?? under.categories), ...(e?.addCategories ?? [])],
    immediateRisk: e?.immediateRisk ?? under.immediateRisk,
  });
  const compile = (l: typeof base): SafeguardingCategoryPolicy => ({
    categories: categoryList(l.categories),
    immediateRisk: categoryList(l.immediateRisk),
  });
  const fallback = compile(merge(base, parsed.default));
  const perOrg = new Map(
    Object.entries(parsed.orgs).map(([k, e]) => [k, compile(merge(merge(base, parsed.default), e))]),
  );
  return {
    policyFor: (org) => perOrg.get(org.id) ?? perOrg.get(org.name) ?? fallback,
    describe() {
      const from = file
        ? `file ${file}`
        : settings.SAFEGUARDING_CATEGORIES
          ? 'SAFEGUARDING_CATEGORIES'
          : 'the default list (docs/imports.md)';
      const orgs = [...perOrg.keys()];
      return `${fallback.categories.size} categories, ${fallback.immediateRisk.size} immediate-risk, from ${from}${orgs.length ? `; own lists for ${orgs.join(', ')}` : ''}`;
    },
  };
}

/** `send-hub doctor`: the safeguarding category lists and the early-intervention routes in force. */
export function doctorSafeguardingLines(config: Config): { ok: boolean; lines: string[] } {
  const settings = safeguardingConfig(config);
  const parsed = parseAlertRoutes(settings.SAFEGUARDING_ALERT_ROUTES);
  const routes = parsed.ok
    ? ALERT_KINDS.map((k) => `${k} -> ${describeRoute(parsed.routes[k])}`).join('; ')
    : parsed.problems.join('; ');
  const routeLine = `${parsed.ok ? 'ok  ' : 'FAIL'} early-intervention prompts: ${routes}`;
  try {
    const categories = loadSafeguardingCategories(settings);
    return { ok: parsed.ok, lines: [`ok   safeguarding categories: ${categories.describe()}`, routeLine] };
  } catch (err) {
    return { ok: false, lines: [`FAIL safeguarding categories\n${(err as Error).message}`, routeLine] };
  }
}
