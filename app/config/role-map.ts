/**
 * The job-title → role map for staff imports (issue 14 point 9), overridable by a YAML or JSON file
 * (STAFF_ROLE_MAP_FILE). The file is checked when the config loads: a bad file stops the start with one
 * line naming the file, the entry and the field (docs/imports.md "Roles from job titles").
 *
 * ```yaml
 * mode: extend          # extend (default): these rules first, then the defaults; replace: these only
 * titles:
 *   - match: '\bsenco assistant\b'   # regular expression, case-insensitive, on the title in lower case
 *     roles: []                      # STAFF only
 *   - match: '\bhead of learning support\b'
 *     roles: [SENDCO]
 * ```
 */
import fs from 'node:fs';
import { z } from 'zod';
import {
  compileTitleRules,
  DEFAULT_TITLE_RULES,
  type TitleRole,
  type TitleRule,
} from '../../core/staff/job-titles.ts';
import { roles } from '../../core/staff/roles.ts';
import { yaml } from '../../integrations/lazy-yaml.ts';

const titleRoles = roles.filter((r) => r !== 'ADMIN') as [TitleRole, ...TitleRole[]];

const ruleSchema = z.object({
  match: z
    .string({ message: 'expected a regular expression' })
    .min(1, 'must not be empty')
    .refine(
      (s) => {
        try {
          new RegExp(s, 'gi');
          return true;
        } catch {
          return false;
        }
      },
      { message: 'is not a valid regular expression' },
    ),
  roles: z.array(
    z.enum(titleRoles, {
      message: `not a role (one of ${titleRoles.join(', ')}; ADMIN is never granted by a file)`,
    }),
  ),
});

export const roleMapFileSchema = z
  .object({
    mode: z.enum(['extend', 'replace']).default('extend'),
    titles: z.array(ruleSchema),
  })
  .strict();

export type RoleMapFile = z.infer<typeof roleMapFileSchema>;

/** Reads and checks the file; returns the problems (file, entry, field; never the values) or the rules. */
export function readRoleMapFile(file: string): { rules: TitleRule[] } | { problems: string[] } {
  let parsed: unknown;
  try {
    parsed = yaml().parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    const why =
      (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : 'not valid YAML or JSON';
    return { problems: [`${file}: ${why}`] };
  }
  const res = roleMapFileSchema.safeParse(parsed ?? {});
  if (!res.success)
    return {
      problems: res.error.issues.map(
        (i) =>
          `${file}: ${
            i.path.length
              ? i.path
                  .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
                  .join('')
                  .replace(/^\./, '')
              : 'the file'
          } ${i.message}`,
      ),
    };
  const own: TitleRule[] = res.data.titles;
  return { rules: res.data.mode === 'replace' ? own : [...own, ...DEFAULT_TITLE_RULES] };
}

export const roleMapEnvSchema = z.object({
  /** YAML or JSON file overriding the job-title → role map for staff imports (docs/imports.md). */
  STAFF_ROLE_MAP_FILE: z
    .string()
    .optional()
    .superRefine((file, ctx) => {
      if (!file) return;
      const r = readRoleMapFile(file);
      if ('problems' in r) for (const p of r.problems) ctx.addIssue({ code: 'custom', message: p });
    }),
});

/** The compiled title rules in force: the file's (validated at start) or the defaults. */
export function titleRulesFor(raw: Record<string, unknown>): ReturnType<typeof compileTitleRules> {
  const file = raw.STAFF_ROLE_MAP_FILE as string | undefined;
  if (!file) return compileTitleRules(DEFAULT_TITLE_RULES);
  const r = readRoleMapFile(file);
  if ('problems' in r) throw new Error(r.problems.join('\n'));
  return compileTitleRules(r.rules);
}
