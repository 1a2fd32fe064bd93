/**
 * The rota as a config file (YAML or JSON), validated with zod. Errors name the file, entry and field.
 *
 * ```yaml
 * organisation: Elmfield Primary        # name or id; optional when there is one organisation
 * entries:
 *   - { email: dsl@school.example, level: DSL }
 *   - { email: deputy@school.example, level: DEPUTY_DSL, rank: 1 }
 *   - { email: oncall@school.example, level: DSL, window: OUT_OF_HOURS }
 *   - { email: cover@school.example, level: DSL, from: 2026-12-21, to: 2027-01-01 }   # holiday cover
 *   - { email: head@school.example, level: HEAD }
 * ```
 */
import fs from 'node:fs';
import { z } from 'zod';
import { ValidationError } from '../../core/errors.ts';
import { type RotaEntry, rotaLevels, rotaWindows } from '../../core/escalations/rota.ts';
import { yaml } from '../../integrations/lazy-yaml.ts';

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, { message: 'expected YYYY-MM-DD' });

export const rotaEntryInputSchema = z
  .object({
    email: z.string().email({ message: "expected the staff member's email" }),
    level: z
      .string()
      .transform((s) =>
        s
          .trim()
          .toUpperCase()
          .replace(/[\s-]+/g, '_')
          .replace(/^DEPUTY$/, 'DEPUTY_DSL'),
      )
      .pipe(z.enum(rotaLevels, { message: 'expected DSL, DEPUTY_DSL or HEAD' })),
    rank: z.number().int().min(0).max(99).default(0),
    window: z
      .string()
      .transform((s) =>
        s
          .trim()
          .toUpperCase()
          .replace(/[\s-]+/g, '_'),
      )
      .pipe(z.enum(rotaWindows, { message: 'expected ALWAYS, IN_HOURS or OUT_OF_HOURS' }))
      .default('ALWAYS'),
    from: z.union([isoDate, z.date().transform((d) => d.toISOString().slice(0, 10))]).optional(),
    to: z.union([isoDate, z.date().transform((d) => d.toISOString().slice(0, 10))]).optional(),
  })
  .refine((e) => !e.from || !e.to || e.from <= e.to, { message: '"from" is after "to"', path: ['to'] });

export const rotaFileSchema = z.object({
  organisation: z.string().optional(),
  entries: z.array(rotaEntryInputSchema).min(1, { message: 'a rota needs at least one entry' }),
});
export type RotaFile = z.infer<typeof rotaFileSchema>;

export function readRotaFile(file: string): RotaFile {
  let raw: unknown;
  try {
    const text = fs.readFileSync(file, 'utf8');
    raw = /\.json$/i.test(file) ? JSON.parse(text) : yaml().parse(text);
  } catch (err) {
    throw new ValidationError(`${file}: cannot read the rota: ${(err as Error).message}`);
  }
  const parsed = rotaFileSchema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => {
      const [a, n, field] = i.path;
      const where =
        a === 'entries' && typeof n === 'number'
          ? `entry ${n + 1}${field ? `, field "${String(field)}"` : ''}`
          : String(a ?? 'file');
      return `${file}: ${where}: ${i.message}`;
    });
    throw new ValidationError(lines.join('\n'));
  }
  return parsed.data;
}

/** Resolve emails to staff ids; unknown emails are errors naming the entry. */
export async function resolveRota(
  file: string,
  rota: RotaFile,
  byEmail: (email: string) => Promise<{ id: string } | null>,
): Promise<RotaEntry[]> {
  const out: RotaEntry[] = [];
  const errors: string[] = [];
  for (const [i, e] of rota.entries.entries()) {
    const s = await byEmail(e.email);
    if (!s) {
      errors.push(
        `${file}: entry ${i + 1}, field "email": no active member of staff has the email ${e.email}`,
      );
      continue;
    }
    out.push({
      staffId: s.id,
      level: e.level,
      rank: e.rank,
      window: e.window,
      validFrom: e.from ?? null,
      validTo: e.to ?? null,
    });
  }
  if (errors.length > 0) throw new ValidationError(errors.join('\n'));
  return out;
}
