/**
 * Local rules (issue 3: "an LA's internal 14-week draft-plan target") from a JSON or YAML file named by
 * DEADLINE_RULES_FILE, validated here with zod. A local rule is always `local` (never shown as law) and
 * must say where it comes from. `overrides` change a shipped rule's offset, lead times or anchor pick
 * where local procedure differs (e.g. ICPC anchored on the first strategy discussion).
 */
import { z } from 'zod';
import { isLeadTime } from './arithmetic.ts';
import { caseKinds, type Rule } from './types.ts';

const eventName = z
  .string()
  .regex(/^[a-z][a-z0-9_]*$/, { message: 'expected an event name like draft_served' });

const offsetSchema = z.discriminatedUnion('unit', [
  z.object({
    unit: z.enum(['CD', 'CW', 'WD', 'SD']),
    n: z.number().int().min(-400).max(400),
    inclusiveOfStart: z.boolean().optional(),
  }),
  z.object({ unit: z.literal('M'), n: z.number().int().min(-60).max(60), within: z.boolean().optional() }),
  z.object({
    unit: z.literal('DATE'),
    month: z.number().int().min(1).max(12),
    day: z.number().int().min(1).max(31),
    yearOffset: z.number().int().min(-2).max(2).optional(),
  }),
  z.object({ unit: z.literal('TERM') }),
]);

const leadTimes = z
  .array(z.string().refine(isLeadTime, { message: 'expected a lead time like 10wd, 3d or 2w' }))
  .max(8);

export const localRuleSchema = z.object({
  id: z
    .string()
    .regex(/^L[-_A-Za-z0-9]{1,40}$/, { message: 'local rule ids start with L, e.g. "L-draft-14w"' }),
  name: z.string().min(3).max(120),
  caseKinds: z.array(z.enum(caseKinds)).min(1),
  anchor: z.object({
    events: z.array(eventName).min(1),
    pick: z.enum(['first', 'latest', 'each']).default('first'),
  }),
  offset: offsetSchema,
  metBy: z.array(eventName).default([]),
  leadTimes: leadTimes.optional(),
  escalate: z.boolean().default(false),
  source: z.string().min(3, { message: 'say where the rule comes from (local policy name)' }),
});

export const localRulesFileSchema = z.object({
  rules: z.array(localRuleSchema).default([]),
  overrides: z
    .record(
      z.string(),
      z.object({
        offset: offsetSchema.optional(),
        leadTimes: leadTimes.optional(),
        anchorPick: z.enum(['first', 'latest', 'each']).optional(),
      }),
    )
    .default({}),
});
export type LocalRulesFile = z.infer<typeof localRulesFileSchema>;

export const emptyLocalRules: LocalRulesFile = { rules: [], overrides: {} };

/** Validate a parsed file; problems name the file and the path of each bad field. */
export function parseLocalRules(
  data: unknown,
  file: string,
): { ok: true; value: LocalRulesFile } | { ok: false; problems: string[] } {
  const r = localRulesFileSchema.safeParse(data);
  if (r.success) {
    const ids = r.data.rules.map((x) => x.id);
    const dup = ids.find((id, i) => ids.indexOf(id) !== i);
    if (dup) return { ok: false, problems: [`${file}: rules: duplicate id "${dup}"`] };
    return { ok: true, value: r.data };
  }
  return {
    ok: false,
    problems: r.error.issues.map((i) => `${file}: ${i.path.join('.') || '(root)'}: ${i.message}`),
  };
}

export function localRuleToRule(r: LocalRulesFile['rules'][number]): Rule {
  return {
    id: r.id,
    name: r.name,
    caseKinds: r.caseKinds,
    anchor: r.anchor,
    offset: r.offset,
    metBy: r.metBy,
    ...(r.leadTimes ? { leadTimes: r.leadTimes } : {}),
    escalate: r.escalate,
    status: 'local',
    source: `Local rule: ${r.source}`,
  };
}
